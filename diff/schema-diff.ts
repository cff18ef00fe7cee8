import { escapePointer } from "../spec/load-spec.ts";
import {
  type ChangeKind,
  classifySchemaEffect,
  type Direction,
  type Effect,
  isSameJson,
  type SpecChange,
  unionKeys,
} from "./changes.ts";
import { compareNull, type Emit, FACETS, type Pair } from "./schema-facets.ts";
import {
  asSchema,
  at,
  deref,
  isBareNull,
  keywordAt,
  listOf,
  matchMembers,
  old,
  type Schema,
  unwrapNullable,
} from "./schema-nodes.ts";
import { consequence, LIMITS } from "./schema-wording.ts";

/** A schema inside a document: the document (to resolve `$ref`s), the node, and the node's JSON pointer. */
export interface SchemaAt {
  root: unknown;
  node: unknown;
  pointer: string;
}

/** Where a schema is used: in a request or a response, and of which operation. */
export interface SchemaUse {
  direction: Direction;
  operation?: string;
}

// Keywords that only document: a change to them is listed as compatible.
const ANNOTATIONS = new Set([
  "description",
  "x-description-zh",
  "title",
  "summary",
  "x-summary-zh",
  "examples",
  "example",
  "$comment",
  "readOnly",
  "writeOnly",
  "deprecated",
]);

// Keywords the diff understands; any other keyword that changes is reported as unclassified, breaking both sides.
const HANDLED = new Set([
  "$ref",
  "type",
  "nullable",
  "enum",
  "const",
  "format",
  "pattern",
  "uniqueItems",
  "required",
  "properties",
  "additionalProperties",
  "items",
  "allOf",
  "oneOf",
  "anyOf",
  "default",
  ...LIMITS.map((l) => l.keyword),
]);

/**
 * Compares two versions of a schema with OpenAPI 3.0/3.1 semantics and answers every change, each classified for
 * where the schema is used (see {@link classifySchemaEffect}). `label` names the schema in sentences (`ProcessInfo`);
 * following a `$ref` to `#/components/schemas/X` renames it `X`. Pure: nothing is read but the two documents.
 */
export function diffSchemas(oldAt: SchemaAt, newAt: SchemaAt, label: string, use: SchemaUse): SpecChange[] {
  const out: SpecChange[] = [];
  new SchemaWalker(use, out).compare(oldAt, newAt, label);
  return out;
}

class SchemaWalker {
  private readonly active = new Set<string>();

  constructor(
    private readonly use: SchemaUse,
    private readonly out: SpecChange[],
  ) {}

  compare(oldRaw: SchemaAt, newRaw: SchemaAt, rawLabel: string, nullCompared = false): void {
    const o = deref(oldRaw, rawLabel);
    const n = deref(newRaw, rawLabel);
    const label = n.label;
    const ou = unwrapNullable(o.at);
    const nu = unwrapNullable(n.at);
    if (ou !== o.at || nu !== n.at) {
      // `X` against `oneOf: [X, null]`: only the null alternative differs; compare it here, then X with X.
      const pair = { oldAt: o.at, newAt: n.at, o: asSchema(o.at.node), n: asSchema(n.at.node), label };
      if (!nullCompared) compareNull(pair, (...args) => this.emit(...args));
      this.compare(ou, nu, label, true);
      return;
    }
    const key = `${o.at.pointer}|${n.at.pointer}`;
    if (this.active.has(key)) return; // a recursive schema: this pair is being compared further up
    this.active.add(key);
    try {
      this.compareNodes(o.at, n.at, label, nullCompared);
    } finally {
      this.active.delete(key);
    }
  }

