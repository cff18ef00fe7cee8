/**
 * The `x-cmdb-*` data that changes behaviour without changing a schema: error codes per operation, the validation
 * order, and the template-lock rules (cmdb-semantics §1.2, §2, §4). Most such changes break both sides: a provider
 * must do something else, and a caller sees something else. Pure.
 */
import { escapePointer } from "../spec/load-spec.ts";
import { bothSides, change, isJsonObject, isSameJson, type JsonObject, type SpecChange, unionKeys } from "./changes.ts";
import { diffDocumentation } from "./documentation-diff.ts";
import { diffRule, type RuleFamily } from "./rule-diff.ts";

/** A list inside a document and its JSON pointer. */
export interface ListAt {
  list: unknown;
  pointer: string;
}

interface Step {
  code: unknown;
  when: string;
  whenZh: unknown;
  index: number;
}

/**
 * Compares one operation's `x-cmdb-validation-order`: added, removed and moved checks and changed codes. The first
 * failing check answers, so any change decides which code a caller sees.
 * @see cmdb-semantics §1.2
 */
export function diffValidationOrder(before: ListAt, after: ListAt, operation: string): SpecChange[] {
  const steps = (list: unknown): Step[] =>
    (Array.isArray(list) ? list : []).map((s: JsonObject, index) => ({
      code: s?.code,
      when: String(s?.when ?? ""),
      whenZh: s?.when_zh,
      index,
    }));
  const olds = steps(before.list);
  const news = steps(after.list);
  const pairs: [Step, Step][] = [];
  const usedOld = new Set<number>();
  const usedNew = new Set<number>();
  const pair = (match: (o: Step, n: Step) => boolean) => {
    for (const o of olds) {
      if (usedOld.has(o.index)) continue;
      const n = news.find((x) => !usedNew.has(x.index) && match(o, x));
      if (!n) continue;
      usedOld.add(o.index);
      usedNew.add(n.index);
      pairs.push([o, n]);
    }
  };
  pair((o, n) => o.code === n.code && o.when === n.when);
  pair((o, n) => o.when === n.when);
  pair((o, n) => o.index === n.index);
  const ops = [operation];
  const at = (s: Step) => `${after.pointer}/${s.index}`;
  const name = (s: Step) => `“${s.when}” (${String(s.code)})`;
  const out: SpecChange[] = [];
  for (const o of olds.filter((s) => !usedOld.has(s.index))) {
    out.push(
      ...bothSides(
        `${before.pointer}/${o.index}`,
        "validation-order",
        ops,
        `\`${operation}\` no longer checks ${name(o)}, step ${o.index + 1}`,
        `requests that failed with ${String(o.code)} now reach later checks or succeed`,
        "providers that still reject them no longer conform",
      ).map((c) => ({ ...c, side: "old" as const })),
    );
  }
  for (const n of news.filter((s) => !usedNew.has(s.index))) {
    out.push(
      ...bothSides(
        at(n),
        "validation-order",
        ops,
        `\`${operation}\` now checks ${name(n)} at step ${n.index + 1}`,
        `callers whose requests meet it now get ${String(n.code)}`,
        "providers must add the check in this position",
      ),
    );
  }
  const kept = new Set(longestIncreasing(pairs.sort((a, b) => a[1].index - b[1].index).map(([o]) => o.index)));
  for (const [o, n] of pairs) {
    if (o.code !== n.code) {
      out.push(
        ...bothSides(
          `${at(n)}/code`,
          "validation-order",
          ops,
          `Step ${n.index + 1} of \`${operation}\`, “${n.when}”, now answers ${String(n.code)} (was ${String(o.code)})`,
          `callers that handle ${String(o.code)} get ${String(n.code)} instead`,
          `providers must answer ${String(n.code)}`,
        ),
      );
    }
    if (o.when !== n.when) {
      out.push(
        ...bothSides(
          `${at(n)}/when`,
          "validation-order",
          ops,
          `Step ${n.index + 1} of \`${operation}\` (${String(n.code)}) now checks “${n.when}” (was “${o.when}”)`,
          "callers whose requests meet one condition and not the other get another outcome",
          "providers must check the new condition",
        ),
      );
    } else if (!isSameJson(o.whenZh, n.whenZh)) {
      out.push(
        change(
          `${at(n)}/when_zh`,
          "new",
          "compatible",
          "documentation",
          ops,
          `The Chinese text of step ${n.index + 1} of \`${operation}\` changed; documentation only, neither side breaks.`,
        ),
      );
    }
    if (!kept.has(o.index)) {
      out.push(
        ...bothSides(
          at(n),
          "validation-order",
          ops,
          `\`${operation}\` now checks ${name(n)} at step ${n.index + 1} (was step ${o.index + 1})`,
          "a request that fails several checks now gets another code",
          "providers must check in the new order",
        ),
      );
    }
  }
  return out;
}

