/**
 * How CMDB reads a request body (cmdb-semantics §1.1): json-iterator keeps every number inside the free-form
 * `process_info` as its literal text, and matches the fields of the request structs case-insensitively (ASCII letters
 * only, the last duplicate wins). Node's `JSON.parse` cannot see a literal's text, so a body that holds a non-integer
 * number literal or a key with an upper-case letter (or an escape) takes a slower parser that keeps both; every other
 * body takes `JSON.parse`, where the two readings agree.
 */

/** A number literal that is not a plain integer (`2.0`, `1e2`, `4.5`), kept with its text like Go's `json.Number`. */
export class JsonNumber {
  /** The literal as the body wrote it. */
  readonly literal: string;

  constructor(literal: string) {
    this.literal = literal;
  }

  /** The literal's numeric value, which is how it is written back to JSON. */
  toJSON(): number {
    return Number(this.literal);
  }
}

/**
 * Parses a request body as CMDB reads it: plain JSON values, except non-integer number literals, which become
 * {@link JsonNumber}; of two equal keys in one object the last one's value and position win, as in a Go map.
 * @throws SyntaxError when the text is not JSON.
 */
export function parseRequestJson(text: string): unknown {
  return needsLiteralParser(text) ? new LiteralParser(text).parseDocument() : JSON.parse(text);
}

/**
 * Tells whether a body needs the literal-preserving parser: a number with a fraction or an exponent, or a key with
 * an upper-case letter or an escape. A body without a backslash is first ruled out by native scans; any other, and
 * any the scans cannot rule out, gets one exact pass over the text without allocating: a string without a backslash
 * ends at the next quote (found by `indexOf`), and only keys are read character by character.
 */
export function needsLiteralParser(text: string): boolean {
  // Most bodies have no backslash; then every quote opens or closes a string, and native regular expressions rule
  // both cases out: no upper-case letter runs on to a quote and a colon (the end of a key), and no number token (at
  // the text's start, or after a colon, a bracket or a comma) has a fraction or an exponent. A match may be a false
  // alarm (an upper-case value followed by a key that starts with a colon); the exact walk below decides.
  if (
    text.indexOf("\\") === -1 &&
    !UPPER_CASE_KEY.test(text) &&
    !NON_INTEGER_NUMBER.test(text) &&
    !NUMBER_DOCUMENT.test(text)
  ) {
    return false;
  }
  const length = text.length;
  let backslash = nextBackslash(text, 0);
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      let end = text.indexOf('"', i + 1);
      if (end === -1) end = length;
      // Only a backslash outside any string (not JSON) can lie behind the string's start.
      if (backslash < i) backslash = nextBackslash(text, i);
      let escaped = false;
      if (backslash < end) {
        // A string with an escape: walk it so that an escaped quote does not end it.
        escaped = true;
        for (end = i + 1; end < length; end++) {
          const d = text.charCodeAt(end);
          if (d === QUOTE) break;
          if (d === BACKSLASH) end++;
        }
        backslash = nextBackslash(text, end + 1);
      }
      if (isKeyEnd(text, end + 1) && (escaped || hasUpperCase(text, i + 1, end))) return true;
      i = end;
    } else if (c >= DIGIT_0 && c <= DIGIT_9) {
      const next = text.charCodeAt(i + 1);
      if (next === DOT || next === LOWER_E || next === UPPER_E) return true;
    }
  }
  return false;
}

const UPPER_CASE_KEY = /[A-Z][^"]*"[ \t\n\r]*:/;
// The start of the text is checked on its own: `(?:^|[:[,])` would be tried at every position, at twice the cost.
const NON_INTEGER_NUMBER = /[:[,][ \t\n\r]*-?[0-9]+[.eE]/;
const NUMBER_DOCUMENT = /^[ \t\n\r]*[-0-9]/;

function nextBackslash(text: string, from: number): number {
  const at = text.indexOf("\\", from);
  return at === -1 ? text.length : at;
}

function hasUpperCase(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c >= UPPER_A && c <= UPPER_Z) return true;
  }
  return false;
}

// Whether the string that ended just before `at` is an object key: the next non-blank character is a colon.
function isKeyEnd(text: string, at: number): boolean {
  let i = at;
  let c = text.charCodeAt(i);
  while (c === SPACE || c === TAB || c === LF || c === CR) c = text.charCodeAt(++i);
  return c === COLON;
}

const QUOTE = 34;
const SPACE = 32;
const TAB = 9;
const LF = 10;
const CR = 13;
const BACKSLASH = 92;
const DOT = 46;
const COLON = 58;
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const UPPER_A = 65;
const UPPER_Z = 90;
const UPPER_E = 69;
const LOWER_E = 101;
const KELVIN = 0x212a;
const LONG_S = 0x17f;

/**
 * Reads a field of a Go request struct from a decoded JSON object: keys match case-insensitively on ASCII letters
 * (json-iterator's hashed struct decoder), and of several matching keys the last one wins.
 * @see cmdb-semantics §1.1
 */
