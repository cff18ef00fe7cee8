/**
 * Error messages of the reference CMDB, filled from the templates of the spec's `x-cmdb-error-codes` the way Go's
 * `fmt` fills CMDB's templates.
 */
import type { ProviderSpec } from "./spec-data.ts";

/** The language of a response: Chinese by default, English with `Blueking-Language: en` (cmdb-semantics §4.4). */
export type Language = "zh" | "en";

/** One argument of a message template; a list of IDs prints like Go's `%v` of a slice: `[11 12]`. */
export type MessageArg = string | number | readonly number[];

/** A business failure as data: the code of `x-cmdb-error-codes` and the arguments of its template. */
export interface CmdbFailure {
  code: number;
  args: readonly MessageArg[];
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
 * Fills the message template of a code in one language; `%s`, `%d`, `%v` and `%#v` take the arguments in order.
 * @see cmdb-semantics §4.4
 */
export function formatMessage(spec: ProviderSpec, failure: CmdbFailure, language: Language): string {
  const entry = spec.errorCodes.get(failure.code);
  const template =
    (entry ? (language === "en" ? entry.message_en : entry.message_zh) : LOCAL_MESSAGES[failure.code]?.[language]) ??
    `error ${failure.code}`;
  let next = 0;
  return template.replace(/%#?[sdv]/g, () => {
    const arg = failure.args[next++];
    if (arg === undefined) return "%!v(MISSING)";
    return typeof arg === "object" ? `[${arg.join(" ")}]` : String(arg);
  });
}