  private compareNodes(oldAt: SchemaAt, newAt: SchemaAt, label: string, nullCompared: boolean): void {
    if (oldAt.node === false || newAt.node === false) {
      if (oldAt.node === false && newAt.node !== false) {
        this.emit("schema.other", at(newAt), "widen", `\`${label}\` was forbidden and is now allowed`);
      } else if (oldAt.node !== false && newAt.node === false) {
        this.emit("schema.other", at(newAt), "narrow", `\`${label}\` is now forbidden`);
      }
      return;
    }
    const o = asSchema(oldAt.node);
    const n = asSchema(newAt.node);
    const ctx: Pair = { oldAt, newAt, o, n, label };
    const emit: Emit = (...args) => this.emit(...args);
    for (const compareFacet of FACETS) {
      if (!(nullCompared && compareFacet === compareNull)) compareFacet(ctx, emit, this.use.direction);
    }
    this.compareProperties(ctx);
    this.compareAdditional(ctx);
    this.compareItems(ctx);
    this.compareMembers(ctx, "allOf");
    this.compareVariants(ctx);
    this.compareRest(ctx);
  }

  private compareProperties({ oldAt, newAt, o, n, label }: Pair): void {
    const before = asSchema(o.properties);
    const after = asSchema(n.properties);
    const names = unionKeys(before, after);
    for (const name of names) {
      const child = `${label}.${name}`;
      const oldChild = {
        root: oldAt.root,
        node: before[name],
        pointer: `${oldAt.pointer}/properties/${escapePointer(name)}`,
      };
      const newChild = {
        root: newAt.root,
        node: after[name],
        pointer: `${newAt.pointer}/properties/${escapePointer(name)}`,
      };
      if (!(name in before)) {
        if (after[name] === false)
          this.emit("schema.property", at(newChild), "narrow", `\`${child}\` is now forbidden`);
        else if (this.use.direction === "request")
          this.emit("schema.property", at(newChild), "widen", "", child, "property-added");
        else if (n.additionalProperties === false || o.additionalProperties === false) {
          this.emit("schema.property", at(newChild), "widen", "", child, "property-added-closed");
        } else this.emit("schema.property", at(newChild), "compatible", "", child, "property-added");
      } else if (!(name in after)) {
        if (before[name] === false)
          this.emit("schema.property", old(oldChild), "widen", `\`${child}\` is no longer forbidden`);
        else if (this.use.direction === "request") {
          this.emit(
            "schema.property",
            old(oldChild),
            "narrow",
            "",
            child,
            n.additionalProperties === false ? "property-removed-closed" : "property-removed",
          );
        } else this.emit("schema.property", old(oldChild), "widen", "", child, "property-removed");
      } else {
        this.compare(oldChild, newChild, child);
      }
    }
  }

  private compareAdditional({ oldAt, newAt, o, n, label }: Pair): void {
    const before = o.additionalProperties;
    const after = n.additionalProperties;
    if (isSameJson(before, after)) return;
    const where = keywordAt(oldAt, newAt, "additionalProperties");
    const open = (v: unknown): boolean => v === undefined || v === true;
    if (open(before) && open(after)) return;
    if (before === false && after !== false) {
      this.emit("schema.additional-properties", where, "widen", `\`${label}\` now allows properties it does not list`);
    } else if (after === false) {
      this.emit(
        "schema.additional-properties",
        where,
        "narrow",
        `\`${label}\` no longer allows properties it does not list`,
      );
    } else if (open(before)) {
      this.emit(
        "schema.additional-properties",
        where,
        "narrow",
        `\`${label}\` now constrains properties it does not list`,
      );
    } else if (open(after)) {
      this.emit(
        "schema.additional-properties",
        where,
        "widen",
        `\`${label}\` no longer constrains properties it does not list`,
      );
    } else {
      this.compare(
        { root: oldAt.root, node: before, pointer: `${oldAt.pointer}/additionalProperties` },
        { root: newAt.root, node: after, pointer: `${newAt.pointer}/additionalProperties` },
        `${label}.*`,
      );
    }
  }