/**
 * Compares `x-cmdb-error-codes` per operation: a code an operation may now answer, or no longer answers, and a code
 * whose condition changed.
 * @see cmdb-semantics §4.4
 */
export function diffErrorCodes(before: unknown, after: unknown): SpecChange[] {
  const index = (list: unknown) => {
    const map = new Map<number, { entry: JsonObject; i: number }>();
    for (const [i, entry] of (Array.isArray(list) ? list : []).entries()) {
      if (isJsonObject(entry) && typeof entry.code === "number") map.set(entry.code, { entry, i });
    }
    return map;
  };
  const olds = index(before);
  const news = index(after);
  const out: SpecChange[] = [];
  for (const code of [...new Set([...olds.keys(), ...news.keys()])].sort((a, b) => a - b)) {
    const o = olds.get(code);
    const n = news.get(code);
    const opsOf = (e?: { entry: JsonObject }) =>
      Array.isArray(e?.entry.operations) ? e.entry.operations.map(String) : [];
    const label = `error code ${code} (${String((n ?? o)?.entry.name)})`;
    const oldAt = `/x-cmdb-error-codes/${o?.i}`;
    const newAt = `/x-cmdb-error-codes/${n?.i}`;
    for (const op of opsOf(n).filter((x) => !opsOf(o).includes(x))) {
      out.push(
        ...bothSides(
          o ? `${newAt}/operations` : newAt,
          "error-code",
          [op],
          `\`${op}\` may now answer ${label}`,
          "callers' error handling does not know it yet",
          `providers must answer it when ${shorten(String(n?.entry.when))}`,
        ),
      );
    }
    for (const op of opsOf(o).filter((x) => !opsOf(n).includes(x))) {
      const gone = `\`${op}\` no longer answers ${label}`;
      const providers = "providers that still answer it no longer conform";
      if (n) {
        // Another operation keeps the code, so the generated client keeps it too: handling it is dead code, no break.
        out.push(
          change(
            `${newAt}/operations`,
            "new",
            "compatible",
            "error-code",
            [op],
            `${gone}; callers' handling of it is now dead code.`,
          ),
        );
        out.push(
          change(`${newAt}/operations`, "new", "breaking-for-providers", "error-code", [op], `${gone}: ${providers}.`),
        );
      } else {
        const consumers = "a regenerated client drops the code, so callers that test for it must change";
        out.push(
          ...bothSides(oldAt, "error-code", [op], gone, consumers, providers).map((c) => ({
            ...c,
            side: "old" as const,
          })),
        );
      }
    }
    if (o && n && !isSameJson(o.entry.when, n.entry.when)) {
      out.push(
        ...bothSides(
          `${newAt}/when`,
          "error-code",
          opsOf(n),
          `The condition of ${label} changed to “${shorten(String(n.entry.when))}”`,
          "callers get it in other cases than before",
          "providers must answer it in the new cases",
        ),
      );
    }
    if (o && n) {
      for (const key of ["name", "layer", "when_zh", "args", "args_zh", "message_zh", "message_en"]) {
        out.push(...diffDocumentation(o.entry[key], n.entry[key], `${newAt}/${key}`, 0, opsOf(n)));
      }
    }
  }
  return out;
}

// Plain words for the lock rules a reader meets most (cmdb-semantics §2.1, §2.2).
const LOCK_RULES: RuleFamily = {
  noun: "lock rule",
  kind: "template-lock",
  names: {
    "caller_value.unlocked_null": "what a caller's explicit null does to an unlocked field",
    "caller_value.locked_null": "what a caller's explicit null does to a locked field",
    "caller_value.locked": "what happens to a caller's value for a locked field",
    "caller_value.unlocked": "what happens to a caller's value for an unlocked field",
    "caller_value.omitted": "what an omitted field becomes",
    null_lock_flag_means: "what a null lock flag means",
    "entry_match.key": "how `processes` entries find their process template",
    "entry_match.duplicate": "which of two entries for one process template wins",
    "bind_info.match.caller_key": "the caller's key that matches a `bind_info` row to a template row",
    "bind_info.match.template_key": "the template's key that a caller's `bind_info` row matches",
    "bind_info.caller_row_without_match": "what happens to a caller's `bind_info` row that matches no template row",
  },
};

