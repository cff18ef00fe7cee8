import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { OpenApiDocument } from "../../spec/load-spec.ts";
import type { Route } from "../../spec/operations.ts";
import type { SchemaValidator } from "../../spec/schema-validator.ts";
import { checkInteractionAgainstSpec, PACTS_DIR, type PactInteraction, ruleOf } from "../shared/pact-format.ts";
import type { CheckResult } from "./report.ts";

/** A pact: where it came from (a file path, or its URL on a Pact Broker) and its parsed contents. */
export interface PactFile {
  file: string;
  consumer: string;
  provider: string;
  interactions: PactInteraction[];
  /** Set for a pact a Pact Broker selected: the consumer version it belongs to and whether it is pending. */
  broker?: { consumerVersion: string | undefined; pending: boolean };
}

/** A pact file that cannot be read or parsed; `verify` exits 2 on it. */
export class PactLoadError extends Error {
  override readonly name = "PactLoadError";
}

/**
 * Loads every `*.json` pact of a folder, sorted by file name.
 * @throws PactLoadError naming the file when one is unreadable, not JSON or not a pact, or when there is none.
 */
export async function loadPacts(dir: string = PACTS_DIR): Promise<PactFile[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((f) => f.endsWith(".json")).sort();
  } catch (error) {
    throw new PactLoadError(`${dir}: cannot read the pact folder (${(error as Error).message})`);
  }
  if (names.length === 0) throw new PactLoadError(`${dir}: no pact files (*.json)`);
  const pacts: PactFile[] = [];
  for (const name of names) {
    const file = join(dir, name);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, "utf8"));
    } catch (error) {
      throw new PactLoadError(`${file}: not a readable JSON pact (${(error as Error).message})`);
    }
    pacts.push(parsePact(file, parsed));
  }
  return pacts;
}

/** The provider name of the API gateway route's pacts (`contracts/pacts/*-bk-cmdb-apigw.json`). */
export const APIGW_PROVIDER = "bk-cmdb-apigw";

/** The pacts the ESB route verifies: every pact but those of the API gateway route's provider. */
export function selectEsbPacts(pacts: readonly PactFile[]): PactFile[] {
  return pacts.filter((pact) => pact.provider !== APIGW_PROVIDER);
}

/**
 * The pacts of a route: on the gateway route those of {@link APIGW_PROVIDER}; on the ESB route every other pact
 * (`bk-cmdb`, or a provider a team named itself). `where` names the folder in the error.
 * @throws PactLoadError when there is none for the route.
 */
export function selectPactsOfRoute(pacts: readonly PactFile[], route: Route, where: string): PactFile[] {
  const selected = route === "apigw" ? pacts.filter((p) => p.provider === APIGW_PROVIDER) : selectEsbPacts(pacts);
  if (selected.length === 0) {
    const found = [...new Set(pacts.map((p) => p.provider))].sort().join(", ");
    const wanted =
      route === "apigw" ? `of provider "${APIGW_PROVIDER}"` : `of a provider other than "${APIGW_PROVIDER}"`;
    throw new PactLoadError(
      `${where}: no pact ${wanted} (the --route ${route} pacts); the folder has pacts of: ${found}`,
    );
  }
  return selected;
}

/**
 * Checks that parsed JSON is an HTTP pact (consumer and provider names, interactions with a description and a
 * request path) and answers it; `file` names it in errors (a path or a URL).
 * @throws PactLoadError naming the file and the JSON pointer of the first problem.
 */
export function parsePact(file: string, json: unknown): PactFile {
  const parsed = (json !== null && typeof json === "object" ? json : {}) as Record<string, unknown>;
  const interactions = parsed.interactions;
  const consumer = (parsed.consumer as { name?: unknown } | undefined)?.name;
  const provider = (parsed.provider as { name?: unknown } | undefined)?.name;
  if (!Array.isArray(interactions) || typeof consumer !== "string" || typeof provider !== "string") {
    throw new PactLoadError(`${file}: not a pact (consumer.name, provider.name and interactions are required)`);
  }
  interactions.forEach((i: Partial<PactInteraction>, n) => {
    if (typeof i?.description !== "string" || typeof i.request?.path !== "string") {
      throw new PactLoadError(`${file}#/interactions/${n}: an HTTP interaction needs a description and a request path`);
    }
  });
  return { file, consumer, provider, interactions: interactions as PactInteraction[] };
}

/**
 * Validates each interaction's request and response bodies against the schemas the spec gives its route, so a pact
 * cannot drift from the spec; a deliberate request violation must be declared (see {@link BREAKS_COMMENT}).
 */
export function checkPactsAgainstSpec(
  pacts: readonly PactFile[],
  document: OpenApiDocument,
  validator: SchemaValidator,
): CheckResult[] {
  return pacts.flatMap((pact) =>
    pact.interactions.map((interaction): CheckResult => {
      const failures = checkInteractionAgainstSpec(interaction, document, validator);
      return { source: "spec", name: interaction.description, rule: ruleOf(interaction), failures };
    }),
  );
}
