import { readFile } from "node:fs/promises";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { escapePointer, type OpenApiDocument, SpecError, WORLD_SCHEMA_PATH } from "./load-spec.ts";

const SPEC_ID = "https://cmdb-contract.local/spec/cmdb.openapi.yaml";
const WORLD_ID = "https://cmdb-contract.local/spec/world.schema.json";

// ajv-formats ships CommonJS with a default export that NodeNext sees as the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/** One way a value breaks a schema: where in the value, which schema keyword of the spec, and why. */
export interface SchemaProblem {
  /** JSON pointer into the validated value, e.g. `/instances/0/bk_host_id`. */
  pointer: string;
  /** Where the rule lives, e.g. `cmdb.openapi.yaml#/components/schemas/ServiceInstanceToCreate/required`. */
  schemaPointer: string;
  message: string;
}

/** Validates values against schemas of the spec (by JSON pointer) and worlds against `world.schema.json`. */
export interface SchemaValidator {
  /** `ref` is a local pointer into the spec such as `#/components/schemas/CreateServiceInstanceRequest`. */
  validate(ref: string, value: unknown): SchemaProblem[];
  validateWorld(value: unknown): SchemaProblem[];
}

/**
 * Builds a validator over one spec document; compiled schemas are cached per pointer.
 * @see spec/world.schema.json, which reaches into the spec with `$ref: cmdb.openapi.yaml#/...`.
 */
export function createSchemaValidator(document: OpenApiDocument, worldSchema: object): SchemaValidator {
  // OpenAPI 3.1 schemas are JSON Schema 2020-12 plus `x-*`, `example`, `discriminator` and friends: not strict.
  // `verbose` gives each error its parentSchema, which `locate` maps back to a JSON pointer into the spec.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true, verbose: true });
  addFormats(ajv);
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addFormat("password", true);
  ajv.addSchema({ $id: SPEC_ID, components: document.components, paths: document.paths });
  const world = { ...worldSchema, $id: WORLD_ID };
  ajv.addSchema(world);
  const locate = indexSchemas([
    ["cmdb.openapi.yaml#/components", document.components],
    ["cmdb.openapi.yaml#/paths", document.paths],
    ["world.schema.json#", world],
  ]);
  const cache = new Map<string, ValidateFunction>();
  const compiled = (id: string): ValidateFunction => {
    let fn = cache.get(id);
    if (!fn) {
      fn = ajv.getSchema(id);
      if (!fn) throw new Error(`no schema at ${id}`);
      cache.set(id, fn);
    }
    return fn;
  };
  const run = (id: string, value: unknown): SchemaProblem[] => {
    const fn = compiled(id);
    return fn(value) ? [] : (fn.errors ?? []).map((e) => toProblem(e, locate));
  };
  return {
    validate: (ref, value) => run(`${SPEC_ID}${ref.startsWith("#") ? ref : `#${ref}`}`, value),
    validateWorld: (value) => run(WORLD_ID, value),
  };
}

/**
 * Reads `spec/world.schema.json`.
 * @throws SpecError when it cannot be read or is not JSON.
 */
export async function loadWorldSchema(file: string = WORLD_SCHEMA_PATH): Promise<object> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as object;
  } catch (error) {
    throw new SpecError(file, [
      { code: "unreadable", pointer: "", message: error instanceof Error ? error.message : String(error) },
    ]);
  }
}

/** Maps every object inside the given roots to its JSON pointer, so an error's parentSchema names its place. */
function indexSchemas(roots: [string, unknown][]): (schema: unknown) => string | undefined {
  const pointers = new Map<unknown, string>();
  const visit = (node: unknown, pointer: string): void => {
    if (node === null || typeof node !== "object" || pointers.has(node)) return;
    pointers.set(node, pointer);
    for (const [key, value] of Object.entries(node)) visit(value, `${pointer}/${escapePointer(key)}`);
  };
  for (const [base, root] of roots) visit(root, base);
  return (schema) => pointers.get(schema);
}

function toProblem(error: ErrorObject, locate: (schema: unknown) => string | undefined): SchemaProblem {
  const parent = locate(error.parentSchema);
  const schemaPointer = parent ? `${parent}/${error.keyword}` : error.schemaPath;
  return {
    pointer: error.instancePath,
    schemaPointer,
    message: `${error.message ?? "is invalid"}${describeParams(error)}`,
  };
}

function describeParams(error: ErrorObject): string {
  const p = error.params as Record<string, unknown>;
  if (error.keyword === "required") return ` (${String(p.missingProperty)})`;
  if (error.keyword === "additionalProperties") return ` (${String(p.additionalProperty)})`;
  if (error.keyword === "enum") return ` (${JSON.stringify(p.allowedValues)})`;
  if (error.keyword === "const") return ` (${JSON.stringify(p.allowedValue)})`;
  return "";
}