export function readStructField(object: Readonly<Record<string, unknown>>, field: string): unknown {
  let value: unknown;
  for (const key of Object.keys(object)) if (keyNamesField(key, field)) value = object[key];
  return value;
}

/**
 * Reads several fields of one Go request struct in one pass over the object's keys, as {@link readStructField} reads
 * each: the values in the order of `fields` (undefined where no key matches), written into `values` (a caller that
 * reads them at once can pass one array for every call) and answered.
 * @see cmdb-semantics §1.1
 */
export function readStructFields(
  object: Readonly<Record<string, unknown>>,
  fields: readonly string[],
  values: unknown[] = [],
): unknown[] {
  for (let f = 0; f < fields.length; f++) values[f] = undefined;
  // The object's own keys in order, as Object.keys lists them, without making the list.
  for (const key in object) {
    if (!Object.hasOwn(object, key)) continue;
    for (let f = 0; f < fields.length; f++) if (keyNamesField(key, fields[f] as string)) values[f] = object[key];
  }
  return values;
}

// Whether a JSON key names a (lower-case) struct field; folding keeps the length, so only a key as long can.
function keyNamesField(key: string, field: string): boolean {
  return key.length === field.length && (key === field || asciiLower(key) === field);
}

/** Lower-cases ASCII letters only, as json-iterator folds an incoming key. */
function asciiLower(text: string): string {
  // Most keys are already lower case: answer them without a regular expression or a copy.
  return foldsUnchanged(text, false) ? text : text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/**
 * Folds a key the way Go's `encoding/json` matches it against a struct field: ASCII case, plus the Kelvin sign
 * (U+212A) as `k` and the long s (U+017F) as `s`.
 * @see cmdb-semantics §1.1 (`mapstr.DecodeFromMapStr`)
 */
export function goJsonFold(text: string): string {
  if (foldsUnchanged(text, true)) return text;
  return asciiLower(text)
    .replace(/\u212a/g, "k")
    .replace(/\u017f/g, "s");
}

// Whether folding leaves `text` as it is: no ASCII upper-case letter (and, for Go's fold, no U+212A or U+017F).
function foldsUnchanged(text: string, goFold: boolean): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= UPPER_A && c <= UPPER_Z) return false;
    if (goFold && (c === KELVIN || c === LONG_S)) return false;
  }
  return true;
}

// Sticky: each matches at the parser's position only.
const NUMBER_TOKEN = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;

class LiteralParser {
  private at = 0;

  constructor(private readonly text: string) {}

  parseDocument(): unknown {
    const value = this.value();
    this.space();
    if (this.at !== this.text.length) this.fail();
    return value;
  }

  private value(): unknown {
    this.space();
    const c = this.text[this.at];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return this.string();
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return this.number();
    for (const [word, value] of [
      ["true", true],
      ["false", false],
      ["null", null],
    ] as const) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return value;
      }
    }
    return this.fail();
  }

  private object(): Record<string, unknown> {
    const object: Record<string, unknown> = {};
    this.at++;
    this.space();
    if (this.text[this.at] === "}") {
      this.at++;
      return object;
    }
    for (;;) {
      this.space();
      if (this.text[this.at] !== '"') this.fail();
      const key = this.string();
      this.space();
      if (this.text[this.at++] !== ":") this.fail();
      const value = this.value();
      // The last duplicate wins, and its position is the last one too: delete before writing again.
      delete object[key];
      Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
      this.space();
      const next = this.text[this.at++];
      if (next === "}") return object;
      if (next !== ",") this.fail();
    }
  }

  private array(): unknown[] {
    const items: unknown[] = [];
    this.at++;
    this.space();
    if (this.text[this.at] === "]") {
      this.at++;
      return items;
    }
    for (;;) {
      items.push(this.value());
      this.space();
      const next = this.text[this.at++];
      if (next === "]") return items;
      if (next !== ",") this.fail();
    }
  }

  private string(): string {
    const start = this.at;
    let escaped = false;
    let i = start + 1;
    for (; i < this.text.length; i++) {
      const c = this.text.charCodeAt(i);
      if (c === QUOTE) break;
      if (c < SPACE) this.fail();
      if (c === BACKSLASH) {
        escaped = true;
        i++;
      }
    }
    if (i >= this.text.length) this.fail();
    this.at = i + 1;
    // Only a string with escapes needs decoding; JSON.parse of the token also rejects a bad escape.
    return escaped ? (JSON.parse(this.text.slice(start, i + 1)) as string) : this.text.slice(start + 1, i);
  }

  private number(): number | JsonNumber {
    NUMBER_TOKEN.lastIndex = this.at;
    const match = NUMBER_TOKEN.exec(this.text);
    if (!match) this.fail();
    const [token, fraction, exponent] = match as RegExpExecArray;
    this.at += token.length;
    return fraction === undefined && exponent === undefined ? Number(token) : new JsonNumber(token);
  }

  private space(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.at);
      if (c !== SPACE && c !== TAB && c !== LF && c !== CR) return;
      this.at++;
    }
  }

  private fail(): never {
    throw new SyntaxError(`not JSON at offset ${this.at}`);
  }
}
