/**
 * Error messages of the reference CMDB, filled from the templates of the spec's `x-cmdb-error-codes` the way Go's
 * `fmt` fills CMDB's templates.
 */
import type { ProviderSpec } from "./spec-data.ts";

/** The language of a response: Chinese by default, English with `Blueking-Language: en` (cmdb-semantics §4.4). */
export type Language = "zh" | "en";

/**
 * One argument of a message template: a Go string, an `int64`, a `[]int64`, or another failure whose message becomes
 * the argument (CMDB wraps an inner error's text in an outer code, cmdb-semantics §1.3 A).
 */
export type MessageArg = string | number | readonly number[] | CmdbFailure;

/** A business failure as data: the code of `x-cmdb-error-codes` and the arguments of its template. */
export interface CmdbFailure {
  code: number;
  args: readonly MessageArg[];
  /** The whole message, when CMDB answers a raw error text instead of the code's template (cmdb-semantics §5, JWT). */
  text?: string;
}

/** ESB's own "component not found" for unknown paths; deliberately not part of the spec's error codes. */
export const COMPONENT_NOT_FOUND = 1306404;

const LOCAL_MESSAGES: Readonly<Record<number, { zh: string; en: string }>> = {
  [COMPONENT_NOT_FOUND]: { zh: "组件不存在", en: "component not found" },
};

/** Builds a failure value. */
export function fail(code: number, ...args: MessageArg[]): CmdbFailure {
  return { code, args };
}

/**
 * Fills the message template of a code in one language as Go's `fmt.Sprintf` does: `%s`, `%d`, `%v` and `%#v` take
 * the arguments in order; an `int64` under `%s` prints as `%!s(int64=11)`, a slice item by item; arguments the
 * template has no verb for are appended as `%!(EXTRA string=备注)`.
 * @see cmdb-semantics §1.2 step 8, §4.4
 */
export function formatMessage(spec: ProviderSpec, failure: CmdbFailure, language: Language): string {
  if (failure.text !== undefined) return failure.text;
  const entry = spec.errorCodes.get(failure.code);
  const template =
    (entry ? (language === "en" ? entry.message_en : entry.message_zh) : LOCAL_MESSAGES[failure.code]?.[language]) ??
    `error ${failure.code}`;
  const args = failure.args.map((arg) => (isFailure(arg) ? formatMessage(spec, arg, language) : arg));
  let next = 0;
  const filled = template.replace(/%#?([sdv])/g, (_verb, letter: string) => {
    const arg = args[next++];
    return arg === undefined ? `%!${letter}(MISSING)` : goFormat(letter, arg as GoValue);
  });
  if (next >= args.length) return filled;
  const extra = args.slice(next).map((arg) => `${goTypeOf(arg as GoValue)}=${goFormat("v", arg as GoValue)}`);
  return `${filled}%!(EXTRA ${extra.join(", ")})`;
}

type GoValue = string | number | readonly number[];

function goFormat(verb: string, value: GoValue): string {
  if (typeof value === "object") return `[${value.map((item) => goFormat(verb, item)).join(" ")}]`;
  if (typeof value === "number") return verb === "s" ? `%!s(int64=${value})` : String(value);
  return verb === "d" ? `%!d(string=${value})` : value;
}

function goTypeOf(value: GoValue): string {
  if (typeof value === "object") return "[]int64";
  return typeof value === "number" ? "int64" : "string";
}

function isFailure(arg: MessageArg): arg is CmdbFailure {
  return typeof arg === "object" && !Array.isArray(arg);
}
