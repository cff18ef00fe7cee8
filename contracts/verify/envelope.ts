import type { HttpExchange } from "./http.ts";
import { showValue } from "./values.ts";

/** One envelope rule broken by a response: where, expected against actual. */
export interface EnvelopeProblem {
  pointer: string;
  expected: string;
  actual: string;
}

/** What the caller knows about the request, so the success payload of a create can be checked. */
export interface EnvelopeContext {
  /** For `create_service_instance`: how many instances were requested. */
  createdInstances?: number;
}

const ENVELOPE_KEYS = ["result", "code", "message", "permission", "request_id", "data"] as const;

/**
 * Checks one response against the envelope rules of DESIGN.md: HTTP 200, a JSON object with the six keys of the
 * right types, `result` true exactly when `code` is 0, on failure `data` null and a message, and on a successful
 * create one new distinct integer ID per requested instance.
 * @see cmdb-semantics §4.2 (the ESB body)
 */
export function checkEnvelope(exchange: HttpExchange, context: EnvelopeContext = {}): EnvelopeProblem[] {
  if (!exchange.ok) {
    return [{ pointer: "(transport)", expected: "an HTTP answer", actual: exchange.reason }];
  }
  const problems: EnvelopeProblem[] = [];
  if (exchange.status !== 200) {
    problems.push({ pointer: "HTTP status", expected: "200", actual: String(exchange.status) });
  }
  const body = exchange.json;
  if (!exchange.isJson || body === null || typeof body !== "object" || Array.isArray(body)) {
    const excerpt = exchange.text.replace(/\s+/g, " ").trim().slice(0, 80);
    problems.push({
      pointer: "(body)",
      expected: "a JSON object (the ESB envelope)",
      actual: exchange.isJson ? showValue(body) : `not JSON (${exchange.contentType || "no content type"}): ${excerpt}`,
    });
    return problems;
  }
  const envelope = body as Record<string, unknown>;
  for (const key of ENVELOPE_KEYS) {
    if (!Object.hasOwn(envelope, key)) {
      problems.push({ pointer: `/${key}`, expected: "present", actual: "(absent)" });
    }
  }
  const { result, code, message, permission, request_id: requestId, data } = envelope;
  const typeProblem = (key: string, ok: boolean, expected: string, value: unknown): void => {
    if (Object.hasOwn(envelope, key) && !ok) problems.push({ pointer: `/${key}`, expected, actual: showValue(value) });
  };
  typeProblem("result", typeof result === "boolean", "a boolean", result);
  typeProblem("code", Number.isInteger(code), "an integer", code);
  typeProblem("message", typeof message === "string", "a string", message);
  typeProblem(
    "permission",
    permission === null || (typeof permission === "object" && !Array.isArray(permission)),
    "an object or null",
    permission,
  );
  typeProblem("request_id", typeof requestId === "string", "a string", requestId);
  if (typeof result === "boolean" && Number.isInteger(code) && result !== (code === 0)) {
    problems.push({ pointer: "/result", expected: `${code === 0} (code is ${String(code)})`, actual: String(result) });
  }
  const failed = result === false || (Number.isInteger(code) && code !== 0);
  if (failed) {
    if (Object.hasOwn(envelope, "data") && data !== null) {
      problems.push({ pointer: "/data", expected: "null on failure", actual: showValue(data) });
    }
    if (typeof message === "string" && message.length === 0) {
      problems.push({ pointer: "/message", expected: "a message on failure", actual: '""' });
    }
  } else if (result === true && context.createdInstances !== undefined) {
    problems.push(...checkCreatedIds(data, context.createdInstances));
  }
  return problems;
}

function checkCreatedIds(data: unknown, count: number): EnvelopeProblem[] {
  if (!Array.isArray(data)) {
    return [{ pointer: "/data", expected: `an array of ${count} new service instance IDs`, actual: showValue(data) }];
  }
  const problems: EnvelopeProblem[] = [];
  if (data.length !== count) {
    problems.push({
      pointer: "/data",
      expected: `${count} IDs (one per requested instance)`,
      actual: `${data.length} IDs ${showValue(data)}`,
    });
  }
  const seen = new Set<unknown>();
  data.forEach((id, i) => {
    if (!Number.isInteger(id))
      problems.push({ pointer: `/data/${i}`, expected: "an integer ID", actual: showValue(id) });
    else if (seen.has(id)) problems.push({ pointer: `/data/${i}`, expected: "a distinct ID", actual: `${id} again` });
    seen.add(id);
  });
  return problems;
}