  private compareItems({ oldAt, newAt, o, n, label }: Pair): void {
    if (o.items === undefined && n.items === undefined) return;
    this.compare(
      { root: oldAt.root, node: o.items ?? {}, pointer: `${oldAt.pointer}/items` },
      { root: newAt.root, node: n.items ?? {}, pointer: `${newAt.pointer}/items` },
      `${label}[]`,
    );
  }

  /** `allOf` members, matched by `$ref` target or position: a new member adds constraints, a removed one drops them. */
  private compareMembers({ oldAt, newAt, o, n, label }: Pair, keyword: "allOf"): void {
    const pairs = matchMembers(oldAt, newAt, listOf(o[keyword]), listOf(n[keyword]), keyword);
    for (const pair of pairs) {
      if (pair.old && pair.new) this.compare(pair.old, pair.new, label);
      else if (pair.new) this.emit("schema.variant", at(pair.new), "narrow", `\`${label}\` gained an allOf member`);
      else if (pair.old) this.emit("schema.variant", old(pair.old), "widen", `\`${label}\` lost an allOf member`);
    }
  }

  /** `oneOf`/`anyOf` variants other than a bare null (see compareNull): a new variant widens, a removed one narrows. */
  private compareVariants({ oldAt, newAt, o, n, label }: Pair): void {
    const keyOf = (s: Schema): "oneOf" | "anyOf" => ("oneOf" in s ? "oneOf" : "anyOf");
    const oldKey = keyOf(o);
    const newKey = keyOf(n);
    const strip = (root: unknown, list: unknown[]) => list.filter((v) => !isBareNull(root, v));
    const pairs = matchMembers(
      oldAt,
      newAt,
      strip(oldAt.root, listOf(o[oldKey])),
      strip(newAt.root, listOf(n[newKey])),
      oldKey,
      newKey,
    );
    for (const pair of pairs) {
      if (pair.old && pair.new) this.compare(pair.old, pair.new, label);
      else if (pair.new)
        this.emit("schema.variant", at(pair.new), "widen", `\`${label}\` has a new ${newKey} alternative`);
      else if (pair.old)
        this.emit("schema.variant", old(pair.old), "narrow", `\`${label}\` lost a ${oldKey} alternative`);
    }
  }

  private compareRest({ oldAt, newAt, o, n, label }: Pair): void {
    const keys = unionKeys(o, n);
    for (const keyword of keys) {
      if (HANDLED.has(keyword) || isSameJson(o[keyword], n[keyword])) continue;
      const where = keywordAt(oldAt, newAt, keyword);
      if (ANNOTATIONS.has(keyword) || keyword.startsWith("x-")) {
        const text =
          keyword === "deprecated" && n.deprecated === true
            ? `\`${label}\` is now deprecated; it still works`
            : `The ${keyword} of \`${label}\` changed; documentation only`;
        this.emit("documentation", where, "compatible", text);
      } else {
        // A keyword this diff does not reason about (not, if/then, patternProperties, …): assume the worst both ways.
        const text = `\`${label}\` changed its \`${keyword}\` in a way this diff does not classify; review it`;
        this.emit("schema.other", where, "narrow", text);
        this.emit("schema.other", where, "widen", text);
      }
    }
  }

  /**
   * Records one change. `text` is the subject sentence; the consequence for its side is appended. `wording` picks a
   * sentence written for one case (required, property) instead, with `subject` as its field.
   */
  private emit(
    kind: ChangeKind,
    where: { pointer: string; side: "new" | "old" },
    effect: Effect | "compatible",
    text: string,
    subject = "",
    wording = "",
  ): void {
    const changeClass = effect === "compatible" ? "compatible" : classifySchemaEffect(this.use.direction, effect);
    this.out.push({
      ...where,
      class: changeClass,
      kind,
      operations: this.use.operation === undefined ? [] : [this.use.operation],
      message: consequence({ text, subject, wording, effect, direction: this.use.direction }),
    });
  }
}
