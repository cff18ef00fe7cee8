import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type SwaggerParserModule from "@apidevtools/swagger-parser";
import type { Ajv2020, ErrorObject } from "ajv/dist/2020.js";
import type * as Yaml from "yaml";
import { packagePath } from "./package-path.ts";

// Loaded through `require` (their CommonJS builds), like openapi-typescript in generator/emit/types.ts: under tsx's
// ESM hooks an `import` sends each of their modules through the hooks thread. swagger-parser loads on first use, so
// a caller that validates in a worker thread (`generate`) never loads it here.
const require = createRequire(import.meta.url);
const { LineCounter, parse: parseYaml, parseDocument } = require("yaml") as typeof Yaml;

/** The spec this repo ships: the single source of every generated file and check. */
export const SPEC_PATH = packagePath("spec/cmdb.openapi.yaml");

/** The world format of DESIGN.md, reusing the spec's schemas by `$ref`. */
export const WORLD_SCHEMA_PATH = packagePath("spec/world.schema.json");

/** One problem found in a spec: where it is (JSON pointer and, when known, line) and how to fix it. */
export interface SpecProblem {
  code: "unreadable" | "yaml" | "ref" | "schema" | "semantic";
  pointer: string;
  line?: number;
  column?: number;
  message: string;
}

/** A spec that could not be loaded; `problems` lists everything found, `message` names the file. */
export class SpecError extends Error {
  override readonly name = "SpecError";
  constructor(
    readonly file: string,
    readonly problems: readonly SpecProblem[],
  ) {
    super(problems.map((p) => `${formatLocation(file, p)}: ${p.message}`).join("\n"));
  }
}

/** A loaded spec: its raw document (with `$ref`s intact), the file it came from and its text. */
export interface LoadedSpec {
  file: string;
  text: string;
  document: OpenApiDocument;
}

/** The parts of an OpenAPI 3.1 document this toolkit reads; everything else stays `unknown`. */
export interface OpenApiDocument {
  openapi: string;
  info: Record<string, unknown>;
  paths: Record<string, Record<string, unknown>>;
  components: {
    schemas: Record<string, JsonSchema>;
    examples?: Record<string, { summary?: string; description?: string; value: unknown }>;
    securitySchemes?: Record<string, unknown>;
  };
  "x-cmdb-error-codes": ErrorCodeEntry[];
  /** Codes raised inside the process model that reach a caller only as text inside another code's message. */
  "x-cmdb-inner-error-codes"?: Omit<ErrorCodeEntry, "operations">[];
  /** The API gateway's own errors, answered with a non-200 status on the gateway route (cmdb-semantics §4.4). */
  "x-cmdb-gateway-error-codes"?: GatewayErrorCodeEntry[];
  "x-cmdb-template-lock": TemplateLockRules;
  /** Required by `validateSpec`; optional here so that a spec fragment in a test may leave it out. */
  "x-cmdb-field-rules"?: FieldRules;
  [key: string]: unknown;
}

/** A JSON Schema object as it appears in the spec. */
export type JsonSchema = Record<string, unknown>;

/** One entry of `x-cmdb-error-codes`. */
export interface ErrorCodeEntry {
  code: number;
  name: string;
  layer: "cmdb" | "esb" | "iam";
  operations: string[];
  when: string;
  when_zh: string;
  args?: string;
  args_zh?: string;
  message_zh: string;
  message_en: string;
}

/** One entry of `x-cmdb-gateway-error-codes`: the HTTP status, the gateway's code and its name. */
export interface GatewayErrorCodeEntry {
  status: number;
  code: number;
  code_name: string;
  when: string;
  when_zh: string;
}

/** `x-cmdb-field-rules`: the process model rules JSON Schema cannot state (cmdb-semantics §1.1, §1.3 A, §3). */
export interface FieldRules {
  description: string;
  "x-description-zh": string;
  operations: string[];
  process_fields: {
    field: string;
    display_name: string;
    type: "string" | "integer" | "boolean";
    max_bytes?: number;
    minimum?: number;
    maximum?: number;
    required?: boolean;
  }[];
  raw_defaults: Record<"string" | "boolean" | "integer" | "bind_info", unknown>;
  bind_info: {
    display_name: string;
    sub_fields: { field: string; type: string; required?: boolean; pattern?: string; values?: string[] }[];
  } & Record<string, unknown>;
  [key: string]: unknown;
}

