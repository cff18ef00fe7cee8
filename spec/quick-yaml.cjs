// The quick way to parse a spec: js-yaml, reading scalars as `yaml` does, in about a quarter of `yaml`'s time. Plain
// CommonJS, so the diff's worker thread (cli/diff-worker.cjs, started before any TypeScript loader) and
// spec/load-spec.ts share it. `loadQuickly` answers undefined for any text it will not vouch for: one js-yaml refuses
// (a syntax error, a duplicate key, an unknown tag), an empty one, or one whose aliases stand for far more than the
// text holds. The caller then parses with `yaml`, which names the line and column of a syntax error and refuses an
// alias bomb (`maxAliasCount`); test/spec/shared-spec.test.ts holds both parsers to the same documents.
const { FAILSAFE_SCHEMA, load, Type } = require("js-yaml");

// YAML 1.2's core schema with the patterns of `yaml` (yaml/dist/schema/core), so both parsers read every scalar
// alike; js-yaml's own differ (`0b11` is a number to it, `+.5` a string).
const scalar = (tag, forms) =>
  new Type(`tag:yaml.org,2002:${tag}`, {
    kind: "scalar",
    resolve: (text) => typeof text === "string" && forms.some(([form]) => form.test(text)),
    construct: (text) => forms.find(([form]) => form.test(text))?.[1](text),
  });
const CORE_SCHEMA = FAILSAFE_SCHEMA.extend({
  implicit: [
    scalar("null", [[/^(?:~|[Nn]ull|NULL)?$/, () => null]]),
    scalar("bool", [[/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (t) => t.startsWith("t") || t.startsWith("T")]]),
    scalar("int", [
      [/^0o[0-7]+$/, (t) => Number.parseInt(t.slice(2), 8)],
      [/^[-+]?[0-9]+$/, (t) => Number.parseInt(t, 10)],
      [/^0x[0-9a-fA-F]+$/, (t) => Number.parseInt(t.slice(2), 16)],
    ]),
    scalar("float", [
      [/^[-+]?\.(?:inf|Inf|INF)$/, (t) => (t.startsWith("-") ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY)],
      [/^\.(?:nan|NaN|NAN)$/, () => Number.NaN],
      [/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, Number.parseFloat],
      [/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/, Number.parseFloat],
    ]),
  ],
});

/**
 * Parses a YAML text, answering `{ value }`, or undefined when it will not vouch for the result (see the top).
 * @param {string} text
 * @param {string} filename
 * @returns {{ value: unknown } | undefined}
 */
function loadQuickly(text, filename) {
  let value;
  try {
    value = load(text, { filename, schema: CORE_SCHEMA });
  } catch {
    return undefined;
  }
  // An empty text is undefined to js-yaml and null to `yaml`: `yaml` answers it.
  if (value === undefined) return undefined;
  return expandsModestly(value) ? { value } : undefined;
}

// js-yaml gives every alias the anchored object itself, so the parsed value is a graph that a walk (the diff, the
// validation) reads as a tree. The tree's size is counted once per distinct object; one more than twice the graph's
// own size (a few aliases nested in each other: "billion laughs") is left to `yaml`, as is a cycle.
function expandsModestly(root) {
  // Each distinct object's expanded size; a node still being counted is infinite, so a cycle never passes.
  const sizes = new Map();
  const sizeOf = (node) => {
    if (node === null || typeof node !== "object") return 1;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    sizes.set(node, Number.POSITIVE_INFINITY);
    let size = 1;
    for (const child of Array.isArray(node) ? node : Object.values(node)) size += sizeOf(child);
    sizes.set(node, size);
    return size;
  };
  return sizeOf(root) <= 2 * (sizes.size + 1000);
}

module.exports = { loadQuickly };
