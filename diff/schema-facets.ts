/**
 * The keyword comparisons of a schema diff that do not descend into subschemas: type, null, enum/const, format,
 * limits, pattern, uniqueItems, default and required. Each reports what it finds through `emit`, as narrowing or
 * widening the accepted values; the caller classifies that for a request or a response.
 */
import { type ChangeKind, type Direction, type Effect, isSameJson, showValue } from "./changes.ts";
import type { SchemaAt } from "./schema-diff.ts";
import { acceptsNull, keywordAt, type Schema, stringsOf, typesOf, valuesOf } from "./schema-nodes.ts";
import { describeLimit, LIMITS } from "./schema-wording.ts";

/** The two versions of one schema being compared, resolved, with the label sentences use. */
export interface Pair {
  oldAt: SchemaAt;
  newAt: SchemaAt;
  o: Schema;
  n: Schema;
  label: string;
}

/** Records one finding: its kind, pointer, effect, subject sentence, and optionally a dedicated wording. */
export type Emit = (
  kind: ChangeKind,
  where: { pointer: string; side: "new" | "old" },
  effect: Effect | "compatible",
  text: string,
  subject?: string,
  wording?: string,
) => void;

// Format changes that only widen the accepted values.
const WIDER_FORMAT: Record<string, string> = { int32: "int64", float: "double" };

/** Compares `type`: a type no longer allowed narrows, a new type widens (integer ⊂ number). */
export function compareTypes({ oldAt, newAt, o, n, label }: Pair, emit: Emit): void {
  const before = typesOf(o);
  const after = typesOf(n);
  const where = keywordAt(oldAt, newAt, "type");
  if (before === undefined && after !== undefined) {
    emit("schema.type", where, "narrow", `\`${label}\` must now be of type ${[...after].join(" or ")}`);
    return;
  }
  if (before !== undefined && after === undefined && !("oneOf" in n || "anyOf" in n)) {
    emit("schema.type", where, "widen", `\`${label}\` is no longer limited to type ${[...before].join(" or ")}`);
    return;
  }
  if (before === undefined || after === undefined) return;
  for (const type of before) {
    if (after.has(type) || (type === "integer" && after.has("number"))) continue;
    emit("schema.type", where, "narrow", `\`${label}\` no longer accepts type ${type}`);
  }
  for (const type of after) {
    if (before.has(type) || (type === "integer" && before.has("number"))) continue;
    emit("schema.type", where, "widen", `\`${label}\` now also has type ${type}`);
  }
}

/** Compares whether null is allowed, by a `null` type, OpenAPI 3.0 `nullable` or a null alternative. */
export function compareNull({ oldAt, newAt, o, n, label }: Pair, emit: Emit): void {
  const before = acceptsNull(oldAt.root, o);
  const after = acceptsNull(newAt.root, n);
  if (before === after) return;
  const keywords = ["nullable", "type", "oneOf", "anyOf"];
  const keyword = keywords.find((k) => k in n) ?? keywords.find((k) => k in o) ?? "type";
  const where = keywordAt(oldAt, newAt, keyword);
  if (after) emit("schema.null", where, "widen", `\`${label}\` may now be null`);
  else emit("schema.null", where, "narrow", `\`${label}\` may no longer be null`);
}

/** Compares `enum` and `const`: a value removed narrows, a value added widens. */
export function compareEnum({ oldAt, newAt, o, n, label }: Pair, emit: Emit): void {
  const before = valuesOf(o);
  const after = valuesOf(n);
  const where = keywordAt(oldAt, newAt, "enum" in n || "enum" in o ? "enum" : "const");
  if (before === undefined && after !== undefined) {
    emit("schema.enum", where, "narrow", `\`${label}\` is now limited to ${after.map(showValue).join(", ")}`);
    return;
  }
  if (before !== undefined && after === undefined) {
    emit("schema.enum", where, "widen", `\`${label}\` is no longer limited to ${before.map(showValue).join(", ")}`);
    return;
  }
  if (before === undefined || after === undefined) return;
  for (const value of before) {
    if (!after.some((v) => isSameJson(v, value))) {
      emit("schema.enum", where, "narrow", `\`${label}\` no longer allows the value ${showValue(value)}`);
    }
  }
  for (const value of after) {
    if (!before.some((v) => isSameJson(v, value))) {
      emit("schema.enum", where, "widen", `\`${label}\` now allows the value ${showValue(value)}`);
    }
  }
}