/**
 * Compares `x-cmdb-template-lock`: fields that became lockable or always locked (or stopped being so), and every
 * changed rule (null handling, `bind_info` matching, entry matching, …).
 * @see cmdb-semantics §2.1, §2.2
 */
export function diffTemplateLock(before: unknown, after: unknown): SpecChange[] {
  const o = isJsonObject(before) ? before : {};
  const n = isJsonObject(after) ? after : {};
  const root = "/x-cmdb-template-lock";
  const ops = Array.isArray(n.operations) ? n.operations.map(String) : [];
  const out: SpecChange[] = [];
  // field → [type, index], so a change points at its own entry.
  const fields = (v: unknown) =>
    new Map(
      (Array.isArray(v) ? v : []).flatMap((f, i) => (isJsonObject(f) ? [[String(f.field), [f.type, i]] as const] : [])),
    );
  const lockableBefore = fields(o.lockable_fields);
  const lockableAfter = fields(n.lockable_fields);
  for (const [field, [type, index]] of lockableAfter) {
    const at = `${root}/lockable_fields/${index}`;
    const was = lockableBefore.get(field)?.[0];
    if (!lockableBefore.has(field)) {
      out.push(
        ...bothSides(
          at,
          "template-lock",
          ops,
          `\`${field}\` can now be locked by a process template`,
          "callers' values for it are silently ignored where a template locks it",
          "providers must keep the template value where it is locked",
        ),
      );
    } else if (was !== type) {
      out.push(
        ...bothSides(
          `${at}/type`,
          "template-lock",
          ops,
          `The lockable field \`${field}\` is now of type ${String(type)} (was ${String(was)})`,
          "callers must send the new type",
          "providers must store the new type",
        ),
      );
    }
  }
  for (const [field, [, index]] of lockableBefore) {
    if (lockableAfter.has(field)) continue;
    out.push(
      change(
        `${root}/lockable_fields/${index}`,
        "old",
        "breaking-for-providers",
        "template-lock",
        ops,
        `\`${field}\` can no longer be locked: providers must apply callers' values even where a template marks it locked.`,
      ),
    );
  }
  const always = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  for (const [index, field] of always(n.always_locked).entries()) {
    if (always(o.always_locked).includes(field)) continue;
    out.push(
      ...bothSides(
        `${root}/always_locked/${index}`,
        "template-lock",
        ops,
        `\`${field}\` is now always locked`,
        "callers' values for it are always ignored on a templated module",
        "providers must ignore callers' values for it even where the template leaves it unlocked",
      ),
    );
  }
  for (const [index, field] of always(o.always_locked).entries()) {
    if (always(n.always_locked).includes(field)) continue;
    out.push(
      change(
        `${root}/always_locked/${index}`,
        "old",
        "breaking-for-providers",
        "template-lock",
        ops,
        `\`${field}\` is no longer always locked: providers must apply callers' values where the template leaves it unlocked.`,
      ),
    );
  }
  for (const key of ["description", "x-description-zh"])
    out.push(...diffDocumentation(o[key], n[key], `${root}/${key}`, 0));
  const handled = new Set(["lockable_fields", "always_locked", "description", "x-description-zh"]);
  const keys = unionKeys(o, n).filter((k) => !handled.has(k));
  for (const key of keys) diffRule(o[key], n[key], key, `${root}/${escapePointer(key)}`, ops, out, LOCK_RULES);
  return out;
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 100 ? `${flat.slice(0, 99)}…` : flat;
}

/** The values of the longest increasing subsequence: the checks that kept their relative order. */
function longestIncreasing(values: number[]): number[] {
  const best: number[][] = [];
  for (const v of values) {
    let chain: number[] = [];
    for (const c of best) if ((c.at(-1) ?? -1) < v && c.length > chain.length) chain = c;
    best.push([...chain, v]);
  }
  return best.reduce((a, c) => (c.length > a.length ? c : a), [] as number[]);
}
