import { MatchersV3 } from "@pact-foundation/pact";
import { escapePointer, type OpenApiDocument, resolvePointer } from "../../spec/load-spec.ts";
import type { SchemaValidator } from "../../spec/schema-validator.ts";

type Schema = Record<string, unknown>;

/** Options of {@link matchersFromSchema}. */
export interface SchemaMatcherOptions {
  /** JSON pointers into the example whose values are part of the contract and must match exactly (e.g. `/code`). */
  exact?: readonly string[];
}

/**
 * Wraps an example body in Pact matchers derived from the spec schema at `ref`: integers → `integer()`, strings →
 * `string()` (or `regex()` for a `pattern`/`enum`), booleans → `boolean()`, `const` and null → the literal, arrays
 * of equal items (such as lists of IDs) → `eachLike()`, other arrays item by item, objects key by key. The example
 * is what the pact records and what a verifier replays; the matchers fix its shape, not its values.
 */
export function matchersFromSchema(
  document: OpenApiDocument,
  validator: SchemaValidator,
  ref: string,
  example: unknown,
  options: SchemaMatcherOptions = {},
): unknown {
  const exact = new Set(options.exact ?? []);
  const walk = (schemaPointers: string[], value: unknown, pointer: string): unknown => {
    if (exact.has(pointer) || value === null) return value;
    const schemas = flatten(document, validator, schemaPointers, value);
    const merged = schemas.map((p) => resolvePointer(document, p.slice(1)) as Schema);
    const constant = merged.find((s) => "const" in s);
    if (constant !== undefined) return value;
    if (Array.isArray(value)) {
      const items = schemas.flatMap((p, i) => ("items" in (merged[i] ?? {}) ? [`${p}/items`] : []));
      const allEqual = value.length > 0 && value.every((v) => JSON.stringify(v) === JSON.stringify(value[0]));
      if (allEqual) return MatchersV3.eachLike(walk(items, value[0], `${pointer}/0`), value.length);
      return value.map((item, i) => walk(items, item, `${pointer}/${i}`));
    }
    if (typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
        const props = schemas.flatMap((p, i) => {
          const properties = (merged[i]?.properties ?? {}) as Schema;
          return key in properties ? [`${p}/properties/${escapePointer(key)}`] : [];
        });
        // A key the schema does not describe (free-form process_info) is matched by type only.
        out[key] = props.length === 0 ? MatchersV3.like(inner) : walk(props, inner, `${pointer}/${escapePointer(key)}`);
      }
      return out;
    }
    const pattern = merged.map((s) => s.pattern).find((p) => typeof p === "string");
    const enumeration = merged.map((s) => s.enum).find((e) => Array.isArray(e)) as unknown[] | undefined;
    if (typeof value === "string") {
      if (typeof pattern === "string") return MatchersV3.regex(pattern, value);
      if (enumeration?.every((e) => typeof e === "string")) {
        return MatchersV3.regex(`^(${enumeration.map((e) => escapeRegex(String(e))).join("|")})$`, value);
      }
      return MatchersV3.string(value);
    }
    if (typeof value === "number")
      return Number.isInteger(value) ? MatchersV3.integer(value) : MatchersV3.decimal(value);
    if (typeof value === "boolean") return MatchersV3.boolean(value);
    return value;
  };
  return walk([ref], example, "");
}

/** Every schema that applies to a value at these places: `$ref`s followed, `allOf` parts added, one `oneOf` branch chosen. */
function flatten(document: OpenApiDocument, validator: SchemaValidator, pointers: string[], value: unknown): string[] {
  const out: string[] = [];
  const visit = (pointer: string): void => {
    const schema = resolvePointer(document, pointer.slice(1)) as Schema | undefined;
    if (schema === undefined || out.includes(pointer)) return;
    out.push(pointer);
    if (typeof schema.$ref === "string") visit(schema.$ref);
    if (Array.isArray(schema.allOf)) {
      for (let i = 0; i < schema.allOf.length; i++) visit(`${pointer}/allOf/${i}`);
    }
    for (const key of ["oneOf", "anyOf"] as const) {
      const branches = schema[key];
      if (!Array.isArray(branches)) continue;
      // The branch the example is valid against is the one whose shape the matchers describe.
      const chosen = branches.findIndex((_, i) => validator.validate(`${pointer}/${key}/${i}`, value).length === 0);
      if (chosen >= 0) visit(`${pointer}/${key}/${chosen}`);
    }
  };
  for (const p of pointers) visit(p);
  return out;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
