// Reading the spec's text: one normalisation of bilingual text for every emitter, and the small helpers every model
// builder needs to walk a parsed YAML document.

/** A text of the spec in both languages; either may be empty when the spec leaves it out. */
export interface BilingualText {
  en: string;
  zh: string;
}

/** Characters of CJK text and its punctuation, between which folded YAML's joining space does not belong. */
const CJK = "[\\u3000-\\u303f\\u4e00-\\u9fff\\uff00-\\uffef]";
const SPACE_BETWEEN_CJK = new RegExp(`(?<=${CJK}) (?=${CJK})`, "gu");

/** Collapses runs of whitespace (folded YAML keeps none, but hand-edited specs may); non-strings become "". */
export function normalizeSpace(value: unknown): string {
  return typeof value === "string" ? value.trim().replace(/\s+/g, " ") : "";
}

/**
 * {@link normalizeSpace}, then drops the spaces folded YAML puts between Chinese characters and punctuation at line
 * ends ("ID。 模块" → "ID。模块"); spaces beside Latin text ("模块 ID") stay.
 */
export function normalizeChineseSpace(value: unknown): string {
  return normalizeSpace(value).replace(SPACE_BETWEEN_CJK, "");
}

/**
 * A spec text's citation of the semantics document, "(cmdb-semantics §2.1, §2.2)" or "(§1.3 B.5)": it tells a
 * maintainer where a rule comes from, but a reader of the generated docs and client cannot open that document.
 */
const CITATION = /\s*\((?:cmdb-semantics )?§[^()]*\)/g;

/**
 * Reads an English text and its Chinese twin (`description` and `x-description-zh`), each normalised once, without
 * citations of the semantics document.
 */
export function readBilingual(node: unknown, key = "description", zhKey = `x-${key}-zh`): BilingualText {
  const record = isObject(node) ? node : {};
  return {
    en: withoutCitations(normalizeSpace(record[key])),
    zh: withoutCitations(normalizeChineseSpace(record[zhKey])),
  };
}

/** A text without its citations of the semantics document ("(cmdb-semantics §2.1)", "(§1.3 B.5)"). */
export function withoutCitations(text: string): string {
  return text.replace(CITATION, "");
}

/** Narrows to a plain object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The value when it is an array, else an empty one. */
export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Code-point order, so sorted output does not depend on the machine's locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
