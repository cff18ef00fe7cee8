import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PactV4 } from "@pact-foundation/pact";
import { createCmdbClient } from "../../generated/index.ts";
import { escapePointer, loadSpec, type OpenApiDocument } from "../../spec/load-spec.ts";
import { type OperationId, readOperationPaths } from "../../spec/operations.ts";
import { createSchemaValidator, loadWorldSchema, type SchemaValidator } from "../../spec/schema-validator.ts";
import { CANARY_SECRET } from "../shared/canary.ts";
import { checkInteractionAgainstSpec, normalizePactText, type PactInteraction } from "../shared/pact-format.ts";
import { defaultAuth, loadWorlds, type World } from "../shared/worlds.ts";
import { matchersFromSchema } from "./schema-matchers.ts";

/** The consumer and provider names of our pacts. */
export const CONSUMER = "cmdb-contract-consumer";
export const PROVIDER = "bk-cmdb";

/**
 * The secret the consumer tests give the generated client. It must never reach a pact file, a report or a log:
 * the pacts record the world's fixture secret as the example, and a check fails if this value appears anywhere.
 */
export { CANARY_SECRET };

/** Everything a consumer test needs: the spec, its validator, the fixture worlds and a Pact writing to a scratch folder. */
export interface PactHarness {
  document: OpenApiDocument;
  validator: SchemaValidator;
  worlds: Map<string, World>;
  pact: PactV4;
  scratchDir: string;
  paths: Record<OperationId, string>;
  /** The comments of each interaction by its description, written into the pact by {@link publishPacts}. */
  comments: Map<string, Record<string, string>>;
}

/** Sets up a consumer test run; the pact is written to a fresh scratch folder so no stale interaction survives. */
export async function createHarness(): Promise<PactHarness> {
  const spec = await loadSpec();
  const validator = createSchemaValidator(spec.document, await loadWorldSchema());
  const scratchDir = await mkdtemp(join(tmpdir(), "cmdb-pact-"));
  const pact = new PactV4({ consumer: CONSUMER, provider: PROVIDER, dir: scratchDir, logLevel: "error" });
  return {
    document: spec.document,
    validator,
    worlds: await loadWorlds(),
    pact,
    scratchDir,
    paths: readOperationPaths(spec.document),
    comments: new Map(),
  };
}

/**
 * Records comments of an interaction (the rule it can falsify, a request-schema rule it breaks on purpose), which
 * {@link publishPacts} writes into the pact's V4 `comments`. They are not set through pact-js: its `comment()`
 * needs pact-core 19, whose mock server records a match only after answering, so under CPU load a consumer test
 * could fail with "expected but not received" for a request it got (pact-foundation/pact-reference#535). We pin
 * @pact-foundation/pact 16.2.0 (pact-core 18.1) until that is fixed; see README "Development".
 */
export function annotate(harness: PactHarness, description: string, comments: Record<string, string>): void {
  harness.comments.set(description, { ...harness.comments.get(description), ...comments });
}

/** The world a fixture file names, with top-level keys replaced. */
export function worldOf(harness: PactHarness, name: string, patch: World = {}): World {
  const world = harness.worlds.get(name);
  if (!world) throw new Error(`contracts/fixtures/worlds: no world "${name}"`);
  return { ...structuredClone(world), ...patch };
}

/** The generated client pointed at the Pact mock server, with the canary secret. */
export function clientFor(world: World, url: string, auth: Record<string, string | undefined> = {}) {
  const base = defaultAuth(world);
  return createCmdbClient({
    baseUrl: url,
    auth: {
      bk_app_code: base.bk_app_code ?? "",
      bk_app_secret: CANARY_SECRET,
      ...(base.bk_username !== undefined ? { bk_username: base.bk_username } : {}),
      ...Object.fromEntries(Object.entries(auth).filter(([, v]) => v !== undefined)),
    },
    timeoutMs: 5_000,
  });
}

