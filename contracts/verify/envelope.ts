import type { HttpExchange } from "./http.ts";
import { showValue } from "./values.ts";

/** One envelope rule broken by a response: where, expected against actual. */
export interface EnvelopeProblem {
  pointer: string;
  expected: string;
  actual: string;
  /** Set when the API gateway answered in CMDB's place: a gateway failure, not a CMDB rule broken. */
  gateway?: true;
}

/** What the caller knows about the request, so the success payload of a create can be checked. */
export interface EnvelopeContext {
  /** For `create_service_instance`: how many instances were requested. */
  createdInstances?: number;
  /** Gateway error codes the request expects (in place of an ESB refusal): such an answer is no failure. */
  gatewayCodes?: readonly number[];
}

/** The keys of one envelope: its name in reports, its code and message keys, and every key it must have. */
export interface EnvelopeShape {
  name: string;
  codeKey: string;
  messageKey: string;
  keys: readonly string[];
}

/** The ESB envelope `{result, code, message, permission, request_id, data}` (cmdb-semantics §4.2). */
export const ESB_ENVELOPE: EnvelopeShape = {
  name: "the ESB envelope",
  codeKey: "code",
  messageKey: "message",
  keys: ["result", "code", "message", "permission", "request_id", "data"],
};

/**
 * Checks one response against the ESB envelope rules of DESIGN.md (see {@link checkEnvelopeShape}).
 * @see cmdb-semantics §4.2 (the ESB body)
 */
export function checkEnvelope(exchange: HttpExchange, context: EnvelopeContext = {}): EnvelopeProblem[] {
  return checkEnvelopeShape(exchange, ESB_ENVELOPE, context);
}

/**
 * Checks one response against the envelope rules of DESIGN.md in a given shape: HTTP 200, a JSON object with every
 * key of the shape of the right type, `result` true exactly when the code is 0, on failure `data` null and a
 * message, and on a successful create one new distinct integer ID per requested instance.
 * @see cmdb-semantics §4.1-§4.3 (the native, ESB and gateway bodies)
 */
export function checkEnvelopeShape(
  exchange: HttpExchange,
  shape: EnvelopeShape,
  context: EnvelopeContext = {},
): EnvelopeProblem[] {
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
      expected: `a JSON object (${shape.name})`,
      actual: exchange.isJson ? showValue(body) : `not JSON (${exchange.contentType || "no content type"}): ${excerpt}`,
    });
    return problems;
  }
  const envelope = body as Record<string, unknown>;
  for (const key of shape.keys) {
    if (!Object.hasOwn(envelope, key)) {
      problems.push({ pointer: `/${key}`, expected: "present", actual: "(absent)" });
    }
  }
  const { result, permission, request_id: requestId, data } = envelope;
  const code = envelope[shape.codeKey];
  const message = envelope[shape.messageKey];
  const typeProblem = (key: string, ok: boolean, expected: string, value: unknown): void => {
    if (Object.hasOwn(envelope, key) && !ok) problems.push({ pointer: `/${key}`, expected, actual: showValue(value) });
  };
  typeProblem("result", typeof result === "boolean", "a boolean", result);
  typeProblem(shape.codeKey, Number.isInteger(code), "an integer", code);
  typeProblem(shape.messageKey, typeof message === "string", "a string", message);
  typeProblem(
    "permission",
    permission === null || (typeof permission === "object" && !Array.isArray(permission)),
    "an object or null",
    permission,
  );
  if (shape.keys.includes("request_id"))
    typeProblem("request_id", typeof requestId === "string", "a string", requestId);
  if (typeof result === "boolean" && Number.isInteger(code) && result !== (code === 0)) {
    problems.push({
      pointer: "/result",
      expected: `${code === 0} (${shape.codeKey} is ${String(code)})`,
      actual: String(result),
    });
  }
  const failed = result === false || (Number.isInteger(code) && code !== 0);
  if (failed) {
    if (Object.hasOwn(envelope, "data") && data !== null) {
      problems.push({ pointer: "/data", expected: "null on failure", actual: showValue(data) });
    }
    if (typeof message === "string" && message.length === 0) {
      problems.push({ pointer: `/${shape.messageKey}`, expected: "a message on failure", actual: '""' });
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
