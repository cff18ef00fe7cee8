// Pacts from a Pact Broker. Verification and publication of results are the official verifier's job
// (pact-runner.ts passes these options to it); this file only reads the pacts the broker selects, through its HAL
// links, so that they are spec-validated and envelope-checked exactly like local ones.
import { createRequire } from "node:module";
import { isAbsolute, relative } from "node:path";
import { type PactFile, PactLoadError, parsePact } from "./pacts.ts";

/** The broker's recommended selectors: the consumers' main branch, and every deployed or released version. */
export const DEFAULT_CONSUMER_VERSION_SELECTORS: readonly Record<string, unknown>[] = [
  { mainBranch: true },
  { deployedOrReleased: true },
];

/** What a check of a pending pact says: Pact's pending pacts do not fail the provider's build. */
export const PENDING_NOTE = "pending pact: its failures do not fail the run (Pact's pending pacts, --enable-pending)";

/** How to reach a Pact Broker and what to ask it; the credentials never appear in any output. */
export interface BrokerOptions {
  /** The broker's base URL, e.g. https://broker.example.com (PactFlow: https://<team>.pactflow.io). */
  url: string;
  /** The provider whose pacts to verify, as the consumers' pacts name it. */
  providerName: string;
  /** Consumer version selectors (https://docs.pact.io/pact_broker/advanced_topics/consumer_version_selectors). */
  consumerVersionSelectors: readonly Record<string, unknown>[];
  /** The provider version being verified; required to publish results. */
  providerVersion?: string;
  /** The provider's branch, recorded with the provider version. */
  providerBranch?: string;
  /** Publish the verification results to the broker (the official verifier does it). */
  publishVerificationResults?: boolean;
  /** Ask for the pending status of each pact: a pending pact's failures do not fail the run. */
  enablePending?: boolean;
  /** A bearer token (PACT_BROKER_TOKEN), or a user name and password (PACT_BROKER_USERNAME/PASSWORD). */
  auth?: BrokerAuth;
}

/** The credentials of a Pact Broker: a bearer token, or a user name and password. */
export type BrokerAuth = { token: string } | { username: string; password: string };

/** The secret values of a broker's credentials, to redact from every output. */
export function brokerSecrets(auth: BrokerAuth | undefined): string[] {
  if (auth === undefined) return [];
  return "token" in auth
    ? [auth.token]
    : [auth.password, Buffer.from(`${auth.username}:${auth.password}`).toString("base64")];
}

/** The environment variables through which Pact's tools take the credentials (never their command line). */
export function brokerAuthEnv(auth: BrokerAuth | undefined): Record<string, string> {
  if (auth === undefined) return {};
  return "token" in auth
    ? { PACT_BROKER_TOKEN: auth.token }
    : { PACT_BROKER_USERNAME: auth.username, PACT_BROKER_PASSWORD: auth.password };
}

/** The path of a bin of Pact's official CLI package, @pact-foundation/pact-cli (run with `node`). */
export function pactCliBin(name: "pact-verifier" | "pact-broker"): string {
  return createRequire(import.meta.url).resolve(`@pact-foundation/pact-cli/bin/${name}.js`);
}

/**
 * The environment of a Pact tool: ours without the variables Pact's tools read as options (PACT_BROKER_*,
 * PACT_PROVIDER_*, …), so a CI job's broker settings cannot change a run that did not ask for them, plus `extra`.
 */
export function pactToolEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("PACT_")));
  return { ...env, ...extra, PACT_DO_NOT_TRACK: "true" };
}

/**
 * Reads the pacts the broker selects for the provider (the `pb:provider-pacts-for-verification` resource, with the
 * same selectors, branch and pending flag the verifier sends), each with its consumer version and pending status.
 * @throws PactLoadError naming the broker URL (never a credential) when the broker cannot be read or a pact is not one.
 */
