import type { Direction, Effect } from "./changes.ts";

/** A numeric limit keyword: whether it caps from above, and the words for its value. */
export interface Limit {
  keyword: string;
  upper: boolean;
  words: (n: number) => string;
}

/** The limit keywords of JSON Schema the diff compares (`maxItems`, `maxLength`, `maximum`, …). */
export const LIMITS: readonly Limit[] = [
  { keyword: "maxItems", upper: true, words: (n) => `at most ${n} items` },
  { keyword: "minItems", upper: false, words: (n) => `at least ${n} items` },
  { keyword: "maxLength", upper: true, words: (n) => `at most ${n} characters` },
  { keyword: "minLength", upper: false, words: (n) => `at least ${n} characters` },
  { keyword: "maximum", upper: true, words: (n) => `at most ${n}` },
  { keyword: "minimum", upper: false, words: (n) => `at least ${n}` },
  { keyword: "exclusiveMaximum", upper: true, words: (n) => `less than ${n}` },
  { keyword: "exclusiveMinimum", upper: false, words: (n) => `more than ${n}` },
  { keyword: "maxProperties", upper: true, words: (n) => `at most ${n} properties` },
  { keyword: "minProperties", upper: false, words: (n) => `at least ${n} properties` },
];

/** A limit's value in words: "at most 100 items". */
export function describeLimit(limit: Limit, value: number | undefined): string {
  return value === undefined ? "no limit" : limit.words(value);
}

/** The parts of a schema change's sentence. */
export interface Wording {
  /** The subject sentence without a consequence ("`X.y` may now be null"), or empty when `wording` says it all. */
  text: string;
  /** The field a `wording` sentence is about (`CreateServiceInstanceParams.bk_biz_id`). */
  subject: string;
  /** A sentence written for one case: required-added, required-removed, property-added, … */
  wording: string;
  effect: Effect | "compatible";
  direction: Direction;
}

const TAILS: Record<Direction, Record<Effect, string>> = {
  request: {
    narrow: "a request that was valid before may now be rejected, so callers must change",
    widen: "providers must now accept requests they could reject before",
  },
  response: {
    narrow: "a provider that answers as before may no longer conform",
    widen: "callers may now receive values their code does not handle",
  },
};

const SENTENCES: Record<string, Partial<Record<Direction, string>>> = {
  "required-added": {
    request: "is now required in requests: callers that omit it are rejected",
    response: "is now always present in responses: providers must always send it",
  },
  "required-removed": {
    request: "is now optional in requests: providers must handle requests without it",
    response: "may now be missing from responses: callers that read it must handle its absence",
  },
  "property-added": {
    request: "is a new request field: providers must accept it and act on it",
    response: "is a new response field: callers that do not read it are unaffected",
  },
  "property-added-closed": {
    response:
      "is a new field of a response object that allowed no unlisted fields: callers that reject unknown fields fail",
  },
  "property-removed": {
    request: "is no longer a request field: callers that send it have it ignored",
    response: "is no longer in responses: callers that read it get nothing",
  },
  "property-removed-closed": {
    request: "is no longer a request field and unlisted fields are rejected: callers that send it are rejected",
  },
};

/** One plain sentence for a schema change: what changed, where it is used, and whom it breaks. */
export function consequence(w: Wording): string {
  const sentence = SENTENCES[w.wording]?.[w.direction];
  if (sentence !== undefined) return `\`${w.subject}\` ${sentence}.`;
  if (w.effect === "compatible") return `${w.text}.`;
  return `${w.text} in ${w.direction}s: ${TAILS[w.direction][w.effect]}.`;
}
