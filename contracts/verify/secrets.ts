import { GATEWAY_AUTH_HEADER } from "../../spec/operations.ts";
/** The body keys that carry secrets, and the placeholder each is replaced with in anything the verifier prints. */
export const SECRET_PLACEHOLDERS: Readonly<Record<string, string>> = {
  bk_app_secret: "<BK_APP_SECRET>",
  bk_token: "<BK_TOKEN>",
};

/** The world key whose object keys are `bk_token` values (DESIGN.md "A world": `tokens: { <bk_token>: <user> }`). */
const TOKENS_KEY = "tokens";

/** The gateway's credential header (cmdb-semantics §5): its value is JSON text with the secret keys inside. */
const JSON_CREDENTIAL_HEADER = GATEWAY_AUTH_HEADER.toLowerCase();

/**
 * The parsed JSON of a credential header's value, or undefined: a string, or a pact's list of strings, which Pact
 * makes by splitting the value at its commas (so the parts are joined again first).
 */
function credentialHeaderJson(key: string, value: unknown): Record<string, unknown> | undefined {
  if (key.toLowerCase() !== JSON_CREDENTIAL_HEADER) return undefined;
  const texts = Array.isArray(value) ? value : [value];
  if (!texts.every((t) => typeof t === "string")) return undefined;
  try {
    const parsed: unknown = JSON.parse(texts.join(","));
    return isPlainObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Which placeholder stands for which secret value, per secret key. Built from a world, so that a `setup` line (the
 * world) and a `reproduce` line (a request) name one value with one placeholder and the reader substitutes it once.
 */
export interface SecretPlaceholderTable {
  /** Per secret key (`bk_app_secret`, `bk_token`): secret value → placeholder. */
  known: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** False without a world (live mode): every value of a key then gets the key's one placeholder. */
  fromWorld: boolean;
}

/**
 * Numbers the secrets of a world in the order it lists them: the first app secret is `<BK_APP_SECRET>`, a second
 * distinct one `<BK_APP_SECRET_2>`, and so on (tokens alike); a value the world does not hold (a request with a
 * wrong secret) becomes `<OTHER_BK_APP_SECRET>`. Without a world every value gets the plain placeholder.
 */
export function placeholdersOf(world?: unknown): SecretPlaceholderTable {
  const known = new Map<string, Map<string, string>>(Object.keys(SECRET_PLACEHOLDERS).map((k) => [k, new Map()]));
  const add = (key: string, value: string): void => {
    const values = known.get(key);
    const base = SECRET_PLACEHOLDERS[key];
    if (values === undefined || base === undefined || values.has(value)) return;
    values.set(value, values.size === 0 ? base : base.replace(/>$/, `_${values.size + 1}>`));
  };
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
    } else if (value !== null && typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) {
        const header = credentialHeaderJson(key, inner);
        if (header !== undefined) walk(header);
        else if (key in SECRET_PLACEHOLDERS && typeof inner === "string") add(key, inner);
        else if (key === TOKENS_KEY && isPlainObject(inner)) {
          for (const token of Object.keys(inner)) add("bk_token", token);
        } else walk(inner);
      }
    }
  };
  walk(world);
  return { known, fromWorld: world !== undefined };
}

/** The placeholder of one secret value under a secret key (see {@link placeholdersOf}). */
function placeholderFor(key: string, value: string, table: SecretPlaceholderTable): string {
  const base = SECRET_PLACEHOLDERS[key] ?? "<SECRET>";
  if (!table.fromWorld) return base;
  return table.known.get(key)?.get(value) ?? base.replace(/^</, "<OTHER_");
}

/**
 * A copy of a body (a request, or a state-setup body with its world) with every secret replaced by its placeholder,
 * at any depth: values under `bk_app_secret`/`bk_token`, and the keys of a world's `tokens`.
 */
export function redactBody(value: unknown, table: SecretPlaceholderTable = placeholdersOf()): unknown {
  if (Array.isArray(value)) return value.map((item) => redactBody(item, table));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const header = credentialHeaderJson(key, inner);
    if (header !== undefined) {
      const redacted = JSON.stringify(redactBody(header, table));
      out[key] = Array.isArray(inner) ? [redacted] : redacted;
    } else if (key in SECRET_PLACEHOLDERS && typeof inner === "string") out[key] = placeholderFor(key, inner, table);
    else if (key === TOKENS_KEY && isPlainObject(inner)) {
      out[key] = Object.fromEntries(
        Object.entries(inner).map(([token, user]) => [placeholderFor("bk_token", token, table), user]),
      );
    } else out[key] = redactBody(inner, table);
  }
  return out;
}

/**
 * The forms a secret can take in what a provider echoes back or a report prints: as it is, JSON-escaped once and
 * twice (a message that quotes a JSON body, printed as JSON), URL-encoded (`%20` and form-style `+`), and base64 /
 * base64url at each of the three byte alignments it can have inside a longer encoded value (for example a Basic
 * `Authorization` header). Forms shorter than 4 characters are left out: they would redact ordinary text.
 */
export function secretForms(secret: string): string[] {
  const json1 = JSON.stringify(secret).slice(1, -1);
  const json2 = JSON.stringify(json1).slice(1, -1);
  const url = encodeURIComponent(secret);
  const forms = [secret, json1, json2, url, url.replace(/%20/g, "+")];
  const bytes = Buffer.from(secret, "utf8");
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
    // Characters that depend on the secret alone: not the group shared with preceding bytes, nor the last, partial one.
    const stable = encoded.slice(offset > 0 ? 4 : 0, 4 * Math.floor((offset + bytes.length) / 3));
    if (stable.length >= 8) forms.push(stable, stable.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  return [...new Set(forms)].filter((f) => f.length >= 4);
}

/** Replaces every occurrence of each known secret value, in any of its {@link secretForms}, with `<REDACTED>`. */
export function redactText(text: string, secrets: Iterable<string>): string {
  let out = text;
  const forms = [...new Set([...secrets].flatMap(secretForms))];
  // Longest first, so a secret that contains another is replaced whole.
  for (const form of forms.sort((a, b) => b.length - a.length)) {
    if (out.includes(form)) out = out.split(form).join("<REDACTED>");
  }
  return out;
}

/** Every secret value found under a secret-carrying key anywhere in a value (worlds, bodies). */
export function collectSecrets(value: unknown, into: Set<string> = new Set()): Set<string> {
  for (const values of placeholdersOf(value).known.values()) for (const secret of values.keys()) into.add(secret);
  return into;
}

/**
 * A `curl` line that sends the body again (POST unless told), secrets replaced by placeholders the reader fills in;
 * pass the world the provider was set up with so that the placeholders match those of the `setup` line. `headers`
 * must already be safe to print (the front door redacts the gateway's credential header).
 */
export function formatCurl(
  url: string,
  body: unknown,
  world?: unknown,
  headers: readonly string[] = [],
  method: "POST" | "DELETE" = "POST",
): string {
  const json = JSON.stringify(redactBody(body, placeholdersOf(world)));
  const extra = headers.map((h) => ` -H ${shellQuote(h)}`).join("");
  return `curl -sS -X ${method} ${shellQuote(url)}${extra} -H 'Content-Type: application/json' -d ${shellQuote(json)}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