export async function fetchBrokerPacts(broker: BrokerOptions, timeoutMs: number): Promise<PactFile[]> {
  const base = broker.url.replace(/\/+$/, "");
  const get = (url: string): Promise<unknown> => brokerRequest(broker, url, timeoutMs);
  const index = (await get(`${base}/`)) as HalResource;
  const template = index._links?.["pb:provider-pacts-for-verification"]?.href;
  if (typeof template !== "string") {
    throw new PactLoadError(
      `${base}: not a Pact Broker (its index has no pb:provider-pacts-for-verification link); is --pact-broker-url right?`,
    );
  }
  const url = template.replace("{provider}", encodeURIComponent(broker.providerName));
  const query = {
    consumerVersionSelectors: broker.consumerVersionSelectors,
    ...(broker.providerBranch !== undefined ? { providerVersionBranch: broker.providerBranch } : {}),
    includePendingStatus: broker.enablePending === true,
  };
  const selected = (await brokerRequest(broker, url, timeoutMs, query)) as {
    _embedded?: { pacts?: (HalResource & { verificationProperties?: { pending?: boolean } })[] };
  };
  const pacts: PactFile[] = [];
  for (const entry of selected._embedded?.pacts ?? []) {
    const href = entry._links?.self?.href;
    if (typeof href !== "string") throw new PactLoadError(`${url}: a selected pact has no self link`);
    const pact = parsePact(href, await get(href));
    const consumerVersion = /\/version\/([^/]+)/.exec(href)?.[1];
    pacts.push({
      ...pact,
      broker: {
        consumerVersion: consumerVersion === undefined ? undefined : decodeURIComponent(consumerVersion),
        pending: broker.enablePending === true && entry.verificationProperties?.pending === true,
      },
    });
  }
  if (pacts.length === 0) {
    throw new PactLoadError(
      `${base}: the broker selects no pacts for provider "${broker.providerName}" with the selectors ` +
        `${JSON.stringify(broker.consumerVersionSelectors)}`,
    );
  }
  return pacts;
}

/** Says where the pacts of a run came from, one line per pact, for the summary. */
export function describePactSources(pacts: readonly PactFile[], broker: BrokerOptions | undefined): string {
  if (broker === undefined) {
    const shown = pacts.map((p) =>
      isAbsolute(relative(process.cwd(), p.file)) ? p.file : relative(process.cwd(), p.file),
    );
    return `Pacts: ${shown.join(", ")} (local, no Pact Broker)`;
  }
  const lines = pacts.map((p) => {
    const version = p.broker?.consumerVersion !== undefined ? ` version ${p.broker.consumerVersion}` : "";
    return `  ${p.consumer}${version} -> ${p.provider}${p.broker?.pending ? " (pending)" : ""}`;
  });
  const publish = broker.publishVerificationResults
    ? `results published as ${broker.providerName} ${broker.providerVersion}` +
      (broker.providerBranch !== undefined ? ` on branch ${broker.providerBranch}` : "")
    : "results not published (--publish-verification-results publishes them)";
  return [
    `Pacts: ${pacts.length} from the Pact Broker at ${broker.url.replace(/\/+$/, "")}, selected by ` +
      `${JSON.stringify(broker.consumerVersionSelectors)}; ${publish}:`,
    ...lines,
  ].join("\n");
}

interface HalResource {
  _links?: Record<string, { href?: string } | undefined>;
}

async function brokerRequest(broker: BrokerOptions, url: string, timeoutMs: number, body?: unknown): Promise<unknown> {
  const auth = broker.auth;
  const headers: Record<string, string> = { accept: "application/hal+json, application/json" };
  if (auth !== undefined) {
    headers.authorization =
      "token" in auth
        ? `Bearer ${auth.token}`
        : `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`;
  }
  if (body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(url, {
      method: body === undefined ? "GET" : "POST",
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new PactLoadError(`${url}: cannot reach the Pact Broker (${cause})`);
  }
  if (response.status === 401 || response.status === 403) {
    throw new PactLoadError(
      `${url}: the Pact Broker answered HTTP ${response.status}; set PACT_BROKER_TOKEN, or PACT_BROKER_USERNAME and PACT_BROKER_PASSWORD`,
    );
  }
  if (!response.ok) throw new PactLoadError(`${url}: the Pact Broker answered HTTP ${response.status}`);
  try {
    return await response.json();
  } catch {
    throw new PactLoadError(`${url}: the Pact Broker's answer is not JSON`);
  }
}
