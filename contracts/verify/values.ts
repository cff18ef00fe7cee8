// How values a provider sent are shown and compared. A provider controls these values, so nothing here may recurse
// as deep as the value goes (a 200,000-deep array answers in one JSON.parse, then overflows any recursive walk), and
// nothing here lets a control character through to a terminal or a report.

/** The longest text {@link showValue} renders by default. */
export const SHOW_VALUE_MAX = 160;

/**
 * Renders a value for "expected"/"actual" as JSON, cut after `max` characters. It writes at most `max + 1`
 * characters before it stops, so its recursion depth is bounded by `max` however deep the value is.
 */
export function showValue(value: unknown, max = SHOW_VALUE_MAX): string {
  if (value === undefined) return "(absent)";
  const parts: string[] = [];
  let length = 0;
  const push = (text: string): boolean => {
    parts.push(text);
    length += text.length;
    return length <= max;
  };
  const write = (v: unknown): boolean => {
    if (v === null || v === undefined || typeof v === "function" || typeof v === "symbol") return push("null");
    if (typeof v === "number") return push(Number.isFinite(v) ? String(v) : "null");
    if (typeof v === "bigint") return push(v.toString());
    if (typeof v === "string") return push(JSON.stringify(v.length > max ? v.slice(0, max + 1) : v));
    if (typeof v === "boolean") return push(String(v));
    if (Array.isArray(v)) {
      if (!push("[")) return false;
      for (let i = 0; i < v.length; i++) {
        if ((i > 0 && !push(",")) || !write(v[i])) return false;
      }
      return push("]");
    }
    if (!push("{")) return false;
    let first = true;
    for (const [key, inner] of Object.entries(v as Record<string, unknown>)) {
      if (inner === undefined || typeof inner === "function" || typeof inner === "symbol") continue;
      if ((!first && !push(",")) || !push(`${JSON.stringify(key)}:`) || !write(inner)) return false;
      first = false;
    }
    return push("}");
  };
  const complete = write(value);
  const text = parts.join("");
  return complete && text.length <= max ? text : `${text.slice(0, max)}… (cut at ${max} characters)`;
}

/** JSON equality of an expected scalar (or null, or absent) with what came back, without walking the answer. */
export function sameScalar(expected: unknown, actual: unknown): boolean {
  if (actual !== null && typeof actual === "object") return false;
  return JSON.stringify(expected) === JSON.stringify(actual);
}

// C0 and C1 control characters and DEL: ESC starts terminal escape sequences, BEL rings, BS and CR overwrite.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Replaces every control character in a text by its `\uXXXX` escape, so the text prints as the characters it is. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
