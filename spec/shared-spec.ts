/**
 * The spec as the parts of one process share it: the reference CMDB, the verify engine and publish-pacts each ask
 * for it, and a file is parsed, validated and compiled into a schema validator once per content. The file is read
 * again on every request, so an edit between two runs in one process is seen; the same text answers the same
 * document, which nobody may change.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import {
  type LoadedSpec,
  type OpenApiDocument,
  parseSpecQuickly,
  SPEC_PATH,
  SpecError,
  validateSpec,
  WORLD_SCHEMA_PATH,
} from "./load-spec.ts";
import { createSchemaValidator, type SchemaValidator } from "./schema-validator.ts";

/** Where `cli/bin-from-source.mjs` leaves the folder of its cache, for the verdicts of {@link loadSharedSpec}. */
export const CACHE_DIR = Symbol.for("cmdb-contract.cacheDir");

const require = createRequire(import.meta.url);

// Beside this file in the sources and in dist/ (tsc copies it); transpiled runs resolve it at the source.
const VALIDATE_WORKER = fileURLToPath(new URL("./validate-worker.cjs", import.meta.url));

interface Parsed<T> {
  text: string;
  value: T;
}

const specs = new Map<string, Parsed<LoadedSpec>>();
const worldSchemas = new Map<string, Parsed<object>>();
const validations = new WeakMap<LoadedSpec, Promise<void>>();
const validators = new WeakMap<OpenApiDocument, { worldSchema: object; validator: SchemaValidator }>();

/**
 * Reads and parses a spec without validating it (as `readSpec` does), answering the spec parsed before when the
 * file's text is unchanged.
 * @throws SpecError when the file cannot be read or is not YAML.
 */
export function readSharedSpec(file: string = SPEC_PATH): LoadedSpec {
  return parseOnce(specs, file, (text) => ({ file, text, document: parseSpecQuickly(file, text) as OpenApiDocument }));
}

/**
 * Reads, parses and validates a spec (as `loadSpec` does); a text already validated in this process is not
 * validated again, and one found invalid fails again with the same problems.
 * @throws SpecError when the spec cannot be read, is not YAML or is invalid.
 */
export async function loadSharedSpec(file: string = SPEC_PATH): Promise<LoadedSpec> {
  const spec = readSharedSpec(file);
  let validation = validations.get(spec);
  if (validation === undefined) {
    // swagger-parser's part, the slow one, runs on another thread: a caller may start this early and await it late.
    validation = validateSpec(spec, { validateSchema: validateSchemaRemembered });
    validations.set(spec, validation);
  }
  await validation;
  return spec;
}

/**
 * swagger-parser's verdict depends on the document and swagger-parser alone: with a cache folder (`npm start` from a
 * clone gives one, `cli/bin-from-source.mjs`), a document it found valid is remembered under the hash of both, and
 * a later run with the same spec text skips the worker. An invalid document is never remembered.
 */
async function validateSchemaRemembered(document: Record<string, unknown>): Promise<void> {
  const dir = (globalThis as Record<symbol, unknown>)[CACHE_DIR];
  if (typeof dir !== "string") return validateSchemaInWorker(document);
  const hash = createHash("sha256");
  hash.update(readFileSync(require.resolve("@apidevtools/swagger-parser/package.json")));
  hash.update(readFileSync(VALIDATE_WORKER));
  hash.update(JSON.stringify(document));
  const marker = join(dir, "valid-specs", hash.digest("hex"));
  if (existsSync(marker)) return;
  await validateSchemaInWorker(document);
  try {
    mkdirSync(dirname(marker), { recursive: true });
    writeFileSync(marker, "");
  } catch {
    // A cache that cannot be written only makes the next run validate again.
  }
}

/** swagger-parser's validation of a document in a worker thread of its own, rejecting with its message and details. */
function validateSchemaInWorker(document: Record<string, unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(VALIDATE_WORKER);
    let answered = false;
    worker.once("message", (answer: { ok: boolean; message?: string; details?: unknown }) => {
      answered = true;
      void worker.terminate();
      if (answer.ok) resolve();
      else reject(Object.assign(new Error(answer.message), { details: answer.details }));
    });
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (!answered) reject(new Error(`the spec validation worker stopped (exit code ${code})`));
    });
    worker.postMessage(document);
  });
}

/**
 * The schema validator of a spec {@link readSharedSpec} or {@link loadSharedSpec} answered, built once per document
 * and world schema, so each schema is compiled once in the process whoever validates with it.
 * @throws SpecError when `spec/world.schema.json` cannot be read or is not JSON.
 */
export function sharedSchemaValidator(spec: LoadedSpec, worldSchemaFile: string = WORLD_SCHEMA_PATH): SchemaValidator {
  const worldSchema = parseOnce(worldSchemas, worldSchemaFile, (text) => {
    try {
      return JSON.parse(text) as object;
    } catch (error) {
      throw new SpecError(worldSchemaFile, [
        { code: "unreadable", pointer: "", message: error instanceof Error ? error.message : String(error) },
      ]);
    }
  });
  const known = validators.get(spec.document);
  if (known?.worldSchema === worldSchema) return known.validator;
  const validator = createSchemaValidator(spec.document, worldSchema);
  validators.set(spec.document, { worldSchema, validator });
  return validator;
}

function parseOnce<T>(cache: Map<string, Parsed<T>>, file: string, parse: (text: string) => T): T {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new SpecError(file, [
      {
        code: "unreadable",
        pointer: "",
        message: `cannot read the file (${error instanceof Error ? error.message : String(error)})`,
      },
    ]);
  }
  const known = cache.get(file);
  if (known?.text === text) return known.value;
  const value = parse(text);
  cache.set(file, { text, value });
  return value;
}
