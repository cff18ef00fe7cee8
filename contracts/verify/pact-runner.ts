import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type PactInteraction, ruleOf } from "../shared/pact-format.ts";
import { type BrokerOptions, brokerAuthEnv, PENDING_NOTE, pactCliBin, pactToolEnv } from "./broker.ts";
import { setUpState } from "./fixtures.ts";
import type { PactFile } from "./pacts.ts";
import type { CheckFailure, CheckResult } from "./report.ts";
import { withReproduction } from "./report.ts";
import { GATEWAY_AUTH_HEADER } from "./route.ts";
import { formatCurl } from "./secrets.ts";
import type { ProviderSession } from "./session.ts";
import { showValue } from "./values.ts";

// Pact's official standalone verifier (pact_verifier_cli), through the bin its package publishes.
const VERIFIER = pactCliBin("pact-verifier");
const STATE_PATH = "/_verify/state";

/** One provider state of an interaction. */
type PactProviderState = NonNullable<PactInteraction["providerStates"]>[number];

/** What the recording proxy saw for one request of the Pact verifier. */
interface ProxiedExchange {
  state: string | undefined;
  path: string;
  body: unknown;
  failures: CheckFailure[];
  /** False when the provider gave no usable answer and the proxy answered the verifier 502 in its place. */
  answered: boolean;
  /** True when the API gateway answered in CMDB's place (a `GatewayError`). */
  gatewayAnswered: boolean;
}

/**
 * Runs Pact's official standalone verifier (`pact-verifier` of @pact-foundation/pact-cli, in its own process so its
 * console output stays out of the report) over the pact files, or over the pacts a Pact Broker selects (then the
 * verifier fetches them itself and publishes the results when asked), through a loopback proxy that applies the
 * session's timeout and size limits and checks the envelope of every response. Answers one check per interaction;
 * the checks of a pending pact are marked pending.
 */
export async function runPactVerifier(
  session: ProviderSession,
  pacts: readonly PactFile[],
  broker?: BrokerOptions,
): Promise<CheckResult[]> {
  if (pacts.length === 0) return [];
  // The native verifier retries a failing state change for about a second per interaction; when the provider
  // cannot even take the first state, every interaction is reported as not verified instead.
  const first = pacts[0]?.interactions[0]?.providerStates?.[0];
  if (first !== undefined) {
    const preflight = await setUpState(session, first.name, "business-rules", first.params?.world);
    if (preflight !== undefined) {
      return pacts.flatMap((pact) =>
        pact.interactions.map((interaction): CheckResult => {
          const pending = pact.broker?.pending ? { pending: PENDING_NOTE } : {};
          const rule = ruleOf(interaction);
          const name = interaction.description;
          const failure: CheckFailure = {
            ...preflight,
            rule: preflight.rule === "envelope" ? "envelope" : rule,
            scenario: `pact interaction "${name}"`,
            actual: preflight.actual.startsWith("not run") ? preflight.actual : `not verified: ${preflight.actual}`,
          };
          return { source: "pact", name, rule, failures: [failure], ...pending };
        }),
      );
    }
  }
  const seen: ProxiedExchange[] = [];
  const proxy = await startRecordingProxy(session, seen);
  let outcome: VerifierOutcome;
  try {
    const { port } = new URL(proxy.url);
    outcome = await runVerifier(
      [
        ...(broker ? brokerArgs(broker) : pacts.flatMap((p) => ["--file", p.file])),
        ["--hostname", "127.0.0.1"],
        ["--port", port],
        ["--state-change-url", `${proxy.url}${STATE_PATH}`],
        "--state-change-teardown",
        ["--request-timeout", String(session.target.limits.timeoutMs * 2)],
        // Its log would quote request bodies; the JSON report is all that is read.
        ["--loglevel", "none"],
        "--no-colour",
      ].flat(),
      // The child is ended if it outlives every interaction's worst case (state setup with its retries, request).
      (session.target.limits.timeoutMs * 3 + 2_000) * (pacts.reduce((n, p) => n + p.interactions.length, 0) + 2),
      brokerAuthEnv(broker?.auth),
    );
  } finally {
    await new Promise<void>((resolve) => proxy.server.close(() => resolve()));
    proxy.server.closeAllConnections();
  }
  return pacts.flatMap((pact) =>
    pact.interactions.map((interaction) => {
      const check = toCheck(session, interaction, outcome, seen);
      return pact.broker?.pending ? { ...check, pending: PENDING_NOTE } : check;
    }),
  );
}