/** `x-cmdb-template-lock`: the lock rules of cmdb-semantics §2 as data. */
export interface TemplateLockRules {
  description: string;
  "x-description-zh": string;
  /** The operations whose behaviour these rules govern. */
  operations: string[];
  lock_flag: "as_default_value";
  lockable_fields: { field: string; type: "string" | "integer" | "boolean" }[];
  always_locked: string[];
  bind_info: { sub_fields: string[]; match: { caller_key: string; template_key: string } } & Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * Reads, parses and validates an OpenAPI document, collecting every problem into one {@link SpecError}.
 * @throws SpecError when the file cannot be read, is not YAML, has a dangling `$ref` or breaks the OpenAPI schema.
 */
export async function loadSpec(file: string = SPEC_PATH): Promise<LoadedSpec> {
  const spec = await readSpec(file);
  await validateSpec(spec);
  return spec;
}

/**
 * Reads and parses a spec without validating it, for a caller that starts other work on the document (in a worker
 * thread, say) before {@link validateSpec}; nothing built from it may be written before that resolves.
 * @throws SpecError when the file cannot be read or is not YAML.
 */
export async function readSpec(file: string = SPEC_PATH): Promise<LoadedSpec> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new SpecError(file, [
      { code: "unreadable", pointer: "", message: `cannot read the file (${describe(error)})` },
    ]);
  }
  return { file, text, document: parseSpecQuickly(file, text) as OpenApiDocument };
}

// js-yaml with `yaml`'s reading of scalars, shared with the diff's worker thread (quick-yaml.cjs).
const { loadQuickly } = require("./quick-yaml.cjs") as {
  loadQuickly(text: string, filename: string): { value: unknown } | undefined;
};

/**
 * Parses a spec's text as {@link parseSpecText} does, in about a quarter of the time: js-yaml reads it when it can
 * vouch for the result (spec/quick-yaml.cjs); any other text goes to `parseSpecText`, which names the line and column
 * of a syntax error and refuses an alias bomb.
 * @throws SpecError on a YAML syntax error or a document that is not a mapping.
 */
export function parseSpecQuickly(file: string, text: string): Record<string, unknown> {
  const quick = loadQuickly(text, file)?.value;
  return quick !== null && typeof quick === "object" && !Array.isArray(quick)
    ? (quick as Record<string, unknown>)
    : parseSpecText(file, text);
}

/**
 * Parses any YAML file of the project's (a fixture, a world, a live config) as `yaml`'s `parse` does (unique keys,
 * at most 100 aliases), the quick way when it can (see {@link parseSpecQuickly}).
 * @throws yaml's YAMLParseError (or its alias refusal) for a text `yaml` refuses.
 */
export function parseYamlQuickly(file: string, text: string): unknown {
  const quick = loadQuickly(text, file);
  if (quick) return quick.value;
  return parseYaml(text, { uniqueKeys: true, maxAliasCount: 100 });
}

/** Options of {@link validateSpec}. */
export interface ValidateSpecOptions {
  /**
   * Checks a copy of the document against the OpenAPI schema, rejecting with swagger-parser's error (its `details`
   * become the problems); swagger-parser's `validate` in this thread by default, a worker thread's by choice.
   */
  validateSchema?: (document: Record<string, unknown>) => Promise<void>;
}

/**
 * Validates a spec {@link readSpec} returned, as {@link loadSpec} does.
 * @throws SpecError when it has a dangling `$ref`, breaks the OpenAPI schema or lacks the `x-cmdb-*` data.
 */
export async function validateSpec(spec: LoadedSpec, options: ValidateSpecOptions = {}): Promise<void> {
  const validateSchema = options.validateSchema ?? validateInThisThread;
  await validateSpecDocument(spec.file, spec.text, spec.document, validateSchema);
}

