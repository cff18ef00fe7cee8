// Flattens schemas into the parameter tables of a BlueKing API page (dotted field paths, type labels, descriptions).
import type { JsonSchema, OpenApiDocument } from "../../spec/load-spec.ts";
import { resolvePointer } from "../../spec/load-spec.ts";
import { asArray, type BilingualText, isObject, readBilingual } from "./text.ts";

/** One row of a parameter table: the dotted field path, its type label, whether it is required, its description. */
export interface FieldRow {
  path: string;
  type: string;
  required: boolean;
  deprecated: boolean;
  description: BilingualText;
  /**
   * On the top table of a response, the type in each envelope variant ({@link EnvelopeVariants.codes}): success
   * first, then each failure code that has a type of its own, then every other failure.
   */
  variantTypes?: string[];
}

/** The envelope variants a response table shows a type column for. */
export interface EnvelopeVariants {
  /** The failure codes whose envelope has a type of its own (9900403, whose `permission` is an object). */
  codes: number[];
}

/** One parameter table: `path` is the nested object it describes (empty for the top level). */
export interface FieldTable {
  path: string;
  rows: FieldRow[];
}

/** An object schema with its `allOf` members merged: properties (later members win per key) and required names. */
interface MergedObject {
  properties: [string, JsonSchema][];
  required: Set<string>;
  seedTable: string | undefined;
}

const TYPE_LABELS: Record<string, string> = { integer: "int", boolean: "bool", number: "float" };

/**
 * Flattens an object schema into the tables of a BlueKing API page: the top-level table first, then one table per
 * nested object (or array of objects), depth first; a nested schema that names the same `x-cmdb-seed-table` as its
 * parent is listed inline in the parent's table, as the published page lists `instances.processes.*` under `instances`.
 * @see spec/cmdb.openapi.yaml `x-cmdb-seed-table`
 */
export function flattenSchema(document: OpenApiDocument, schema: unknown): FieldTable[] {
  const top: FieldTable = { path: "", rows: [] };
  const tables: FieldTable[] = [top];
  // A named schema used in several places (PropertyString under every template field) gets one table, the first.
  const tabled = new Set<string>();
  const visit = (node: unknown, prefix: string, table: FieldTable, group: string | undefined, seen: string[]) => {
    const merged = mergeObject(document, node);
    for (const [name, property] of merged.properties) {
      const path = prefix === "" ? name : `${prefix}.${name}`;
      const resolved = resolveSchema(document, property);
      table.rows.push({
        path,
        type: describeType(document, property),
        required: merged.required.has(name),
        deprecated: resolved.deprecated === true,
        description: describeField(document, property),
      });
      const nested = findNestedObject(document, property);
      if (!nested || seen.includes(nested.key)) continue;
      const nestedGroup = mergeObject(document, nested.schema).seedTable;
      if (nestedGroup !== undefined && nestedGroup === group) {
        visit(nested.schema, path, table, group, [...seen, nested.key]);
      } else if (!tabled.has(nested.key)) {
        if (nested.key.startsWith("#")) tabled.add(nested.key);
        const child: FieldTable = { path, rows: [] };
        tables.push(child);
        visit(nested.schema, path, child, nestedGroup, [...seen, nested.key]);
      }
    }
  };
  visit(schema, "", top, mergeObject(document, schema).seedTable, []);
  return tables;
}

