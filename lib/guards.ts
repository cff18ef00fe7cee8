import type { WorldError } from "../provider/world.ts";
import type { SpecError } from "../spec/load-spec.ts";

/** The names of the library's own error classes, each its class's `name`. */
export type CmdbContractErrorName =
  | "SpecError"
  | "WorldError"
  | "PactLoadError"
  | "FixtureError"
  | "LiveConfigError"
  | "ProviderUnreachableError";

const NAMES: ReadonlySet<string> = new Set<CmdbContractErrorName>([
  "SpecError",
  "WorldError",
  "PactLoadError",
  "FixtureError",
  "LiveConfigError",
  "ProviderUnreachableError",
]);

/** One of the library's errors, as a guard sees it: an `Error` with one of {@link CmdbContractErrorName}. */
export interface CmdbContractError extends Error {
  name: CmdbContractErrorName;
}

/**
 * Whether a value is one of the library's errors (optionally the one named), by its shape rather than `instanceof`,
 * so it holds across two installed copies of the package.
 */
export function isCmdbContractError<N extends CmdbContractErrorName>(
  value: unknown,
  name?: N,
): value is CmdbContractError & { name: N } {
  return value instanceof Error && NAMES.has(value.name) && (name === undefined || value.name === name);
}

/** Whether a value is a {@link SpecError}: a spec that could not be loaded, with its `file` and `problems`. */
export function isSpecError(value: unknown): value is SpecError {
  return isCmdbContractError(value, "SpecError") && Array.isArray((value as { problems?: unknown }).problems);
}

/** Whether a value is a `WorldError`: a world that is invalid, with its `source` and `problems` (JSON pointers). */
export function isWorldError(value: unknown): value is WorldError {
  return isCmdbContractError(value, "WorldError") && Array.isArray((value as { problems?: unknown }).problems);
}