async function validateInThisThread(document: Record<string, unknown>): Promise<void> {
  await (require("@apidevtools/swagger-parser") as typeof SwaggerParserModule).validate(document as never);
}

/**
 * Parses YAML (or JSON) spec text; errors carry the line and column.
 * @throws SpecError on a YAML syntax error or a document that is not a mapping.
 */
export function parseSpecText(file: string, text: string): Record<string, unknown> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new SpecError(
      file,
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { code: "yaml", pointer: "", line: pos.line, column: pos.col, message: firstLine(e.message) };
      }),
    );
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // `yaml` refuses aliases that stand for far more than the text holds ("Excessive alias count…").
    throw new SpecError(file, [{ code: "yaml", pointer: "", message: firstLine((error as Error).message) }]);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new SpecError(file, [{ code: "yaml", pointer: "", message: "the document must be a YAML mapping" }]);
  }
  return value as Record<string, unknown>;
}

async function validateSpecDocument(
  file: string,
  text: string,
  document: Record<string, unknown>,
  validateSchema: NonNullable<ValidateSpecOptions["validateSchema"]>,
): Promise<void> {
  const problems: SpecProblem[] = [...findDanglingRefs(document)];
  if (problems.length === 0) {
    try {
      // swagger-parser mutates what it is given; the caller keeps the raw document with its $refs.
      await validateSchema(structuredClone(document));
    } catch (error) {
      problems.push(...toSchemaProblems(error));
    }
  }
  problems.push(...findSchemaDialectProblems(document));
  for (const key of ["x-cmdb-error-codes", "x-cmdb-template-lock", "x-cmdb-field-rules"]) {
    if (!(key in document)) {
      problems.push({ code: "semantic", pointer: `/${key}`, message: `${key} is required: checks and docs read it` });
    }
  }
  if (problems.length > 0) {
    throw new SpecError(
      file,
      problems.map((p) => withLine(text, p)),
    );
  }
}

/** Every local `$ref` that points at nothing, with the pointer of the `$ref` itself. */
function findDanglingRefs(document: Record<string, unknown>): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const visit = (node: unknown, pointer: string): void => {
    if (Array.isArray(node)) {
      for (const [i, item] of node.entries()) visit(item, `${pointer}/${i}`);
      return;
    }
    if (node === null || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      const here = `${pointer}/${escapePointer(key)}`;
      if (key === "$ref" && typeof value === "string" && value.startsWith("#")) {
        if (resolvePointer(document, value.slice(1)) === undefined) {
          problems.push({ code: "ref", pointer: here, message: `$ref "${value}" points at nothing in this document` });
        }
      } else {
        visit(value, here);
      }
    }
  };
  visit(document, "");
  return problems;
}

/**
 * Every schema object of the document (components, parameters, headers, request and response bodies) checked
 * against JSON Schema 2020-12, the OpenAPI 3.1 schema dialect: `type: integr` or `required: name` is a problem with
 * its JSON pointer, where swagger-parser's validation lets it through.
 */
export function findSchemaDialectProblems(document: Record<string, unknown>): SpecProblem[] {
  const problems: SpecProblem[] = [];
  for (const [pointer, schema] of findSchemaObjects(document)) {
    if (dialectValidator().validateSchema(schema as object)) continue;
    const errors = dialectValidator().errors ?? [];
    for (const error of mostSpecific(errors)) {
      const value = resolvePointer(schema, error.instancePath);
      problems.push({
        code: "schema",
        pointer: `${pointer}${error.instancePath}`,
        message: `${describeDialectError(error)} (JSON Schema 2020-12, the OpenAPI 3.1 schema dialect), not ${excerpt(value)}`,
      });
    }
  }
  return problems;
}

let dialect: Ajv2020 | undefined;
function dialectValidator(): Ajv2020 {
  // Loaded on first use, through require like swagger-parser; formats are not this check's business.
  dialect ??= new (require("ajv/dist/2020.js") as { Ajv2020: typeof Ajv2020 }).Ajv2020({
    strict: false,
    allErrors: true,
    validateFormats: false,
  });
  return dialect;
}