/** The verifier's options for a broker: what to select, and what to publish. Credentials go by environment only. */
function brokerArgs(broker: BrokerOptions): string[] {
  return [
    ["--broker-url", broker.url],
    ["--provider-name", broker.providerName],
    ...broker.consumerVersionSelectors.map((s) => ["--consumer-version-selectors", JSON.stringify(s)]),
    broker.providerVersion !== undefined ? ["--provider-version", broker.providerVersion] : [],
    broker.providerBranch !== undefined ? ["--provider-branch", broker.providerBranch] : [],
    broker.publishVerificationResults ? ["--publish"] : [],
    broker.enablePending ? ["--enable-pending"] : [],
  ].flat();
}

function toCheck(
  session: ProviderSession,
  interaction: PactInteraction,
  outcome: VerifierOutcome,
  seen: readonly ProxiedExchange[],
): CheckResult {
  const rule = ruleOf(interaction);
  const name = interaction.description;
  const title = `pact interaction "${name}"`;
  const providerState = interaction.providerStates?.[0];
  const state = providerState?.name;
  const body = interaction.request.body?.content;
  const curl = session.door.curlOf(
    {
      method: interaction.request.method.toUpperCase() === "DELETE" ? "DELETE" : "POST",
      url: session.door.urlOfPactPath(session.target.providerUrl, interaction.request.path),
      headers: credentialHeaderOf(interaction.request.headers),
      body,
    },
    providerState?.params?.world,
  );
  const setup = providerState ? setupCurlOf(session, providerState) : undefined;
  const bodyKey = JSON.stringify(body);
  const exchanges = seen.filter(
    (e) => e.state === state && e.path === interaction.request.path && JSON.stringify(e.body) === bodyKey,
  );
  // When the provider gave no answer, the verifier compared the proxy's stand-in 502: its mismatches describe the
  // proxy, not the provider, and the exchange's own (transport) failure already says what happened.
  const unanswered = exchanges.some((e) => !e.answered);
  // An interaction may expect the gateway's own answer (a wrong secret: 400 1640001); Pact's matching then judges it.
  // Otherwise a gateway answer is the exchange's gateway failure, and the verifier's mismatches would only describe
  // the gateway's body as if it were CMDB's.
  const content = interaction.response.body?.content as Record<string, unknown> | undefined;
  const expectsGateway = interaction.response.status !== 200 && typeof content?.code_name === "string";
  const gatewayInstead = !expectsGateway && exchanges.some((e) => e.gatewayAnswered);
  const failures: CheckFailure[] = [];
  if (outcome.kind === "crashed") {
    failures.push({
      rule,
      scenario: title,
      pointer: "(pact verifier)",
      expected: "a verification result",
      actual: outcome.reason,
    });
  } else if (!unanswered && !gatewayInstead) {
    for (const m of outcome.mismatches.get(interaction.description) ?? []) {
      failures.push({
        // The status and the content type are envelope rules whatever the interaction is about.
        rule: m.type === "StatusMismatch" || m.type === "HeaderMismatch" ? "envelope" : rule,
        scenario: title,
        pointer:
          m.path ??
          (m.type === "StatusMismatch" ? "HTTP status" : m.type === "HeaderMismatch" ? "headers" : "(request)"),
        expected: m.expected === undefined ? "a matching response" : showValue(m.expected),
        actual:
          m.actual === undefined
            ? (m.mismatch ?? m.message ?? m.type)
            : `${showValue(m.actual)} (${m.mismatch ?? m.type})`,
        curl,
        ...(state !== undefined ? { state } : {}),
      });
    }
    if (!outcome.seenDescriptions.has(interaction.description)) {
      failures.push({
        rule,
        scenario: title,
        pointer: "(pact verifier)",
        expected: "the interaction to be verified",
        actual: "the verifier reported no result for it",
      });
    }
  }
  for (const exchange of exchanges) {
    const own = expectsGateway ? exchange.failures.filter((f) => f.rule !== "gateway") : exchange.failures;
    failures.push(...own.map((f) => ({ ...f, scenario: title, ...(state ? { state } : {}) })));
  }
  // A failure with a request is tied to this interaction alone: its provider state is the setup to send first.
  const reproducible = failures.map((f) => (f.curl !== undefined ? withReproduction(f, setup) : f));
  return { source: "pact", name, rule, failures: dedupe(reproducible) };
}