/**
 * The request body the pact records: the interface parameters plus the world's auth as the example (the client
 * sends the canary secret; the matchers accept it by type), wrapped in matchers from the operation's request schema.
 */
export function requestBody(
  harness: PactHarness,
  operation: OperationId,
  world: World,
  params: Record<string, unknown>,
  auth: Record<string, string> = {},
): unknown {
  const body = { ...params, ...defaultAuth(world), ...auth };
  return matchersFromSchema(harness.document, harness.validator, schemaPointer(harness, operation, "request"), body);
}

/** The response body the pact records, in matchers from the operation's response schema; `exact` pointers are literal. */
export function responseBody(
  harness: PactHarness,
  operation: OperationId,
  example: Record<string, unknown>,
  exact: readonly string[] = [],
): unknown {
  return matchersFromSchema(
    harness.document,
    harness.validator,
    schemaPointer(harness, operation, "response"),
    example,
    {
      exact,
    },
  );
}

/** A success envelope around `data`, as every operation answers it. */
export function successEnvelope(data: unknown): Record<string, unknown> {
  return {
    result: true,
    code: 0,
    message: "success",
    permission: null,
    request_id: "0123456789abcdef0123456789abcdef",
    data,
  };
}

/** A failure envelope with `code` (exact in the pact) and a message (matched by type). */
export function failureEnvelope(code: number, message: string, permission: unknown = null): Record<string, unknown> {
  return { result: false, code, message, permission, request_id: "0123456789abcdef0123456789abcdef", data: null };
}

function schemaPointer(harness: PactHarness, operation: OperationId, part: "request" | "response"): string {
  const base = `#/paths/${escapePointer(harness.paths[operation])}/post`;
  return part === "request"
    ? `${base}/requestBody/content/application~1json/schema`
    : `${base}/responses/200/content/application~1json/schema`;
}

/**
 * Checks the pact written to the scratch folder (every interaction against the spec, no canary secret), then, when
 * an `outDir` is named, writes it there in canonical form by write-then-rename. Only `npm run pacts` names one
 * (`CMDB_PACT_OUT=contracts/pacts`): a test run checks the pacts and changes no committed file.
 * @throws Error listing every spec problem, or naming the file that carries the canary secret.
 */
export async function publishPacts(
  harness: PactHarness,
  outDir: string | undefined = process.env.CMDB_PACT_OUT,
): Promise<string[]> {
  const written: string[] = [];
  if (outDir !== undefined) await mkdir(outDir, { recursive: true });
  for (const name of (await readdir(harness.scratchDir)).filter((f) => f.endsWith(".json")).sort()) {
    const raw = await readFile(join(harness.scratchDir, name), "utf8");
    if (raw.includes(CANARY_SECRET)) throw new Error(`${name}: the pact carries the canary secret`);
    const pact = JSON.parse(raw) as { interactions: PactInteraction[] };
    for (const interaction of pact.interactions) {
      const comments = harness.comments.get(interaction.description);
      if (comments === undefined) throw new Error(`${name}: "${interaction.description}" declares no rule`);
      interaction.comments = { ...interaction.comments, ...comments };
    }
    const text = normalizePactText(JSON.stringify(pact));
    const interactions = pact.interactions;
    const problems = interactions.flatMap((i) => checkInteractionAgainstSpec(i, harness.document, harness.validator));
    if (problems.length > 0) {
      throw new Error(
        `${name}: interactions break the spec:\n${problems.map((p) => `  ${p.scenario} ${p.pointer}: ${p.actual} (${p.expected})`).join("\n")}`,
      );
    }
    if (outDir === undefined) continue;
    const target = join(outDir, name);
    const temporary = `${target}.${process.pid}.tmp`;
    await writeFile(temporary, text);
    await rename(temporary, target);
    written.push(target);
  }
  await rm(harness.scratchDir, { recursive: true, force: true });
  return written;
}
