/**
 * The process-model data of the spec that JSON Schema cannot state: `x-cmdb-field-rules` (byte limits, trimming, key
 * matching, number literals, the `bind_info` sub-fields) and `x-cmdb-inner-error-codes` (codes that reach a caller
 * only inside another code's message). Pure.
 * @see cmdb-semantics §1.3, §3
 */
import { escapePointer } from "../spec/load-spec.ts";
import { bothSides, change, isJsonObject, isSameJson, type JsonObject, type SpecChange, unionKeys } from "./changes.ts";
import { diffDocumentation } from "./documentation-diff.ts";
import { diffRule, type RuleFamily } from "./rule-diff.ts";

const FIELD_RULES: RuleFamily = {
  noun: "field rule",
  kind: "field-rule",
  names: {
    "string_length.unit": "what a string limit counts",
    "string_length.of": "which value a string limit measures",
    "request_keys.request_fields": "how request field names match",
    "request_keys.templated_process_info": "how `process_info` keys match on a templated module",
    "number_literals.raw_process_info": "what a non-integer number does without a template",
  },
};

/**
 * Compares `x-cmdb-field-rules`: a process field or `bind_info` sub-field added, removed, or with another limit,
 * type or requirement, and every other changed rule. Each breaks both sides: providers must validate by the new
 * rule, and callers get other answers.
 */
export function diffFieldRules(before: unknown, after: unknown): SpecChange[] {
  const o = isJsonObject(before) ? before : {};
  const n = isJsonObject(after) ? after : {};
  const root = "/x-cmdb-field-rules";
  const ops = Array.isArray(n.operations) ? n.operations.map(String) : [];
  const out: SpecChange[] = [];
  diffFieldList(o.process_fields, n.process_fields, "process_fields", `${root}/process_fields`, ops, out);
  const ob = isJsonObject(o.bind_info) ? o.bind_info : {};
  const nb = isJsonObject(n.bind_info) ? n.bind_info : {};
  diffFieldList(ob.sub_fields, nb.sub_fields, "bind_info.sub_fields", `${root}/bind_info/sub_fields`, ops, out);
  for (const key of unionKeys(ob, nb).filter((k) => k !== "sub_fields")) {
    diffRule(ob[key], nb[key], `bind_info.${key}`, `${root}/bind_info/${escapePointer(key)}`, ops, out, FIELD_RULES);
  }
  for (const key of ["description", "x-description-zh"]) {
    out.push(...diffDocumentation(o[key], n[key], `${root}/${key}`, 0));
  }
  const handled = new Set(["process_fields", "bind_info", "description", "x-description-zh"]);
  for (const key of unionKeys(o, n).filter((k) => !handled.has(k))) {
    diffRule(o[key], n[key], key, `${root}/${escapePointer(key)}`, ops, out, FIELD_RULES);
  }
  return out;
}

/** Compares a list of `{ field, … }` entries by field name, each change pointing at its own entry. */
function diffFieldList(
  before: unknown,
  after: unknown,
  path: string,
  pointer: string,
  ops: string[],
  out: SpecChange[],
): void {
  const index = (list: unknown) =>
    new Map(
      (Array.isArray(list) ? list : []).flatMap((entry, i) =>
        isJsonObject(entry) ? [[String(entry.field), { entry, i }] as const] : [],
      ),
    );
  const olds = index(before);
  const news = index(after);
  for (const field of unionKeys(olds, news)) {
    const o = olds.get(field);
    const n = news.get(field);
    if (o && n) {
      for (const key of unionKeys(o.entry, n.entry)) {
        const at = `${pointer}/${n.i}/${escapePointer(key)}`;
        diffRule(o.entry[key], n.entry[key], `${path}.${field}.${key}`, at, ops, out, FIELD_RULES);
      }
    } else if (n) {
      const what = `\`${field}\` is a new entry of \`${path}\`, with rules ${showEntry(n.entry)}`;
      const consumers = "callers' values for it are now validated by them";
      out.push(...bothSides(`${pointer}/${n.i}`, "field-rule", ops, what, consumers, "providers must apply them"));
    } else if (o) {
      const what = `\`${field}\` is no longer an entry of \`${path}\``;
      const consumers = "callers' values for it are no longer validated or kept";
      const providers = "providers that still apply its rules answer wrongly";
      const gone = bothSides(`${pointer}/${o.i}`, "field-rule", ops, what, consumers, providers);
      out.push(...gone.map((c) => ({ ...c, side: "old" as const })));
    }
  }
}

/**
 * Compares `x-cmdb-inner-error-codes`. Such a code is never a response's `code`: callers meet it only as text inside
 * another code's message, so a change breaks providers alone, which must write the new text in the new cases.
 */
export function diffInnerErrorCodes(before: unknown, after: unknown): SpecChange[] {
  const index = (list: unknown) => {
    const map = new Map<string, { entry: JsonObject; i: number }>();
    for (const [i, entry] of (Array.isArray(list) ? list : []).entries()) {
      if (isJsonObject(entry)) map.set(String(entry.code), { entry, i });
    }
    return map;
  };
  const olds = index(before);
  const news = index(after);
  const out: SpecChange[] = [];
  for (const code of unionKeys(olds, news)) {
    const o = olds.get(code);
    const n = news.get(code);
    const label = `inner error code ${code} (${String((n ?? o)?.entry.name)})`;
    const at = `/x-cmdb-inner-error-codes/${(n ?? o)?.i}`;
    const inText = "callers see it only inside another code's message";
    if (!o) {
      const message = `There is a new ${label}: providers must write its text when ${String(n?.entry.when)}; ${inText}.`;
      out.push(change(at, "new", "breaking-for-providers", "error-code", [], message));
    } else if (!n) {
      const message = `The ${label} is gone: providers that still write its text answer wrongly; ${inText}.`;
      out.push(change(at, "old", "breaking-for-providers", "error-code", [], message));
    } else {
      if (!isSameJson(o.entry.when, n.entry.when)) {
        const message = `The condition of the ${label} changed to “${String(n.entry.when)}”: providers must write its text in the new cases; ${inText}.`;
        out.push(change(`${at}/when`, "new", "breaking-for-providers", "error-code", [], message));
      }
      for (const key of unionKeys(o.entry, n.entry).filter((k) => k !== "when" && k !== "code")) {
        out.push(...diffDocumentation(o.entry[key], n.entry[key], `${at}/${escapePointer(key)}`, 0));
      }
    }
  }
  return out;
}

function showEntry(entry: JsonObject): string {
  const { field: _field, ...rules } = entry;
  return JSON.stringify(rules);
}
