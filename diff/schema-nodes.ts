import { resolvePointer } from "../spec/load-spec.ts";
import type { SchemaAt } from "./schema-diff.ts";

/** A schema object (a boolean schema or anything else reads as `{}`). */
export type Schema = Record<string, unknown>;

/** Follows local `$ref`s to the schema they name; a `#/components/schemas/X` target renames the label `X`. */
export function deref(at: SchemaAt, label: string): { at: SchemaAt; label: string } {
  let { node, pointer } = at;
  let name = label;
  for (let hops = 0; hops < 32; hops++) {
    const ref = isSchema(node) ? node.$ref : undefined;
    if (typeof ref !== "string" || !ref.startsWith("#")) break;
    pointer = ref.slice(1);
    node = resolvePointer(at.root, pointer);
    const match = /^\/components\/schemas\/([^/]+)$/.exec(pointer);
    if (match?.[1]) name = match[1].replace(/~1/g, "/").replace(/~0/g, "~");
  }
  return { at: { root: at.root, node, pointer }, label: name };
}

/** Pairs the members of two `allOf`/`oneOf`/`anyOf` lists: by `$ref` target first, then in order. */
export function matchMembers(
  oldAt: SchemaAt,
  newAt: SchemaAt,
  before: unknown[],
  after: unknown[],
  oldKey: string,
  newKey = oldKey,
): { old?: SchemaAt; new?: SchemaAt }[] {
  const wrap = (side: SchemaAt, key: string, list: unknown[]) =>
    list.map((node, i) => ({
      at: { root: side.root, node, pointer: `${side.pointer}/${key}/${i}` },
      ref: isSchema(node) && typeof node.$ref === "string" ? node.$ref : undefined,
    }));
  const olds = wrap(oldAt, oldKey, before);
  const news = wrap(newAt, newKey, after);
  const pairs: { old?: SchemaAt; new?: SchemaAt }[] = [];
  const usedNew = new Set<number>();
  const unmatchedOld: typeof olds = [];
  for (const o of olds) {
    const j = news.findIndex((x, k) => !usedNew.has(k) && o.ref !== undefined && x.ref === o.ref);
    if (j >= 0) {
      usedNew.add(j);
      pairs.push({ old: o.at, new: (news[j] as (typeof news)[number]).at });
    } else unmatchedOld.push(o);
  }
  // What no `$ref` matched pairs up in order: an edited inline member, or a `$ref` that now points elsewhere.
  const restNew = news.filter((_, k) => !usedNew.has(k));
  for (const [i, o] of unmatchedOld.entries()) {
    const x = restNew[i];
    pairs.push(x ? { old: o.at, new: x.at } : { old: o.at });
  }
  for (const x of restNew.slice(unmatchedOld.length)) pairs.push({ new: x.at });
  return pairs;
}

/** The non-null types a schema declares, or undefined when it declares none. */
export function typesOf(s: Schema): Set<string> | undefined {
  const t = s.type;
  if (t === undefined) return undefined;
  return new Set((Array.isArray(t) ? t : [t]).filter((x): x is string => typeof x === "string" && x !== "null"));
}

/** Whether a schema accepts null: a `null` type, OpenAPI 3.0's `nullable`, or a null alternative. */
export function acceptsNull(root: unknown, s: Schema, depth = 0): boolean {
  if (depth > 16) return true;
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    return types.includes("null") || s.nullable === true;
  }
  if (Array.isArray(s.enum)) return s.enum.includes(null);
  if ("const" in s) return s.const === null;
  const variants = listOf(s.oneOf ?? s.anyOf);
  if (variants.length > 0) {
    return variants.some((v) => {
      const { at } = deref({ root, node: v, pointer: "" }, "");
      return at.node === true || (isSchema(at.node) && acceptsNull(root, at.node, depth + 1));
    });
  }
  const all = listOf(s.allOf);
  if (all.length > 0) {
    return all.every((v) => {
      const { at } = deref({ root, node: v, pointer: "" }, "");
      return at.node === true || (isSchema(at.node) && acceptsNull(root, at.node, depth + 1));
    });
  }
  return true;
}

/** Whether a union member is just `{ type: "null" }` (a null alternative, compared as nullability). */
export function isBareNull(root: unknown, node: unknown): boolean {
  const { at } = deref({ root, node, pointer: "" }, "");
  return isSchema(at.node) && at.node.type === "null";
}

/** The non-null values an `enum` or `const` allows, or undefined when the schema has neither. */
export function valuesOf(s: Schema): unknown[] | undefined {
  if (Array.isArray(s.enum)) return s.enum.filter((v) => v !== null);
  if ("const" in s && s.const !== null) return [s.const];
  return undefined;
}

/** The pointer of a keyword: in NEW when it is there, else in OLD, else the schema itself in NEW. */
export function keywordAt(oldAt: SchemaAt, newAt: SchemaAt, keyword: string): { pointer: string; side: "new" | "old" } {
  if (isSchema(newAt.node) && keyword in newAt.node) return { pointer: `${newAt.pointer}/${keyword}`, side: "new" };
  if (isSchema(oldAt.node) && keyword in oldAt.node) return { pointer: `${oldAt.pointer}/${keyword}`, side: "old" };
  return at(newAt);
}

/** The pointer of a schema in NEW. */
export function at(s: SchemaAt): { pointer: string; side: "new" } {
  return { pointer: s.pointer, side: "new" };
}

/** The pointer of a schema in OLD, for something gone from NEW. */
export function old(s: SchemaAt): { pointer: string; side: "old" } {
  return { pointer: s.pointer, side: "old" };
}

/** A schema object, or `{}` for a boolean `true`, a missing or a malformed schema. */
export function asSchema(node: unknown): Schema {
  return isSchema(node) ? node : {};
}

/** Whether a value is a schema object. */
export function isSchema(node: unknown): node is Schema {
  return node !== null && typeof node === "object" && !Array.isArray(node);
}

/** An array value, or an empty list. */
export function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The strings of an array value (a `required` list). */
export function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((x): x is string => typeof x === "string") : [];
}

/**
 * The one alternative of a union that only adds null (`oneOf: [X, { type: "null" }]`, annotations aside), so that it
 * compares with a plain `X`; any other schema is answered as it is.
 */
export function unwrapNullable(at: SchemaAt): SchemaAt {
  const s = at.node;
  if (!isSchema(s)) return at;
  const key = "oneOf" in s ? "oneOf" : "anyOf";
  const others = Object.keys(s).filter((k) => k !== key && !DOC_KEYWORDS.has(k) && !k.startsWith("x-"));
  if (!Array.isArray(s[key]) || others.length > 0) return at;
  const members = s[key].map((node, i) => ({ node, i })).filter(({ node }) => !isBareNull(at.root, node));
  const [only] = members;
  if (members.length !== 1 || only === undefined) return at;
  return { root: at.root, node: only.node, pointer: `${at.pointer}/${key}/${only.i}` };
}

const DOC_KEYWORDS = new Set([
  "description",
  "x-description-zh",
  "title",
  "deprecated",
  "examples",
  "example",
  "$comment",
]);
