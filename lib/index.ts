/**
 * The public API of `cmdb-contract` (`import … from "cmdb-contract"`): the reference CMDB, the verify engine the
 * command uses, the generator, the paths of the shipped spec and world schema, and the library's error classes with
 * structural guards. The README's "Library" section has an example of each.
 */
export { type GenerateOptions, type GenerateResult, generate } from "../cli/generate.ts";
export {
  type CheckFailure,
  type CheckResult,
  countReport,
  exitCodeOf,
  FixtureError,
  type HttpLimits,
  type LiveConfig,
  LiveConfigError,
  loadLiveConfig,
  PactLoadError,
  ProviderUnreachableError,
  type Route,
  type RuleGroup,
  SKIP_NAMES,
  type SkipName,
  type VerifyOptions,
  type VerifyReport,
  verify,
} from "../contracts/verify/index.ts";
export { FAULT_NAMES, type FaultName } from "../provider/faults.ts";
export { type RunningReferenceCmdb, type StartReferenceCmdbOptions, startReferenceCmdb } from "../provider/server.ts";
export { loadWorldFile, parseWorld, type World, WorldError, type WorldProblem } from "../provider/world.ts";
export {
  SPEC_PATH as specPath,
  SpecError,
  type SpecProblem,
  WORLD_SCHEMA_PATH as worldSchemaPath,
} from "../spec/load-spec.ts";
export {
  type CmdbContractError,
  type CmdbContractErrorName,
  isCmdbContractError,
  isSpecError,
  isWorldError,
} from "./guards.ts";
