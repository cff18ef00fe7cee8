import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MatchersV3, PactV4 } from "@pact-foundation/pact";
import { createCmdbClient } from "../../generated/index.ts";
import { escapePointer, loadSpec, type OpenApiDocument, resolvePointer } from "../../spec/load-spec.ts";
import { type OperationId, type OperationRoute, type Route, readOperationRoutes } from "../../spec/operations.ts";
import { createSchemaValidator, loadWorldSchema, type SchemaValidator } from "../../spec/schema-validator.ts";
import { CANARY_SECRET } from "../shared/canary.ts";
import { checkInteractionAgainstSpec, normalizePactText, type PactInteraction } from "../shared/pact-format.ts";
import { defaultAuth, loadWorlds, type World } from "../shared/worlds.ts";
import { matchersFromSchema } from "./schema-matchers.ts";

// pact-js does not export its builder types; they are read off the interaction builder.
type Interaction = ReturnType<PactV4["addInteraction"]>;
type RequestBuilderFunc = NonNullable<Parameters<Interaction["withRequest"]>[2]>;
type ResponseBuilderFunc = NonNullable<Parameters<ReturnType<Interaction["withRequest"]>["willRespondWith"]>[1]>;

/** The consumer name of our pacts. */
export const CONSUMER = "cmdb-contract-consumer";
/** The provider name of the pact of each route: `bk-cmdb` (ESB) and `bk-cmdb-apigw` (the API gateway). */
export const PROVIDERS: Readonly<Record<Route, string>> = { esb: "bk-cmdb", apigw: "bk-cmdb-apigw" };
/** The provider name of the ESB pact. */
export const PROVIDER = PROVIDERS.esb;

/**
 * The secret the consumer tests give the generated client. It must never reach a pact file, a report or a log:
 * the pacts record the world's fixture secret as the example, and a check fails if this value appears anywhere.
 */
export { CANARY_SECRET };

/**
 * Everything a consumer test needs: the route its pact is for, the spec, its validator, the fixture worlds and a
 * Pact writing to a scratch folder.
 */
export interface PactHarness {
  route: Route;
  document: OpenApiDocument;
  validator: SchemaValidator;
  worlds: Map<string, World>;
  pact: PactV4;
  scratchDir: string;
  /** The method and path of each operation on this route, as the spec writes them. */
  routes: Record<OperationId, OperationRoute>;
  /** The comments of each interaction by its description, written into the pact by {@link publishPacts}. */
  comments: Map<string, Record<string, string>>;
}

/**
 * Sets up a consumer test run of one route; the pact is written to a fresh scratch folder so no stale interaction
 * survives.
 */