/**
 * The `setup` line of an interaction: the state-setup body the Pact verifier sends for its provider state
 * (`providerStatesSetupBody`), to the run's state-setup URL; undefined without one.
 */
function setupCurlOf(session: ProviderSession, providerState: PactProviderState): string | undefined {
  const url = session.target.stateSetupUrl;
  if (url === undefined) return undefined;
  const body = { state: providerState.name, params: providerState.params ?? {}, action: "setup" };
  return formatCurl(url, body, providerState.params?.world);
}

function dedupe(failures: CheckFailure[]): CheckFailure[] {
  const keys = new Set<string>();
  return failures.filter((f) => {
    const key = JSON.stringify(f);
    if (keys.has(key)) return false;
    keys.add(key);
    return true;
  });
}

/** The gateway credential header of a request (a pact's, or the verifier's as the proxy receives it), if any. */
function credentialHeaderOf(headers: Record<string, unknown> | undefined): Record<string, string> {
  const entry = Object.entries(headers ?? {}).find(
    ([name]) => name.toLowerCase() === GATEWAY_AUTH_HEADER.toLowerCase(),
  );
  // A pact holds the value split at its commas (Pact's header parsing); the request sends it whole.
  const value = Array.isArray(entry?.[1]) ? entry[1].join(",") : entry?.[1];
  return typeof value === "string" ? { [GATEWAY_AUTH_HEADER]: value } : {};
}

