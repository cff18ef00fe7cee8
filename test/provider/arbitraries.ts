/**
 * fast-check arbitraries built from the spec's JSON Schemas (so generated bodies follow the spec), biased towards
 * the IDs of a test world so that many of them get deep into the rules, plus mutations that break them.
 */
import fc from "fast-check";
import { type JsonSchema, type OpenApiDocument, resolvePointer } from "../../spec/load-spec.ts";

/** Values an integer field of this name takes besides random integers: IDs that exist in the test world. */
export type IdHints = Readonly<Record<string, readonly number[]>>;

/** Strings a field of this name takes besides random ones (e.g. valid credentials). */
export type StringHints = Readonly<Record<string, readonly string[]>>;

const MAX_ITEMS = 3;

/** Builds an arbitrary of values that satisfy one schema of the spec (by `$ref`), with hints for known names. */
export function arbitraryFromSchema(
  document: OpenApiDocument,
  ref: string,
  hints: { ids: IdHints; strings: StringHints },
): fc.Arbitrary<unknown> {
  const build = (schema: JsonSchema, name: string, depth: number): fc.Arbitrary<unknown> => {
    if (typeof schema.$ref === "string") {
      return build(resolvePointer(document, schema.$ref.slice(1)) as JsonSchema, name, depth);
    }
    if (Array.isArray(schema.allOf)) return buildAllOf(schema.allOf as JsonSchema[], name, depth);
    const alternatives = (schema.oneOf ?? schema.anyOf) as JsonSchema[] | undefined;
    if (Array.isArray(alternatives)) return fc.oneof(...alternatives.map((s) => build(s, name, depth)));
    if (Object.hasOwn(schema, "const")) return fc.constant(schema.const);
    if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [String(schema.type ?? "")];
    const options = types
      .filter((t) => t !== "null")
      .map((t) => ({ weight: 4, arbitrary: buildType(t, schema, name, depth) }));
    // Null is rarer than a real value so that bodies mostly carry data.
    if (types.includes("null")) options.push({ weight: 1, arbitrary: fc.constant(null) });
    if (options.length === 0) return fc.jsonValue({ maxDepth: 2 });
    return fc.oneof(...options);
  };

  const buildAllOf = (parts: JsonSchema[], name: string, depth: number): fc.Arbitrary<unknown> =>
    fc
      .tuple(...parts.map((p) => build(p, name, depth)))
      .map((values) => Object.assign({}, ...values.filter((v) => v !== null && typeof v === "object")));

  const buildType = (type: string, schema: JsonSchema, name: string, depth: number): fc.Arbitrary<unknown> => {
    switch (type) {
      case "object": {
        const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
        if (depth > 6) return fc.constant({});
        const record: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [key, sub] of Object.entries(properties)) record[key] = build(sub, key, depth + 1);
        const required = ((schema.required ?? []) as string[]).filter((k) => k in record);
        return fc.record(record, { requiredKeys: required });
      }
      case "array": {
        const minLength = Math.min(Number(schema.minItems ?? 0), MAX_ITEMS);
        const maxLength = Math.min(Number(schema.maxItems ?? MAX_ITEMS), MAX_ITEMS);
        const item = schema.items ? build(schema.items as JsonSchema, name, depth + 1) : fc.jsonValue({ maxDepth: 1 });
        return fc.array(item, { minLength, maxLength });
      }
      case "string": {
        const hinted = hints.strings[name];
        let base: fc.Arbitrary<string> =
          typeof schema.pattern === "string"
            ? fc.stringMatching(new RegExp(schema.pattern))
            : fc.string({ maxLength: Math.min(Number(schema.maxLength ?? 12), 12) });
        if (typeof schema.minLength === "number") base = base.filter((s) => s.length >= Number(schema.minLength));
        return hinted
          ? fc.oneof({ weight: 19, arbitrary: fc.constantFrom(...hinted) }, { weight: 1, arbitrary: base })
          : base;
      }
      case "integer": {
        const min = typeof schema.minimum === "number" ? schema.minimum : -1000;
        const max = typeof schema.maximum === "number" ? schema.maximum : 100_000;
        const base = fc.integer({ min, max });
        const hinted = hints.ids[name];
        return hinted
          ? fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...hinted) }, { weight: 1, arbitrary: base })
          : base;
      }
      case "number":
        return fc.double({ noNaN: true, noDefaultInfinity: true });
      case "boolean":
        return fc.boolean();
      default:
        return fc.jsonValue({ maxDepth: 2 });
    }
  };

  return build({ $ref: ref }, "", 0);
}

/** A change to a valid body: none, or one that breaks its shape, its types or its JSON text. */
export type Mutation =
  | { kind: "none" }
  | { kind: "delete"; at: number }
  | { kind: "replace"; at: number; value: unknown }
  | { kind: "wrap"; at: number }
  | { kind: "truncate"; at: number }
  | { kind: "garble"; at: number; text: string }
  | { kind: "deep"; depth: number }
  | { kind: "not-object"; value: unknown };

/** Mutations with weights: about a third of the bodies stay valid per the schema. */
export const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ kind: "none" as const }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }) },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant("replace" as const), at: fc.nat(), value: fc.jsonValue({ maxDepth: 3 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("wrap" as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("garble" as const),
      at: fc.nat(),
      text: fc.string({ minLength: 1, maxLength: 4 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("deep" as const), depth: fc.integer({ min: 50, max: 3000 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("not-object" as const), value: fc.jsonValue({ maxDepth: 2 }) }),
  },
);

/** Applies a mutation and answers the body text to send. */
export function applyMutation(body: unknown, mutation: Mutation): string {
  switch (mutation.kind) {
    case "none":
      return JSON.stringify(body);
    case "delete":
    case "replace":
    case "wrap": {
      const copy = structuredClone(body);
      const slots = collectSlots(copy);
      const slot = slots[mutation.at % Math.max(slots.length, 1)];
      if (slot) {
        const [parent, key] = slot;
        if (mutation.kind === "delete") {
          if (Array.isArray(parent)) parent.splice(Number(key), 1);
          else delete parent[key];
        } else if (mutation.kind === "replace") {
          (parent as Record<string, unknown>)[key] = mutation.value;
        } else {
          (parent as Record<string, unknown>)[key] = [(parent as Record<string, unknown>)[key]];
        }
      }
      return JSON.stringify(copy);
    }
    case "truncate": {
      const text = JSON.stringify(body);
      return text.slice(0, mutation.at % Math.max(text.length, 1));
    }
    case "garble": {
      const text = JSON.stringify(body);
      const at = mutation.at % Math.max(text.length, 1);
      return `${text.slice(0, at)}${mutation.text}${text.slice(at)}`;
    }
    case "deep": {
      const text = JSON.stringify(body);
      return `${text.slice(0, -1)},"deep":${"[".repeat(mutation.depth)}${"]".repeat(mutation.depth)}}`;
    }
    case "not-object":
      return JSON.stringify(mutation.value);
  }
}

// Every (container, key) pair of a value, so a mutation can reach any node.
function collectSlots(root: unknown): [Record<string, unknown>, string][] {
  const slots: [Record<string, unknown>, string][] = [];
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== "object") return;
    for (const key of Object.keys(node)) {
      slots.push([node as Record<string, unknown>, key]);
      visit((node as Record<string, unknown>)[key]);
    }
  };
  visit(root);
  return slots;
}