/** Resolves a `$ref` (siblings of the `$ref` override the target, as OpenAPI 3.1 allows) until none is left. */
function resolveSchema(document: OpenApiDocument, schema: unknown): JsonSchema {
  let node: unknown = schema;
  const overlays: JsonSchema[] = [];
  for (let depth = 0; depth < 32 && isObject(node) && typeof node.$ref === "string"; depth++) {
    const { $ref, ...siblings } = node;
    overlays.unshift(siblings);
    node = resolvePointer(document, String($ref).replace(/^#/, ""));
  }
  return Object.assign({}, isObject(node) ? node : {}, ...overlays);
}

/**
 * Adds to each row of a success envelope's top table its type in every envelope variant: success, each failure code
 * an alternative of a failure field names with `x-cmdb-error-code` (the permission object of 9900403), and every
 * other failure.
 * @see cmdb-semantics §4.2
 */
export function describeEnvelopeVariants(
  document: OpenApiDocument,
  success: FieldTable,
  failureSchema: unknown,
): EnvelopeVariants {
  const failure = new Map(mergeObject(document, failureSchema).properties);
  const split = new Map(success.rows.map((row) => [row.path, splitByCode(document, failure.get(row.path))]));
  const codes = [...new Set([...split.values()].flatMap((s) => [...s.byCode.keys()]))].sort((a, b) => a - b);
  for (const row of success.rows) {
    const { byCode, rest } = split.get(row.path) ?? { byCode: new Map<number, string>(), rest: "—" };
    row.variantTypes = [row.type, ...codes.map((code) => byCode.get(code) ?? rest), rest];
  }
  return { codes };
}

/** A failure field's type for the codes its alternatives name (`x-cmdb-error-code`), and for every other code. */
function splitByCode(document: OpenApiDocument, property: unknown): { byCode: Map<number, string>; rest: string } {
  const byCode = new Map<number, string>();
  if (property === undefined) return { byCode, rest: "—" };
  const resolved = resolveSchema(document, property);
  const alternatives = [...asArray(resolved.oneOf), ...asArray(resolved.anyOf)];
  const rest = alternatives.filter((alternative) => {
    const code = resolveSchema(document, alternative)["x-cmdb-error-code"];
    if (typeof code === "number") byCode.set(code, describeType(document, alternative));
    return typeof code !== "number";
  });
  return {
    byCode,
    rest: byCode.size === 0 ? describeType(document, property) : describeType(document, { oneOf: rest }),
  };
}

function mergeObject(document: OpenApiDocument, schema: unknown): MergedObject {
  const properties = new Map<string, JsonSchema>();
  const required = new Set<string>();
  let seedTable: string | undefined;
  const visit = (node: unknown, depth: number): void => {
    const resolved = resolveSchema(document, node);
    if (depth > 16) return;
    if (typeof resolved["x-cmdb-seed-table"] === "string") seedTable ??= resolved["x-cmdb-seed-table"];
    for (const member of asArray(resolved.allOf)) visit(member, depth + 1);
    for (const [name, property] of Object.entries(isObject(resolved.properties) ? resolved.properties : {})) {
      const before = properties.get(name);
      properties.set(name, before ? overrideProperty(document, before, property) : (property as JsonSchema));
    }
    for (const name of asArray(resolved.required)) required.add(String(name));
  };
  visit(schema, 0);
  return { properties: [...properties.entries()], required, seedTable };
}

/**
 * A later `allOf` member's property over an earlier one's: when the later one says what the value is (type, const,
 * `$ref`, alternatives), the earlier one keeps only its annotations (descriptions, deprecation).
 */
function overrideProperty(document: OpenApiDocument, before: unknown, after: unknown): JsonSchema {
  const base = resolveSchema(document, before);
  const over = isObject(after) ? after : {};
  // A bare `const` (or `enum`) narrows the earlier type rather than replacing it.
  if (!REPLACING_KEYWORDS.some((k) => k in over)) return { ...base, ...over };
  const annotations = Object.fromEntries(Object.entries(base).filter(([k]) => !STRUCTURE_KEYWORDS.includes(k)));
  return { ...annotations, ...resolveSchema(document, over) };
}

const STRUCTURE_KEYWORDS = ["$ref", "type", "const", "enum", "oneOf", "anyOf", "allOf", "items", "properties", "not"];
const REPLACING_KEYWORDS = ["$ref", "type", "oneOf", "anyOf", "allOf", "items", "properties"];

/** The object a property holds, directly or as the items of (nested) arrays, when it has properties of its own. */
function findNestedObject(document: OpenApiDocument, schema: unknown): { schema: unknown; key: string } | undefined {
  let node: unknown = schema;
  for (let depth = 0; depth < 8; depth++) {
    const key = isObject(node) && typeof node.$ref === "string" ? node.$ref : "";
    const resolved = resolveSchema(document, node);
    if (mergeObject(document, node).properties.length > 0)
      return { schema: node, key: key || JSON.stringify(resolved) };
    const alternatives = [...asArray(resolved.oneOf), ...asArray(resolved.anyOf)].filter(
      (a) => !isNullSchema(document, a),
    );
    if (alternatives.length === 1) {
      node = alternatives[0];
    } else if (resolved.items !== undefined) {
      node = resolved.items;
    } else {
      return undefined;
    }
  }
  return undefined;
}

/** The type label of the published pages (`int`, `string`, `array`, `bool`, `object`), `/null` when nullable. */
export function describeType(document: OpenApiDocument, schema: unknown): string {
  const labels: string[] = [];
  const add = (label: string) => {
    if (!labels.includes(label)) labels.push(label);
  };
  const visit = (node: unknown, depth: number): void => {
    const resolved = resolveSchema(document, node);
    const types = Array.isArray(resolved.type) ? resolved.type : resolved.type === undefined ? [] : [resolved.type];
    for (const type of types) add(TYPE_LABELS[String(type)] ?? String(type));
    if (types.length > 0 || depth > 8) return;
    const alternatives = [...asArray(resolved.oneOf), ...asArray(resolved.anyOf)];
    if (alternatives.length > 0) {
      for (const alternative of alternatives) visit(alternative, depth + 1);
    } else if (asArray(resolved.allOf).length > 0) {
      for (const member of asArray(resolved.allOf)) visit(member, depth + 1);
    } else if (resolved.const !== undefined) {
      add(constType(resolved.const));
    } else if (isObject(resolved.properties)) {
      add("object");
    } else if (Array.isArray(resolved.enum)) {
      add("string");
    }
  };
  visit(schema, 0);
  // "null" goes last, so `string/null` reads as a string that may be null.
  const ordered = [...labels.filter((l) => l !== "null"), ...labels.filter((l) => l === "null")];
  return ordered.length === 0 ? "any" : ordered.join("/");
}

function constType(value: unknown): string {
  if (value === null) return "null";
  if (Number.isInteger(value)) return "int";
  return TYPE_LABELS[typeof value] ?? typeof value;
}

/**
 * A field's description in both languages; when the field refers to a named enum schema whose own description lists
 * the values, that description is appended.
 */
function describeField(document: OpenApiDocument, schema: unknown): BilingualText {
  const resolved = resolveSchema(document, schema);
  const text = readBilingual(resolved);
  const enumSchema = [resolved, ...asArray(resolved.oneOf).map((a) => resolveSchema(document, a))].find(
    (s) => s !== resolved && Array.isArray(s.enum),
  );
  if (!enumSchema) return text;
  const extra = readBilingual(enumSchema);
  return { en: joinText(text.en, extra.en), zh: joinText(text.zh, extra.zh) };
}

function joinText(a: string, b: string): string {
  if (b === "" || a.includes(b)) return a;
  // "协议" followed by "协议：1 TCP…" reads as one sentence once the repeated lead is dropped.
  if (a !== "" && b.startsWith(a.replace(/[.。]$/u, ""))) return b;
  return a === "" ? b : `${a} ${b}`;
}

function isNullSchema(document: OpenApiDocument, schema: unknown): boolean {
  const resolved = resolveSchema(document, schema);
  return resolved.type === "null" || resolved.const === null;
}
