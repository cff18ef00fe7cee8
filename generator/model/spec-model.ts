// The types of the normalized model: what `buildModel` reads from the spec once, and every emitter renders.
import type { EnvelopeVariants, FieldRow, FieldTable } from "./schema-tables.ts";
import type { BilingualText } from "./text.ts";

export type { BilingualText } from "./text.ts";

/** One operation as the client emitter needs it: names derived once, schemas named, error codes listed. */
export interface OperationModel {
  /** The spec's `operationId`, which is also the client method name (`createServiceInstance`). */
  operationId: string;
  /** The HTTP method in lower case (`post`). */
  method: string;
  /** The route (`/api/c/compapi/v2/cc/create_service_instance/`). */
  path: string;
  /** The ESB API name, the last segment of the route (`create_service_instance`). */
  apiName: string;
  /** The JSON pointer of the operation in the spec, for error messages. */
  pointer: string;
  summary: BilingualText;
  description: BilingualText;
  /** The request body schema, common args included (`CreateServiceInstanceRequest`). */
  requestSchema: string;
  /** The `allOf` members of the request schema that are not the common args (`CreateServiceInstanceParams`). */
  paramsSchemas: string[];
  /** The success envelope schema (`result: true`) of the 200 response (`CreateServiceInstanceSuccess`). */
  successSchema: string;
  /** The codes of `x-cmdb-error-codes` that list this operation, ascending. */
  errorCodes: number[];
  /** The same operation on the API gateway route (`x-cmdb-operation` names this one), when the spec has it. */
  gateway: GatewayOperationModel | undefined;
}

/** An operation of the API gateway route (`x-cmdb-route: apigw`): the second route of an ESB operation. */
export interface GatewayOperationModel {
  /** The gateway operation's own `operationId` (`apigwCreateServiceInstance`). */
  operationId: string;
  /** CMDB's own method in lower case (`post`, `delete`). */
  method: string;
  /** The stage-relative path (`/api/v3/create/proc/service_instance`); `{name}` segments are request parameters. */
  path: string;
  /** The JSON pointer of the operation in the spec. */
  pointer: string;
  summary: BilingualText;
  description: BilingualText;
  /** The request body schema, without common args (`CreateServiceInstanceParams`). */
  requestSchema: string;
  /** The native success envelope schema (`NativeCreateServiceInstanceSuccess`). */
  successSchema: string;
}

/** One entry of `x-cmdb-error-codes`. */
export interface ErrorCodeModel {
  code: number;
  name: string;
  layer: string;
  /** `when` and `when_zh`. */
  when: BilingualText;
  /** What fills the message's `%s` / `%d`: `args` and `args_zh`. */
  args: BilingualText;
  /** `message_en` and `message_zh`, as CMDB writes them (spacing and all). */
  message: BilingualText;
  /** The operation IDs that can answer it, sorted. */
  operations: string[];
  /** The ESB API names (`create_service_instance`) of those operations, in the same order. */
  apis: string[];
}

/** One field of `x-cmdb-field-rules`: its type and limits as the process model checks them. */
export interface FieldRuleModel {
  field: string;
  /** The name CMDB puts in its error messages (the attribute's display name). */
  displayName: string;
  type: string;
  /** UTF-8 bytes of the trimmed value, for strings. */
  maxBytes?: number;
  minimum?: number;
  maximum?: number;
  required: boolean;
  /** A regular expression the (trimmed) value must match, or the values allowed. */
  pattern?: string;
}

/** `x-cmdb-field-rules`, as the docs render it. */
export interface FieldRulesModel {
  description: BilingualText;
  processFields: FieldRuleModel[];
  bindInfoFields: FieldRuleModel[];
}

/** The normalized model every emitter reads: the spec's operations, auth fields, error codes and docs, sorted. */
export interface SpecModel {
  title: string;
  /** The schema holding the ESB common args (`CommonArgs`), merged into every request body. */
  authSchema: string;
  /** The envelope schema the success envelopes extend (`Envelope`), whose `permission` errors carry. */
  envelopeSchema: string;
  /** The auth fields whose values are secrets and are redacted from every error. */
  secretFields: string[];
  /** Operations sorted by `operationId`. */
  operations: OperationModel[];
  /** Every error code, ascending and unique. */
  errorCodes: ErrorCodeModel[];
  /** `x-cmdb-inner-error-codes`: codes that reach a caller only as text inside another code's message. */
  innerErrorCodes: ErrorCodeModel[];
  /** `x-cmdb-field-rules`: what JSON Schema cannot say about `process_info` (byte limits, trimming, literals). */
  fieldRules: FieldRulesModel;
  /** What the docs show beyond the operations and codes. */
  docs: DocsModel;
}

/** One request or response example of an operation, as pretty-printed JSON. */
export interface ExampleDoc {
  name: string;
  /** `summary` and `x-summary-zh`; the English one falls back to the example's name. */
  summary: BilingualText;
  /** `description` and `x-description-zh`, both empty when the example has none. */
  description: BilingualText;
  json: string;
}

