import { escapePointer } from "../spec/load-spec.ts";
import { change, isJsonObject, isSameJson, type SpecChange, unionKeys } from "./changes.ts";

/**
 * Lists changes to parts that only document (descriptions, examples, tags, info), all compatible: a whole value is
 * reported once `depth` levels of objects below `pointer` have been entered.
 */
export function diffDocumentation(
  before: unknown,
  after: unknown,
  pointer: string,
  depth: number,
  ops: string[] = [],
): SpecChange[] {
  if (isSameJson(before, after)) return [];
  if (depth > 0 && isJsonObject(before) && isJsonObject(after)) {
    const keys = unionKeys(before, after);
    return keys.flatMap((k) =>
      diffDocumentation(before[k], after[k], `${pointer}/${escapePointer(k)}`, depth - 1, ops),
    );
  }
  const what = before === undefined ? "was added" : after === undefined ? "was removed" : "changed";
  return [
    change(
      pointer,
      after === undefined ? "old" : "new",
      "compatible",
      "documentation",
      ops,
      `\`${lastToken(pointer)}\` ${what}; documentation only, neither side breaks.`,
    ),
  ];
}

function lastToken(pointer: string): string {
  return (pointer.split("/").pop() ?? "").replace(/~1/g, "/").replace(/~0/g, "~");
}
