// The Pact Broker options of `verify`, and the credentials both broker commands read from the environment.
import type { VerifyOptions } from "../contracts/verify/index.ts";
import { DEFAULT_CONSUMER_VERSION_SELECTORS } from "../contracts/verify/index.ts";
import { UsageError } from "./io.ts";

/** The provider name of the committed pacts (the ESB route); `--provider-name` changes it. */
export const DEFAULT_PROVIDER_NAME = "bk-cmdb";

/** The option definitions `verify` adds for a Pact Broker (node:util parseArgs). */
export const BROKER_VERIFY_OPTIONS = {
  "pact-broker-url": { type: "string" },
  "provider-name": { type: "string" },
  "consumer-version-selectors": { type: "string" },
  "provider-version": { type: "string" },
  "provider-branch": { type: "string" },
  "publish-verification-results": { type: "boolean" },
  "enable-pending": { type: "boolean" },
} as const;

/** The help lines of those options. */
export const BROKER_VERIFY_HELP = `Pact Broker (self-hosted or PactFlow; Pact's official verifier fetches, verifies and publishes):
  --pact-broker-url URL    verify the pacts the broker selects instead of --pacts; they are spec-validated and
                           envelope-checked like local ones (credentials: $PACT_BROKER_TOKEN, or
                           $PACT_BROKER_USERNAME and $PACT_BROKER_PASSWORD; never printed)
  --provider-name NAME     the provider the pacts name (default ${DEFAULT_PROVIDER_NAME}; ${DEFAULT_PROVIDER_NAME}-apigw with --route apigw)
  --consumer-version-selectors JSON
                           a JSON array of selectors (or one selector object), default
                           ${JSON.stringify(DEFAULT_CONSUMER_VERSION_SELECTORS)}
  --provider-version V     the provider version verified (required with --publish-verification-results)
  --provider-branch B      the provider's branch, recorded with its version
  --publish-verification-results
                           publish the verdict to the broker (do it from CI on your main branch)
  --enable-pending         pending pacts (new ones the provider never verified) are verified, but their
                           failures do not fail the run; the summary counts them as pending (off by default)
`;

/** Reads the broker credentials from the environment: a token, or a user name with its password. */
export function brokerAuthFromEnv(
  env: NodeJS.ProcessEnv,
): { token: string } | { username: string; password: string } | undefined {
  const token = env.PACT_BROKER_TOKEN;
  if (token) return { token };
  const username = env.PACT_BROKER_USERNAME;
  const password = env.PACT_BROKER_PASSWORD;
  if (username && password) return { username, password };
  if (username || password) {
    throw new UsageError("PACT_BROKER_USERNAME and PACT_BROKER_PASSWORD go together: one of them is not set");
  }
  return undefined;
}

/** Checks an option that must be an http(s) URL. */
export function checkUrl(option: string, url: string): void {
  if (!/^https?:\/\/[^/]+/.test(url)) throw new UsageError(`--${option}: "${url}" is not an http(s) URL`);
}

type BrokerValues = {
  [K in keyof typeof BROKER_VERIFY_OPTIONS]?: (typeof BROKER_VERIFY_OPTIONS)[K] extends { type: "boolean" }
    ? boolean
    : string;
};

/**
 * Turns `verify`'s broker options into the engine's, or undefined without `--pact-broker-url`.
 * @throws UsageError when a broker option comes without the URL, the selectors are not JSON objects, or results
 * would be published without a provider version.
 */
export function parseBrokerOptions(
  values: BrokerValues,
  env: NodeJS.ProcessEnv,
  defaultProviderName: string = DEFAULT_PROVIDER_NAME,
): VerifyOptions["broker"] {
  const url = values["pact-broker-url"];
  if (url === undefined) {
    const given = Object.keys(BROKER_VERIFY_OPTIONS).find((k) => values[k as keyof BrokerValues] !== undefined);
    if (given !== undefined) throw new UsageError(`--${given} goes with --pact-broker-url`);
    return undefined;
  }
  checkUrl("pact-broker-url", url);
  const text = values["consumer-version-selectors"];
  let selectors: Record<string, unknown>[] = [...DEFAULT_CONSUMER_VERSION_SELECTORS];
  if (text !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`--consumer-version-selectors: not JSON (${(error as Error).message})`);
    }
    const list = Array.isArray(parsed) ? parsed : [parsed];
    list.forEach((s, n) => {
      if (s === null || typeof s !== "object" || Array.isArray(s) || Object.keys(s).length === 0) {
        throw new UsageError(
          `--consumer-version-selectors: /${n} must be a selector object such as {"mainBranch": true}`,
        );
      }
    });
    if (list.length === 0) throw new UsageError("--consumer-version-selectors: the list is empty");
    selectors = list as Record<string, unknown>[];
  }
  const publish = values["publish-verification-results"] === true;
  const version = values["provider-version"];
  if (publish && (version === undefined || version.trim() === "")) {
    throw new UsageError("--publish-verification-results needs --provider-version (e.g. your commit SHA)");
  }
  const auth = brokerAuthFromEnv(env);
  return {
    url,
    providerName: values["provider-name"] ?? defaultProviderName,
    consumerVersionSelectors: selectors,
    ...(version !== undefined ? { providerVersion: version } : {}),
    ...(values["provider-branch"] !== undefined ? { providerBranch: values["provider-branch"] } : {}),
    ...(publish ? { publishVerificationResults: true } : {}),
    ...(values["enable-pending"] ? { enablePending: true } : {}),
    ...(auth !== undefined ? { auth } : {}),
  };
}
