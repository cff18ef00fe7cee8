/**
 * The parts of the spec the reference CMDB runs on, read once: error code templates (`x-cmdb-error-codes` and
 * `x-cmdb-inner-error-codes`), the lock rules (`x-cmdb-template-lock`) and the process model (`x-cmdb-field-rules`).
 * The spec is parsed without the OpenAPI validation of `loadSpec` (measured: 130 ms instead of 420 ms at start-up);
 * `npm test` validates the same file.
 */
import type { ErrorCodeEntry, OpenApiDocument } from "../spec/load-spec.ts";
import type { SchemaValidator } from "../spec/schema-validator.ts";
import { readSharedSpec, sharedSchemaValidator } from "../spec/shared-spec.ts";

/** The model of one lockable process field (cmdb-semantics §3.1), with its limits from the spec. */
export interface ProcessFieldModel {
  field: string;
  type: "string" | "integer" | "boolean";
  /** The attribute's display name (`x-cmdb-field-rules`), which the inner error messages name. */
  displayName: string;
  /** The limit of a string in UTF-8 bytes of the trimmed value. */
  maxBytes?: number;
  minimum?: number;
  maximum?: number;
  required: boolean;
}

/** Everything the provider reads from the spec. */
export interface ProviderSpec {
  document: OpenApiDocument;
  /** The message templates of every code, inner codes included. */
  errorCodes: ReadonlyMap<number, Pick<ErrorCodeEntry, "message_zh" | "message_en">>;
  /** The lockable scalar fields of `x-cmdb-template-lock`, in the spec's order. */
  processFields: readonly ProcessFieldModel[];
  alwaysLocked: ReadonlySet<string>;
  /** Process fields a caller must send on a module without a template (cmdb-semantics §3.1 "required"). */
  requiredFields: readonly string[];
  /** What a module without a template fills into a field not sent, by type (`x-cmdb-field-rules.raw_defaults`). */
  rawDefaults: Readonly<Record<ProcessFieldModel["type"], unknown>>;
  /** The display name of `bind_info`, which every bad row's inner message names (cmdb-semantics §3.3). */
  bindInfoDisplayName: string;
  bindIpPattern: RegExp;
  bindPortPattern: RegExp;
  protocols: ReadonlySet<string>;
  /** Bind IP type enum → a literal IP or the host field it resolves to (`BindIpType.x-cmdb-enum-names`). */
  bindIpTypes: ReadonlyMap<string, string>;
  validator: SchemaValidator;
}

let cached: ProviderSpec | undefined;

/**
 * Reads the spec shipped with this repo once and answers what the provider needs from it.
 * @throws SpecError when the spec or the world schema cannot be read or parsed.
 */
export function loadProviderSpec(): ProviderSpec {
  if (cached) return cached;
  // Shared with whatever else in the process reads the spec (`verify` beside its embedded CMDB): parsed once.
  const spec = readSharedSpec();
  cached = buildProviderSpec(spec.document, sharedSchemaValidator(spec));
  return cached;
}

/**
 * Derives the provider's rules from a parsed spec document.
 * @throws Error when the document has no `x-cmdb-field-rules`.
 */
export function buildProviderSpec(document: OpenApiDocument, validator: SchemaValidator): ProviderSpec {
  const schemas = document.components.schemas;
  const lock = document["x-cmdb-template-lock"];
  const rules = document["x-cmdb-field-rules"];
  if (!rules) throw new Error("spec: x-cmdb-field-rules is required: the process model is read from it");
  const ruleOf = new Map(rules.process_fields.map((r) => [r.field, r]));
  const processFields = lock.lockable_fields.map(({ field, type }): ProcessFieldModel => {
    const rule = ruleOf.get(field);
    const model: ProcessFieldModel = {
      field,
      type,
      displayName: rule?.display_name ?? field,
      required: !!rule?.required,
    };
    if (rule?.max_bytes !== undefined) model.maxBytes = rule.max_bytes;
    if (rule?.minimum !== undefined) model.minimum = rule.minimum;
    if (rule?.maximum !== undefined) model.maximum = rule.maximum;
    return model;
  });
  const subField = (name: string) => rules.bind_info.sub_fields.find((f) => f.field === name);
  const enumNames = (schemas.BindIpType?.["x-cmdb-enum-names"] ?? {}) as Record<string, string>;
  const codes = [...document["x-cmdb-error-codes"], ...(document["x-cmdb-inner-error-codes"] ?? [])];
  return {
    document,
    errorCodes: new Map(codes.map((e) => [e.code, e])),
    processFields,
    alwaysLocked: new Set(lock.always_locked),
    requiredFields: processFields.filter((f) => f.required).map((f) => f.field),
    rawDefaults: {
      string: rules.raw_defaults.string,
      boolean: rules.raw_defaults.boolean,
      integer: rules.raw_defaults.integer,
    },
    bindInfoDisplayName: rules.bind_info.display_name,
    bindIpPattern: new RegExp(subField("ip")?.pattern ?? "^.*$"),
    bindPortPattern: new RegExp(subField("port")?.pattern ?? "^.*$"),
    protocols: new Set(subField("protocol")?.values ?? []),
    bindIpTypes: new Map(Object.entries(enumNames)),
    validator,
  };
}
