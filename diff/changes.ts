/**
 * The result of comparing two specs: every change with its JSON pointer, who it breaks and why. The consumer is the
 * caller (the generated client, a team's code); the provider is whatever answers the API (the real CMDB, the
 * reference CMDB, a team's mock).
 */

/** Who a change breaks: callers, implementations, or nobody. */
export type ChangeClass = "breaking-for-consumers" | "breaking-for-providers" | "compatible";

/** The classes in the order reports list them. */
export const CHANGE_CLASSES: readonly ChangeClass[] = [
  "breaking-for-consumers",
  "breaking-for-providers",
  "compatible",
];

/** What part of the spec a change is in, for filtering by a bot. */
export type ChangeKind =
  | "operation"
  | "request-body"
  | "response"
  | "parameter"
  | "security"
  | "schema.type"
  | "schema.null"
  | "schema.enum"
  | "schema.format"
  | "schema.required"
  | "schema.property"
  | "schema.additional-properties"
  | "schema.limit"
  | "schema.pattern"
  | "schema.variant"
  | "schema.other"
  | "documentation"
  | "error-code"
  | "template-lock"
  | "field-rule"
  | "validation-order";

/** One change between two specs. */
export interface SpecChange {
  /** Where the change is: a JSON pointer into NEW, or into OLD when the thing is gone from NEW (`side: "old"`). */
  pointer: string;
  side: "new" | "old";
  class: ChangeClass;
  kind: ChangeKind;
  /** The operationIds whose request or response the change reaches; empty for document-wide data. */
  operations: string[];
  /** One plain sentence: what changed and why it breaks (or does not break) that side. */
  message: string;
}

/** How a schema change moves the set of values a schema accepts. */
export type Effect = "narrow" | "widen";

/** Whether a schema describes what callers send or what providers answer. */
export type Direction = "request" | "response";

/**
 * Who a schema change breaks: a request that accepts less breaks callers, a request that must accept more breaks
 * providers; a response that may carry more or other values breaks callers, one that allows less breaks providers.
 */
export function classifySchemaEffect(direction: Direction, effect: Effect): ChangeClass {
  if (direction === "request") return effect === "narrow" ? "breaking-for-consumers" : "breaking-for-providers";
  return effect === "widen" ? "breaking-for-consumers" : "breaking-for-providers";
}

/**
 * Merges changes that are the same change reached through several operations, and sorts them so the same specs give
 * byte-identical reports: by class, then pointer, then kind, then message.
 */
export function normalizeChanges(changes: readonly SpecChange[]): SpecChange[] {
  const merged = new Map<string, SpecChange>();
  for (const change of changes) {
    const key = JSON.stringify([change.class, change.pointer, change.side, change.kind, change.message]);
    const seen = merged.get(key);
    if (seen) {
      seen.operations = [...new Set([...seen.operations, ...change.operations])];
    } else {
      merged.set(key, { ...change, operations: [...change.operations] });
    }
  }
  const rank = (c: ChangeClass): number => CHANGE_CLASSES.indexOf(c);
  const list = [...merged.values()];
  for (const change of list) change.operations.sort(compareText);
  return list.sort(
    (a, b) =>
      rank(a.class) - rank(b.class) ||
      compareText(a.pointer, b.pointer) ||
      compareText(a.side, b.side) ||
      compareText(a.kind, b.kind) ||
      compareText(a.message, b.message),
  );
}

/** The keys of two objects or maps, each once, sorted: what a comparison of the two walks. */
export function unionKeys(a: JsonObject | Map<string, unknown>, b: JsonObject | Map<string, unknown>): string[] {
  const keys = (x: JsonObject | Map<string, unknown>) => (x instanceof Map ? [...x.keys()] : Object.keys(x));
  return [...new Set([...keys(a), ...keys(b)])].sort(compareText);
}

/** Compares by UTF-16 code units, independent of the locale the command runs in. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A JSON object (not an array, not null). */
export type JsonObject = Record<string, unknown>;

/** Whether a value is a JSON object. */
export function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A JSON object, or `{}` for anything else. */
export function asJsonObject(value: unknown): JsonObject {
  return isJsonObject(value) ? value : {};
}

/** Deep equality of two JSON values (key order ignored). */
export function isSameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => isSameJson(item, b[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every(
    (k) => Object.hasOwn(b, k) && isSameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}

/** A JSON value shortened for a sentence: `"1"`, `100`, `[a, b]`. */
export function showValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** One change breaking both sides, as two entries with a sentence each. */
export function bothSides(
  pointer: string,
  kind: SpecChange["kind"],
  operations: string[],
  what: string,
  forConsumers: string,
  forProviders: string,
): SpecChange[] {
  return [
    change(pointer, "new", "breaking-for-consumers", kind, operations, `${what}: ${forConsumers}.`),
    change(pointer, "new", "breaking-for-providers", kind, operations, `${what}: ${forProviders}.`),
  ];
}

/** A change record. */
export function change(
  pointer: string,
  side: "new" | "old",
  changeClass: ChangeClass,
  kind: SpecChange["kind"],
  operations: string[],
  message: string,
): SpecChange {
  return { pointer, side, class: changeClass, kind, operations, message };
}
