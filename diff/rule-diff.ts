import { escapePointer } from "../spec/load-spec.ts";
import { bothSides, isJsonObject, isSameJson, type SpecChange, showValue, unionKeys } from "./changes.ts";

/** What a family of behaviour rules is called in sentences, and the kind its changes carry. */
export interface RuleFamily {
  noun: string;
  kind: SpecChange["kind"];
  names: Record<string, string>;
}

/**
 * Compares one rule (or a tree of them) leaf by leaf: every changed value breaks both sides, since providers must
 * apply the new rule and callers see what it gives.
 */
export function diffRule(
  before: unknown,
  after: unknown,
  path: string,
  pointer: string,
  ops: string[],
  out: SpecChange[],
  family: RuleFamily,
): void {
  if (isSameJson(before, after)) return;
  if (isJsonObject(before) && isJsonObject(after)) {
    for (const key of unionKeys(before, after)) {
      diffRule(before[key], after[key], `${path}.${key}`, `${pointer}/${escapePointer(key)}`, ops, out, family);
    }
    return;
  }
  const named = family.names[path];
  const rule = named ? `${named} (\`${path}\`)` : `the ${family.noun} \`${path}\``;
  const what =
    before === undefined
      ? `There is a new ${family.noun} \`${path}\`: ${showValue(after)}`
      : after === undefined
        ? `The ${family.noun} \`${path}\` (${showValue(before)}) is gone`
        : `${rule} changed from ${showValue(before)} to ${showValue(after)}`;
  out.push(
    ...bothSides(
      pointer,
      family.kind,
      ops,
      capitalize(what),
      "callers that rely on the old rule get other results",
      "providers must apply the new rule",
    ),
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