export async function createHarness(route: Route = "esb"): Promise<PactHarness> {
  const spec = await loadSpec();
  const validator = createSchemaValidator(spec.document, await loadWorldSchema());
  const scratchDir = await mkdtemp(join(tmpdir(), "cmdb-pact-"));
  const pact = new PactV4({ consumer: CONSUMER, provider: PROVIDERS[route], dir: scratchDir, logLevel: "error" });
  return {
    route,
    document: spec.document,
    validator,
    worlds: await loadWorlds(),
    pact,
    scratchDir,
    routes: readOperationRoutes(spec.document, route),
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

/**
 * The generated client on the harness's route pointed at the Pact mock server, with the canary secret; on the
 * gateway route the mock server stands for the stage URL (`stage: null`), so the pact's paths are stage-relative.
 */
export function clientFor(
  harness: PactHarness,
  world: World,
  url: string,
  auth: Record<string, string | undefined> = {},
) {
  const base = defaultAuth(world);
  return createCmdbClient({
    baseUrl: url,
    route: harness.route,
    stage: null,
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
 * The request the pact records, as the arguments of `withRequest`: the method and path of the operation on the
 * harness's route, and a builder setting the headers and the body in matchers from the operation's request schema.
 * The world's auth is the example (the client sends the canary secret, which the matchers accept): in the body on
 * the ESB route; on the gateway route in the `X-Bkapi-Authorization` header, matched by a pattern that fixes the
 * app and the user and accepts any secret (cmdb-semantics §5), with path parameters taken out of the body.
 */
export function requestOf(
  harness: PactHarness,
  operation: OperationId,
  world: World,
  params: Record<string, unknown>,
  auth: Record<string, string> = {},
): [method: string, path: string, build: RequestBuilderFunc] {
  const { method, path } = harness.routes[operation];
  const example = { ...defaultAuth(world), ...auth };
  const pointer = schemaPointer(harness, operation, "request");
  if (harness.route === "esb") {
    const body = matchersFromSchema(harness.document, harness.validator, pointer, { ...params, ...example });
    return [method.toUpperCase(), path, (b) => void b.headers(JSON_HEADERS).jsonBody(body)];
  }
  const rest: Record<string, unknown> = { ...params };
  const filled = path.replace(/{(\w+)}/g, (_, name: string) => {
    const value = String(rest[name]);
    delete rest[name];
    return value;
  });
  const body = matchersFromSchema(harness.document, harness.validator, pointer, rest);
  const headers = { ...JSON_HEADERS, "X-Bkapi-Authorization": authorizationMatcher(example) };
  return [method.toUpperCase(), filled, (b) => void b.headers(headers).jsonBody(body)];
}

const JSON_HEADERS = { "Content-Type": "application/json" };

/**
 * The `X-Bkapi-Authorization` header as the generated client writes it (`JSON.stringify` of its auth: app code,
 * secret, user), with the world's auth as the example. Pact splits a header's value at commas (as it does for
 * `Accept`), so the JSON object is recorded as its comma-separated parts: the app code and the user exact, the secret
 * by pattern. A verifier sends the parts back joined with commas, which is the same JSON.
 */
function authorizationMatcher(example: Record<string, string>) {
  return JSON.stringify(example)
    .split(",")
    .map((part) => (part.startsWith('"bk_app_secret":') ? MatchersV3.regex('^"bk_app_secret":"[^",]*"$', part) : part));
}

/**
 * The response the pact records, as the builder of `willRespondWith`: the body, and on the gateway route the
 * `X-Bkapi-Request-Id` header the gateway adds to every answer (any non-blank value).
 */
export function responseOf(harness: PactHarness, body: unknown): ResponseBuilderFunc {
  return (b) => {
    if (harness.route === "apigw") {
      b.headers({ "X-Bkapi-Request-Id": MatchersV3.regex("^\\S+$", "5f3c9a2e-7b1d-4e8a-9c6f-0d2b4a6e8f10") });
    }
    b.jsonBody(body);
  };
}

/**
 * The response body the pact records, in matchers from the schema of the operation's response of that status (200
 * unless said); `exact` pointers are literal.
 */
export function responseBody(
  harness: PactHarness,
  operation: OperationId,
  example: Record<string, unknown>,
  exact: readonly string[] = [],
  status = 200,
): unknown {
  return matchersFromSchema(harness.document, harness.validator, schemaPointer(harness, operation, status), example, {
    exact,
  });
}

/**
 * A success envelope around `data`, as every operation answers it on the harness's route: the ESB envelope, or
 * CMDB's native one on the gateway route (cmdb-semantics §4.1, §4.2).
 */
export function successEnvelope(harness: PactHarness, data: unknown): Record<string, unknown> {
  if (harness.route === "apigw") {
    return { result: true, bk_error_code: 0, bk_error_msg: "success", permission: null, data };
  }
  return {
    result: true,
    code: 0,
    message: "success",
    permission: null,
    request_id: "0123456789abcdef0123456789abcdef",
    data,
  };
}

/** The success response of an operation around `data`, as `willRespondWith(200, …)` takes it. */
export function successResponse(
  harness: PactHarness,
  operation: OperationId,
  data: unknown,
  exact: readonly string[] = [],
): ReturnType<typeof responseOf> {
  return responseOf(harness, responseBody(harness, operation, successEnvelope(harness, data), exact));
}

/**
 * A failure envelope with a code and a message on the harness's route. A 9900403 denial in the native envelope has
 * no `data` key (cmdb-semantics §4.1).
 */
export function failureEnvelope(
  harness: PactHarness,
  code: number,
  message: string,
  permission: unknown = null,
): Record<string, unknown> {
  if (harness.route === "apigw") {
    const body = { result: false, bk_error_code: code, bk_error_msg: message, permission };
    return code === 9900403 ? body : { ...body, data: null };
  }
  return { result: false, code, message, permission, request_id: "0123456789abcdef0123456789abcdef", data: null };
}

/** The JSON pointer of the error code in the envelope of the harness's route, which the pact fixes exactly. */
export function codePointer(harness: PactHarness): string {
  return harness.route === "apigw" ? "/bk_error_code" : "/code";
}

function schemaPointer(harness: PactHarness, operation: OperationId, part: "request" | number): string {
  const { method, path } = harness.routes[operation];
  const base = `#/paths/${escapePointer(path)}/${method}`;
  if (part === "request") return `${base}/requestBody/content/application~1json/schema`;
  // The gateway's own errors are $refs to components/responses, shared by the gateway operations.
  const response = resolvePointer(harness.document, `${base.slice(1)}/responses/${part}`) as { $ref?: string };
  return `${response.$ref ?? `${base}/responses/${part}`}/content/application~1json/schema`;
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
