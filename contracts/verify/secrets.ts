/**
 * The secret the consumer tests give the generated client: it must never appear in a pact file, a report or a log,
 * so it is also redacted from everything `verify` prints.
 */
export const CANARY_SECRET = "canary-secret-do-not-use";

/** The body keys that carry secrets, and the placeholder each is replaced with in anything the verifier prints. */
export const SECRET_PLACEHOLDERS: Readonly<Record<string, string>> = {
  bk_app_secret: "<BK_APP_SECRET>",
  bk_token: "<BK_TOKEN>",
};

/** A copy of a request body with every secret-carrying key replaced by its placeholder, at any depth. */
export function redactBody(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactBody);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const placeholder = SECRET_PLACEHOLDERS[key];
    out[key] = placeholder !== undefined && typeof inner === "string" ? placeholder : redactBody(inner);
  }
  return out;
}

/** Replaces every occurrence of each known secret value in a text with `<REDACTED>`. */
export function redactText(text: string, secrets: Iterable<string>): string {
  let out = text;
  // Longest first, so a secret that contains another is replaced whole.
  for (const secret of [...new Set(secrets)].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join("<REDACTED>");
  }
  return out;
}

/** Every secret value found under a secret-carrying key anywhere in a value (worlds, bodies). */
export function collectSecrets(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) collectSecrets(item, into);
  } else if (value !== null && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      if (key in SECRET_PLACEHOLDERS && typeof inner === "string") into.add(inner);
      else if (key === "tokens" && inner !== null && typeof inner === "object") {
        for (const token of Object.keys(inner)) into.add(token);
      } else collectSecrets(inner, into);
    }
  }
  return into;
}

/** A `curl` line that POSTs the body again, secrets replaced by placeholders the reader fills in. */
export function formatCurl(url: string, body: unknown): string {
  const json = JSON.stringify(redactBody(body));
  return `curl -sS -X POST ${shellQuote(url)} -H 'Content-Type: application/json' -d ${shellQuote(json)}`;
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