// The schema objects an OpenAPI 3.1 document holds outside other schemas, each with its JSON pointer.
function findSchemaObjects(document: Record<string, unknown>): [string, unknown][] {
  const found: [string, unknown][] = [];
  const components = (document.components ?? {}) as Record<string, unknown>;
  for (const [name, schema] of Object.entries((components.schemas ?? {}) as Record<string, unknown>)) {
    found.push([`/components/schemas/${escapePointer(name)}`, schema]);
  }
  const visit = (node: unknown, pointer: string): void => {
    if (node === null || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      const here = `${pointer}/${escapePointer(key)}`;
      // Examples are data, extensions are ours; neither holds schema objects.
      if (key === "example" || key === "examples" || key.startsWith("x-")) continue;
      if (key === "schema" && value !== null && typeof value === "object") found.push([here, value]);
      else visit(value, here);
    }
  };
  visit(document.paths, "/paths");
  for (const [key, value] of Object.entries(components)) {
    if (key !== "schemas") visit(value, `/components/${escapePointer(key)}`);
  }
  return found;
}

// One error per place: the deepest places only, and at one place an enum or const over the `type` of an anyOf branch.
function mostSpecific(errors: readonly ErrorObject[]): ErrorObject[] {
  const deeper = (a: string, b: string): boolean => b.startsWith(`${a}/`);
  const kept = errors.filter(
    (e) =>
      !["anyOf", "oneOf", "allOf", "if"].includes(e.keyword) &&
      !errors.some((o) => deeper(e.instancePath, o.instancePath)),
  );
  const best = new Map<string, ErrorObject>();
  for (const e of kept) {
    const current = best.get(e.instancePath);
    if (!current || (["enum", "const"].includes(e.keyword) && current.keyword === "type")) best.set(e.instancePath, e);
  }
  return [...best.values()];
}

function describeDialectError(error: ErrorObject): string {
  const params = error.params as { allowedValues?: unknown[] };
  if (error.keyword === "enum" && params.allowedValues) return `must be one of ${params.allowedValues.join(", ")}`;
  return error.message ?? "is invalid";
}

function excerpt(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Resolves a JSON pointer (`/a/b~1c`) inside a value; undefined when any step is missing. */
export function resolvePointer(root: unknown, pointer: string): unknown {
  if (pointer === "") return root;
  let node: unknown = root;
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (node === null || typeof node !== "object" || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Escapes one JSON pointer token. */
export function escapePointer(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

function toSchemaProblems(error: unknown): SpecProblem[] {
  const details = (error as { details?: { instancePath?: string; message?: string; params?: unknown }[] }).details;
  if (Array.isArray(details) && details.length > 0) {
    return details.map((d) => ({
      code: "schema",
      pointer: d.instancePath ?? "",
      message: `${d.message ?? "is invalid"}${d.params ? ` ${JSON.stringify(d.params)}` : ""}`,
    }));
  }
  return [{ code: "schema", pointer: "", message: firstLine(describe(error)) }];
}

function withLine(text: string, problem: SpecProblem): SpecProblem {
  if (problem.line !== undefined || problem.pointer === "") return problem;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const path = problem.pointer
    .split("/")
    .slice(1)
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((t) => (/^\d+$/.test(t) ? Number(t) : t));
  for (let n = path.length; n > 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) {
      const pos = lineCounter.linePos(node.range[0]);
      return { ...problem, line: pos.line, column: pos.col };
    }
  }
  return problem;
}

// `file:line:column: at #pointer` when both are known: an editor opens the first part, the pointer stands apart.
function formatLocation(file: string, problem: SpecProblem): string {
  if (problem.line === undefined) return problem.pointer === "" ? file : `${file}#${problem.pointer}`;
  const line = `${file}:${problem.line}:${problem.column ?? 1}`;
  return problem.pointer === "" ? line : `${line}: at #${problem.pointer}`;
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