async function startRecordingProxy(
  session: ProviderSession,
  seen: ProxiedExchange[],
): Promise<{ server: Server; url: string }> {
  let currentState: string | undefined;
  // The envelope failures of the requests that follow name the world's secrets as the setup line does.
  let currentWorld: unknown;
  const server = createServer((req, res) => {
    readRequest(req, session.target.limits.maxResponseBytes).then(
      async (text) => {
        let body: unknown = text;
        try {
          body = text === "" ? undefined : JSON.parse(text);
        } catch {
          // Forwarded as the string it is; the provider's answer to it is checked like any other.
        }
        const path = (req.url ?? "/").split("?")[0] ?? "/";
        if (path === STATE_PATH) {
          const setup = body as { state?: string; action?: string; params?: { world?: unknown } } | undefined;
          if (setup?.action !== "teardown") currentState = setup?.state;
          currentWorld = setup?.action === "teardown" ? undefined : setup?.params?.world;
          const exchange = await session.relayState(body);
          if (exchange.ok) {
            res.writeHead(exchange.status, { "content-type": exchange.contentType || "application/json" });
            res.end(exchange.text);
          } else {
            res.writeHead(502, { "content-type": "text/plain" });
            res.end(`state setup failed: ${exchange.reason}`);
          }
          return;
        }
        const operation = session.door.operationOfPath(path);
        const instances = (body as { instances?: unknown } | undefined)?.instances;
        const context =
          operation === "createServiceInstance" && Array.isArray(instances)
            ? { createdInstances: instances.length }
            : {};
        // Forwarded as the verifier sent it (on the gateway route: its credential header, under the stage).
        const call = await session.relay(
          {
            method: req.method === "DELETE" ? "DELETE" : "POST",
            path,
            headers: credentialHeaderOf(req.headers),
            body,
          },
          `pact (given ${currentState ?? "no state"})${operation ? ` (${operation})` : ""}`,
          context,
          currentWorld as Record<string, unknown> | undefined,
        );
        // A path no operation has is the pact's own problem: the verifier's mismatches say so.
        const failures = operation ? call.failures : [];
        const gatewayAnswered = call.answer.gateway !== undefined;
        seen.push({ state: currentState, path, body, failures, answered: call.exchange.ok, gatewayAnswered });
        const exchange = call.exchange;
        if (exchange.ok) {
          // The request ID headers are part of what a pact may pin (the gateway's, on every gateway answer).
          const ids = ["x-bkapi-request-id", "x-request-id"].filter((name) => exchange.headers[name] !== undefined);
          res.writeHead(exchange.status, {
            "content-type": exchange.contentType || "application/octet-stream",
            ...Object.fromEntries(ids.map((name) => [name, exchange.headers[name] as string])),
          });
          res.end(exchange.text);
        } else {
          // The verifier sees a failed request; the reason is reported by the envelope check of this exchange.
          res.writeHead(502, { "content-type": "text/plain" });
          res.end(`cmdb-contract verify: ${exchange.reason}`);
        }
      },
      () => {
        res.writeHead(413, { "content-type": "text/plain" });
        res.end("request body too large");
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}

function readRequest(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error("too large"));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** One mismatch as the native verifier's JSON reports it. */
interface VerifierMismatch {
  type: string;
  path?: string;
  expected?: unknown;
  actual?: unknown;
  mismatch?: string;
  message?: string;
}

type VerifierOutcome =
  | { kind: "ran"; mismatches: Map<string, VerifierMismatch[]>; seenDescriptions: Set<string> }
  | { kind: "crashed"; reason: string };

/**
 * Runs the standalone verifier with its output dropped (it can quote request bodies) and reads its JSON report;
 * a verifier that outlives `limitMs` is killed and reported as crashed.
 */
async function runVerifier(args: string[], limitMs: number, env: Record<string, string>): Promise<VerifierOutcome> {
  const dir = await mkdtemp(join(tmpdir(), "cmdb-verify-pact-"));
  const report = join(dir, "report.json");
  try {
    const exit = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, [VERIFIER, ...args, "--json", report], {
        env: pactToolEnv(env),
        stdio: "ignore",
      });
      const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        resolve(String(code ?? signal));
      });
    });
    const text = await readFile(report, "utf8").catch(() => undefined);
    if (text === undefined)
      return { kind: "crashed", reason: `the Pact verifier ended without a report (exit ${exit})` };
    return parseVerifierResult(text);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Turns the verifier's JSON report (`--json`) into mismatches per interaction description. */
export function parseVerifierResult(text: string): VerifierOutcome {
  type VerifierError = {
    interaction?: string;
    mismatch?: { type?: string; message?: string; mismatches?: VerifierMismatch[] };
  };
  let results: {
    errors?: VerifierError[];
    pendingErrors?: VerifierError[];
    interactionResults?: { description?: string }[];
  };
  try {
    results = JSON.parse(text) as typeof results;
  } catch {
    return { kind: "crashed", reason: "the Pact verifier's report is not JSON (it could not run)" };
  }
  const seenDescriptions = new Set((results.interactionResults ?? []).map((r) => r.description ?? ""));
  const mismatches = new Map<string, VerifierMismatch[]>();
  // A pending pact's failures are listed apart; they are failures of their checks all the same (marked pending).
  for (const error of [...(results.errors ?? []), ...(results.pendingErrors ?? [])]) {
    const title = error.interaction ?? "";
    const description = [...seenDescriptions].find((d) => title.endsWith(` - ${d}`)) ?? title;
    const list = error.mismatch?.mismatches ?? [
      { type: error.mismatch?.type ?? "error", message: error.mismatch?.message ?? "the request failed" },
    ];
    mismatches.set(description, [...(mismatches.get(description) ?? []), ...list]);
  }
  return { kind: "ran", mismatches, seenDescriptions };
}
