/**
 * The secret the consumer tests give the generated client: it must never appear in a pact file, a report or a log,
 * so it is also redacted from everything `verify` prints.
 */
export const CANARY_SECRET = "canary-secret-do-not-use";