/** One step of `x-cmdb-validation-order`. */
export interface ValidationStepDoc {
  step: number;
  code: number;
  /** `when` and `when_zh`. */
  when: BilingualText;
}

/** One place where the real CMDB differs from its published API page (cmdb-semantics §1.4). */
export interface DifferenceDoc {
  /** A field path (`instances.processes`) or a short subject (`legacy flat fields`). */
  topic: string;
  /** The spec node it concerns (`#/components/schemas/…`). */
  pointer: string;
  published: BilingualText;
  actual: BilingualText;
}

/** One row of the worked lock example: a template field, the caller's value and what the CMDB stores. */
export interface WorkedRow {
  field: string;
  template: string;
  locked: boolean;
  caller: string;
  stored: string;
  /** What happened to the caller's value (cmdb-semantics §2.2). */
  outcome: WorkedOutcome;
}

/**
 * What the lock rules did with one caller value: `ignored` (locked), `taken` (unlocked), `cleared` (an unlocked
 * null), `dropped` (a bind row whose `template_row_id` matches no template row), `kept` (nothing sent: the template
 * value stays).
 */
export type WorkedOutcome = "ignored" | "taken" | "cleared" | "dropped" | "kept";

/** The worked example of the lock rules, assembled from the spec's examples by process template ID. */
export interface WorkedExample {
  processTemplateId: number;
  template: ExampleDoc;
  request: ExampleDoc;
  stored: ExampleDoc;
  rows: WorkedRow[];
}

/** `x-cmdb-template-lock` as the docs show it. */
export interface LockDoc {
  description: BilingualText;
  lockableFields: { field: string; type: string; alwaysLocked: boolean }[];
  /** The remaining rule data, flattened to dotted keys (`caller_value.locked` → `ignore`). */
  rules: { key: string; value: string }[];
  worked: WorkedExample | undefined;
}

/** One operation's page: the operation and what its page shows beyond it. */
export interface OperationDoc extends OperationModel {
  /** `x-cmdb-esb-dest`: CMDB's own route behind the ESB one. */
  esbDest: string;
  commonArgs: FieldTable[];
  params: FieldTable[];
  /** The success envelope's tables; the top one also carries the type of each field per envelope variant. */
  response: FieldTable[];
  /** The envelope variants the top response table shows, when the 200 response names a failure envelope. */
  envelopeVariants: EnvelopeVariants | undefined;
  requestExamples: ExampleDoc[];
  responseExamples: ExampleDoc[];
  validationOrder: ValidationStepDoc[];
  /** Whether the operation applies the template lock rules (`x-cmdb-template-lock.operations` lists it). */
  appliesLockRules: boolean;
  /** The fields of its request that carry the `bind_info` matching rules (`bind_info`, `template_row_id`). */
  bindInfoRows: FieldRow[];
  /** The published-page differences of the operation and of its gateway twin. */
  differences: DifferenceDoc[];
  /** The same operation through the API gateway, when the spec has it: shown beside the ESB route. */
  gateway: GatewayDoc | undefined;
}

/** An operation's API gateway route as its page shows it, beside the ESB route. */
export interface GatewayDoc extends GatewayOperationModel {
  /** The path item's server URL, `{gateway}/api/bk-cmdb/{stage}`, which the path is relative to. */
  serverUrl: string;
  /** The name of the header the app and user travel in (`X-Bkapi-Authorization`). */
  authHeader: string;
  /** The envelope schema of its answers (`NativeEnvelope`). */
  envelopeSchema: string;
  /** The parameters in its path (`process_template_id`). */
  pathParams: FieldRow[];
  /** The body's tables (the ESB parameters without the common args, or fewer). */
  params: FieldTable[];
  response: FieldTable[];
  envelopeVariants: EnvelopeVariants | undefined;
  requestExamples: ExampleDoc[];
  responseExamples: ExampleDoc[];
}

/** One of the gateway's own errors (`x-cmdb-gateway-error-codes`): a non-200 status with a `GatewayError` body. */
export interface GatewayErrorDoc {
  status: number;
  code: number;
  codeName: string;
  when: BilingualText;
}

/** What the Markdown pages and the HTML reference show beyond the operations and error codes. */
export interface DocsModel {
  summary: BilingualText;
  description: BilingualText;
  /** The spec's own sentences about where it departs from the published page (from `info.description`). */
  differencesIntro: BilingualText;
  commonArgsNote: BilingualText;
  /** The operations with their pages' data, in the order of {@link SpecModel.operations}. */
  operations: OperationDoc[];
  lock: LockDoc;
  /** `x-cmdb-gateway-error-codes`, by status then code. */
  gatewayErrors: GatewayErrorDoc[];
  /** The examples of the gateway's own error answers (their responses are shared by the gateway operations). */
  gatewayErrorExamples: ExampleDoc[];
}