/** Compares `format`: one added narrows, one removed widens, int32 → int64 and float → double only widen. */
export function compareFormat({ oldAt, newAt, o, n, label }: Pair, emit: Emit): void {
  const before = typeof o.format === "string" ? o.format : undefined;
  const after = typeof n.format === "string" ? n.format : undefined;
  if (before === after) return;
  const where = keywordAt(oldAt, newAt, "format");
  if (before === undefined) {
    emit("schema.format", where, "narrow", `\`${label}\` must now have format ${after}`);
  } else if (after === undefined) {
    emit("schema.format", where, "widen", `\`${label}\` no longer requires format ${before}`);
  } else {
    const text = `\`${label}\` changed format from ${before} to ${after}`;
    if (WIDER_FORMAT[before] !== after) emit("schema.format", where, "narrow", text);
    if (WIDER_FORMAT[after] !== before) emit("schema.format", where, "widen", text);
  }
}

/** Compares the numeric limits (`maxItems`, `maxLength`, `minimum`, …): tighter narrows, looser widens. */
export function compareLimits({ oldAt, newAt, o, n, label }: Pair, emit: Emit): void {
  for (const limit of LIMITS) {
    const before = typeof o[limit.keyword] === "number" ? (o[limit.keyword] as number) : undefined;
    const after = typeof n[limit.keyword] === "number" ? (n[limit.keyword] as number) : undefined;
    if (before === after) continue;
    const tighter = after !== undefined && (before === undefined || (limit.upper ? after < before : after > before));
    const text =
      after === undefined
        ? `\`${label}\` is no longer limited to ${describeLimit(limit, before)}`
        : `\`${label}\` now allows ${describeLimit(limit, after)} (was ${before === undefined ? "unlimited" : describeLimit(limit, before)})`;
    emit("schema.limit", keywordAt(oldAt, newAt, limit.keyword), tighter ? "narrow" : "widen", text);
  }
}

/** Compares `pattern`, `uniqueItems` and `default` (which matters in a request only). */
export function compareSimple({ oldAt, newAt, o, n, label }: Pair, emit: Emit, direction: Direction): void {
  if (o.pattern !== n.pattern) {
    const where = keywordAt(oldAt, newAt, "pattern");
    if (o.pattern === undefined) emit("schema.pattern", where, "narrow", `\`${label}\` must now match a pattern`);
    else if (n.pattern === undefined) {
      emit("schema.pattern", where, "widen", `\`${label}\` no longer has to match a pattern`);
    } else {
      emit("schema.pattern", where, "narrow", `\`${label}\` must match a changed pattern`);
      emit("schema.pattern", where, "widen", `\`${label}\` must match a changed pattern`);
    }
  }
  if (Boolean(o.uniqueItems) !== Boolean(n.uniqueItems)) {
    const text = n.uniqueItems ? "must now hold unique items" : "may now hold repeated items";
    emit(
      "schema.limit",
      keywordAt(oldAt, newAt, "uniqueItems"),
      n.uniqueItems ? "narrow" : "widen",
      `\`${label}\` ${text}`,
    );
  }
  if (!isSameJson(o.default, n.default)) {
    const where = keywordAt(oldAt, newAt, "default");
    const text = `\`${label}\` changed its default from ${showValue(o.default)} to ${showValue(n.default)}`;
    if (direction === "request") {
      // A caller that omits the field gets the other default: callers see new behaviour, providers must apply it.
      emit("schema.other", where, "narrow", text);
      emit("schema.other", where, "widen", text);
    } else {
      emit("documentation", where, "compatible", `${text}; in a response it only documents`);
    }
  }
}

/** Compares `required`: a name added narrows, a name removed widens. */
export function compareRequired({ oldAt, newAt, o, n, label }: Pair, emit: Emit): void {
  const before = stringsOf(o.required);
  const after = stringsOf(n.required);
  const where = keywordAt(oldAt, newAt, "required");
  for (const name of after) {
    if (!before.includes(name)) emit("schema.required", where, "narrow", "", `${label}.${name}`, "required-added");
  }
  for (const name of before) {
    if (!after.includes(name)) emit("schema.required", where, "widen", "", `${label}.${name}`, "required-removed");
  }
}

/** Every leaf keyword comparison, in the order their changes are found. */
export const FACETS: readonly ((pair: Pair, emit: Emit, direction: Direction) => void)[] = [
  compareTypes,
  compareNull,
  compareEnum,
  compareFormat,
  compareLimits,
  compareSimple,
  compareRequired,
];
