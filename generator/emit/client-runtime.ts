import { createRequire } from "node:module";
import type * as TsMorph from "ts-morph";
import type {
  ClassDeclarationStructure,
  FunctionDeclarationStructure,
  InterfaceDeclarationStructure,
  TypeAliasDeclarationStructure,
  WriterFunction,
} from "ts-morph";
import type { ClientModel } from "../model/build-model.ts";

// See client.ts for why ts-morph is loaded through `require`.
const { StructureKind } = createRequire(import.meta.url)("ts-morph") as typeof TsMorph;

/** How long a call may take before it fails with `CmdbTimeoutError`, unless the options say otherwise. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** How many characters of a bad response body a `CmdbHttpError` keeps. */
export const EXCERPT_LENGTH = 200;

/** A statement that spans lines, written through the writer so ts-morph keeps its indentation. */
function lines(...text: string[]): WriterFunction {
  return (writer) => {
    for (const line of text) writer.writeLine(line);
  };
}

/**
 * The options and request types of the client, fixed for every spec except the auth schema they name.
 * @see DESIGN.md "Generated client"
 */
export function buildOptionTypes(
  model: ClientModel,
): (InterfaceDeclarationStructure | TypeAliasDeclarationStructure)[] {
  return [
    {
      kind: StructureKind.TypeAlias,
      name: "CmdbAuth",
      isExported: true,
      type: `components["schemas"]["${model.authSchema}"]`,
      docs: [
        "The ESB common args merged into every request body; `bk_app_secret` and `bk_token` never appear in an error.\n" +
          "合并到每个请求体中的 ESB 通用参数；`bk_app_secret` 与 `bk_token` 不会出现在任何错误中。",
      ],
    },
    {
      kind: StructureKind.TypeAlias,
      name: "CmdbLanguage",
      isExported: true,
      type: '"en" | "zh"',
      docs: ["The language of CMDB's error messages, sent as the `Blueking-Language` header."],
    },
    {
      kind: StructureKind.TypeAlias,
      name: "CmdbFetch",
      isExported: true,
      type: "(url: string, init: RequestInit) => Promise<Response>",
      docs: [
        "The `fetch` the client calls; the global one by default, or any compatible function (a test's, a proxy's).",
      ],
    },
    {
      kind: StructureKind.Interface,
      name: "CmdbClientOptions",
      isExported: true,
      docs: ["How to reach CMDB through ESB and who is calling."],
      properties: [
        {
          name: "baseUrl",
          type: "string",
          docs: ["The ESB host, e.g. `https://paas.example.com`; a trailing slash is fine."],
        },
        { name: "auth", type: "CmdbAuth", docs: ["The app and user, merged into every request body."] },
        {
          name: "fetch",
          hasQuestionToken: true,
          type: "CmdbFetch",
          docs: ["The `fetch` to call; the global one by default."],
        },
        {
          name: "timeoutMs",
          hasQuestionToken: true,
          type: "number",
          docs: [`Milliseconds before a call fails with \`CmdbTimeoutError\`; default ${DEFAULT_TIMEOUT_MS}.`],
        },
        {
          name: "language",
          hasQuestionToken: true,
          type: "CmdbLanguage",
          docs: ["The language of CMDB's messages (`Blueking-Language` header); CMDB's default when left out."],
        },
        {
          name: "headers",
          hasQuestionToken: true,
          type: "Record<string, string>",
          docs: ["Extra headers sent with every call."],
        },
      ],
    },
    {
      kind: StructureKind.Interface,
      name: "CmdbRequestOptions",
      isExported: true,
      docs: ["Options of one call."],
      properties: [
        {
          name: "signal",
          hasQuestionToken: true,
          type: "AbortSignal",
          docs: ["Aborts the call; the promise then rejects with the signal's reason."],
        },
        {
          name: "timeoutMs",
          hasQuestionToken: true,
          type: "number",
          docs: ["Overrides the client's `timeoutMs` for this call."],
        },
        {
          name: "headers",
          hasQuestionToken: true,
          type: "Record<string, string>",
          docs: ["Extra headers for this call."],
        },
      ],
    },
  ];
}

/**
 * The error classes: `CmdbError` (the base), `CmdbApiError`, `CmdbHttpError` and `CmdbTimeoutError`.
 * @see cmdb-semantics §4.2
 */
export function buildErrorClasses(): ClassDeclarationStructure[] {
  return [
    {
      kind: StructureKind.Class,
      name: "CmdbError",
      isExported: true,
      extends: "Error",
      docs: ["The base of every error the client throws; its message and fields never hold a secret."],
      properties: [
        { name: "name", hasOverrideKeyword: true, type: "string", initializer: '"CmdbError"' },
        { name: "operation", isReadonly: true, type: "CmdbOperation", docs: ["The client method that failed."] },
      ],
      ctors: [
        {
          parameters: [
            { name: "operation", type: "CmdbOperation" },
            { name: "message", type: "string" },
          ],
          statements: ["super(message);", "this.operation = operation;"],
        },
      ],
      methods: [
        {
          name: "toJSON",
          returnType: "{ name: string; message: string; operation: CmdbOperation }",
          docs: ["The error's fields (`code`, `status`, …) and message, for logs and `JSON.stringify`."],
          statements: ["return { ...this, message: this.message };"],
        },
      ],
    },
    {
      kind: StructureKind.Class,
      name: "CmdbApiError",
      isExported: true,
      extends: "CmdbError",
      docs: [
        "CMDB (or ESB) answered `result: false`: `code`, `message`, `requestId` and `permission` come from the envelope.",
      ],
      properties: [
        { name: "name", hasOverrideKeyword: true, type: "string", initializer: '"CmdbApiError"' },
        {
          name: "code",
          isReadonly: true,
          type: "CmdbErrorCode | (number & {})",
          docs: ["The error code; one of `CmdbErrorCodes`, or a number the spec does not list."],
        },
        { name: "requestId", isReadonly: true, type: "string", docs: ["The envelope's `request_id`, for tracing."] },
        {
          name: "permission",
          isReadonly: true,
          type: `components["schemas"]["Envelope"]["permission"]`,
          docs: ["The IAM permission to apply for on a 9900403 denial, else null."],
        },
      ],
      ctors: [
        {
          parameters: [
            { name: "operation", type: "CmdbOperation" },
            { name: "code", type: "number" },
            { name: "message", type: "string" },
            { name: "requestId", type: "string" },
            { name: "permission", type: `components["schemas"]["Envelope"]["permission"]` },
          ],
          statements: [
            "super(operation, message);",
            "this.code = code;",
            "this.requestId = requestId;",
            "this.permission = permission;",
          ],
        },
      ],
    },
    {
      kind: StructureKind.Class,
      name: "CmdbHttpError",
      isExported: true,
      extends: "CmdbError",
      docs: [
        "The answer is not a CMDB envelope: a non-2xx status, a body that is not JSON (a gateway's HTML page), an " +
          "envelope of the wrong shape, or no answer at all (`status` 0).",
      ],
      properties: [
        { name: "name", hasOverrideKeyword: true, type: "string", initializer: '"CmdbHttpError"' },
        { name: "status", isReadonly: true, type: "number", docs: ["The HTTP status; 0 when no response arrived."] },
        {
          name: "excerpt",
          isReadonly: true,
          type: "string",
          docs: [
            `The first ${EXCERPT_LENGTH} characters of the body, whitespace collapsed, secrets replaced by \`***\`.`,
          ],
        },
      ],
      ctors: [
        {
          parameters: [
            { name: "operation", type: "CmdbOperation" },
            { name: "message", type: "string" },
            { name: "status", type: "number" },
            { name: "excerpt", type: "string" },
          ],
          statements: ["super(operation, message);", "this.status = status;", "this.excerpt = excerpt;"],
        },
      ],
    },
    {
      kind: StructureKind.Class,
      name: "CmdbTimeoutError",
      isExported: true,
      extends: "CmdbError",
      docs: [
        "No complete answer arrived within `timeoutMs`; the request was aborted (and, for a create, not retried).",
      ],
      properties: [
        { name: "name", hasOverrideKeyword: true, type: "string", initializer: '"CmdbTimeoutError"' },
        { name: "timeoutMs", isReadonly: true, type: "number", docs: ["The limit that passed."] },
      ],
      ctors: [
        {
          parameters: [
            { name: "operation", type: "CmdbOperation" },
            { name: "timeoutMs", type: "number" },
          ],
          statements: [
            // biome-ignore lint/suspicious/noTemplateCurlyInString: this is the generated code's own template literal
            "super(operation, `${operation}: no answer within ${timeoutMs} ms`);",
            "this.timeoutMs = timeoutMs;",
          ],
        },
      ],
    },
  ];
}

/** `isCmdbError(e)` and `isCmdbError(e, code)`, narrowing `e.code` to the code asked for. */
export function buildIsCmdbError(): FunctionDeclarationStructure {
  return {
    kind: StructureKind.Function,
    name: "isCmdbError",
    isExported: true,
    overloads: [
      {
        docs: ["Tells whether `error` is a `CmdbApiError` (CMDB answered `result: false`)."],
        parameters: [{ name: "error", type: "unknown" }],
        returnType: "error is CmdbApiError",
      },
      {
        docs: ["Tells whether `error` is a `CmdbApiError` with this `code`, narrowing `error.code` to it."],
        typeParameters: [{ name: "C", constraint: "CmdbErrorCode" }],
        parameters: [
          { name: "error", type: "unknown" },
          { name: "code", type: "C" },
        ],
        returnType: "error is CmdbApiError & { readonly code: C }",
      },
    ],
    parameters: [
      { name: "error", type: "unknown" },
      { name: "code", type: "number", hasQuestionToken: true },
    ],
    returnType: "boolean",
    statements: ["return error instanceof CmdbApiError && (code === undefined || error.code === code);"],
  };
}

/**
 * `createCaller`: the one function every method goes through (URL, body with auth, headers, timeout, abort,
 * envelope check, redaction). It never retries, so a create runs at most once per call.
 * @see cmdb-semantics §4.2
 */
export function buildCaller(model: ClientModel): FunctionDeclarationStructure[] {
  const secrets = model.secretFields.map((field) => `auth.${field}`).join(", ");
  return [
    {
      kind: StructureKind.Function,
      name: "createCaller",
      docs: ["Builds the function every client method calls; it never retries, so a create is sent at most once."],
      parameters: [{ name: "options", type: "CmdbClientOptions" }],
      statements: [
        "const { auth, headers, language, timeoutMs = DEFAULT_TIMEOUT_MS } = options;",
        "const send: CmdbFetch = options.fetch ?? ((url, init) => fetch(url, init));",
        'const baseUrl = options.baseUrl.replace(/\\/+$/, "");',
        `const redact = createRedactor([${secrets}]);`,
        lines(
          "const fixedHeaders: Record<string, string> = {",
          '  "content-type": "application/json",',
          '  accept: "application/json",',
          '  ...(language ? { "blueking-language": language } : {}),',
          "  ...headers,",
          "};",
        ),
        "let slot: TimeoutSlot | undefined;",
        (writer) => {
          writer.write(
            "return async <T>(operation: CmdbOperation, path: string, params: object, request?: CmdbRequestOptions): Promise<T> => ",
          );
          writer.inlineBlock(() => {
            lines(
              "const signal = request?.signal;",
              "if (signal?.aborted) throw signal.reason;",
              "const limit = request?.timeoutMs ?? timeoutMs;",
              "const now = Date.now();",
              "if (slot?.limit !== limit || slot.start !== now) slot = startTimeoutSlot(limit, now);",
              "const timeout = slot.signal;",
              "let status = 0;",
              "let text: string;",
              "try {",
              "  const response = await send(baseUrl + path, {",
              '    method: "POST",',
              "    headers: { ...fixedHeaders, ...request?.headers },",
              "    body: JSON.stringify({ ...params, ...auth }),",
              "    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,",
              "  });",
              "  status = response.status;",
              "  text = await response.text();",
              "} catch (error) {",
              "  if (timeout.aborted) throw new CmdbTimeoutError(operation, limit);",
              "  if (signal?.aborted) throw signal.reason;",
              "  const why = redact(error instanceof Error ? error.message : String(error));",
              // biome-ignore lint/suspicious/noTemplateCurlyInString: this is the generated code's own template literal
              '  throw new CmdbHttpError(operation, `${operation}: no answer from ${baseUrl} (${why})`, status, "");',
              "}",
              'if (status < 200 || status > 299) throw badAnswer(operation, "the status is not 2xx", status, text, redact);',
              "let body: unknown;",
              "try {",
              "  body = JSON.parse(text);",
              "} catch {",
              '  throw badAnswer(operation, "the body is not JSON", status, text, redact);',
              "}",
              "if (!isEnvelope(body)) {",
              '  throw badAnswer(operation, "the body is not a CMDB envelope (result, code, message, data)", status, text, redact);',
              "}",
              "if (body.result) return body.data as T;",
              "throw new CmdbApiError(",
              "  operation,",
              "  body.code,",
              "  redact(body.message),",
              '  typeof body.request_id === "string" ? redact(body.request_id) : "",',
              '  redactDeep(body.permission ?? null, redact) as CmdbApiError["permission"],',
              ");",
            )(writer);
          });
          writer.write(";");
        },
      ],
    },
    {
      kind: StructureKind.Function,
      name: "startTimeoutSlot",
      docs: [
        "Starts the timer of the calls that begin in this millisecond with this limit: they share one signal, " +
          "aborted 1 ms after the limit so none times out early, and no call pays for a timer of its own. The timer " +
          "never keeps the process alive.",
      ],
      parameters: [
        { name: "limit", type: "number" },
        { name: "start", type: "number" },
      ],
      returnType: "TimeoutSlot",
      statements: [
        "const controller = new AbortController();",
        "const timer = setTimeout(() => controller.abort(), limit + 1) as number | { unref?(): void };",
        'if (typeof timer === "object") timer.unref?.();',
        "return { limit, start, signal: controller.signal };",
      ],
    },
    {
      kind: StructureKind.Function,
      name: "badAnswer",
      docs: ["The `CmdbHttpError` of an answer that is not a usable envelope, with a redacted excerpt of its body."],
      parameters: [
        { name: "operation", type: "CmdbOperation" },
        { name: "why", type: "string" },
        { name: "status", type: "number" },
        { name: "text", type: "string" },
        { name: "redact", type: "(text: string) => string" },
      ],
      returnType: "CmdbHttpError",
      statements: [
        lines(
          "return new CmdbHttpError(",
          "  operation,",
          // biome-ignore lint/suspicious/noTemplateCurlyInString: this is the generated code's own template literal
          "  `${operation}: ${why} (HTTP ${status})`,",
          "  status,",
          `  redact(text).replace(/\\s+/g, " ").trim().slice(0, ${EXCERPT_LENGTH}),`,
          ");",
        ),
      ],
    },
    {
      kind: StructureKind.Function,
      name: "isEnvelope",
      docs: ["The ESB envelope: `result` true exactly when `code` is 0, a `message`, and `data` on success."],
      parameters: [{ name: "body", type: "unknown" }],
      returnType: "body is RawEnvelope",
      statements: [
        'if (typeof body !== "object" || body === null) return false;',
        "const { result, code, message } = body as Partial<RawEnvelope>;",
        lines(
          "return (",
          '  typeof result === "boolean" &&',
          "  Number.isInteger(code) &&",
          '  typeof message === "string" &&',
          "  result === (code === 0) &&",
          '  (!result || "data" in body)',
          ");",
        ),
      ],
    },
    {
      kind: StructureKind.Function,
      name: "createRedactor",
      docs: [
        "Replaces every occurrence of each secret (also in its JSON-escaped form) with `***`, so a server echoing it " +
          "back cannot leak it into an error.",
      ],
      parameters: [{ name: "secrets", type: "(string | undefined)[]" }],
      returnType: "(text: string) => string",
      statements: [
        lines(
          "const forms = secrets",
          "  .flatMap((secret) => (secret ? [secret, JSON.stringify(secret).slice(1, -1)] : []))",
          "  .sort((a, b) => b.length - a.length);",
        ),
        'return (text) => forms.reduce((result, secret) => result.split(secret).join("***"), text);',
      ],
    },
    {
      kind: StructureKind.Function,
      name: "redactDeep",
      docs: ["Redacts every string (keys included) inside a JSON value."],
      parameters: [
        { name: "value", type: "unknown" },
        { name: "redact", type: "(text: string) => string" },
      ],
      returnType: "unknown",
      statements: [
        'if (typeof value === "string") return redact(value);',
        "if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact));",
        'if (typeof value !== "object" || value === null) return value;',
        "return Object.fromEntries(Object.entries(value).map(([key, item]) => [redact(key), redactDeep(item, redact)]));",
      ],
    },
  ];
}

/** The shared timeout of the calls that start in the same millisecond with the same limit. */
export function buildTimeoutSlot(): InterfaceDeclarationStructure {
  return {
    kind: StructureKind.Interface,
    name: "TimeoutSlot",
    docs: ["The timeout signal shared by the calls that start in the same millisecond with the same limit."],
    properties: [
      { name: "limit", isReadonly: true, type: "number" },
      { name: "start", isReadonly: true, type: "number" },
      { name: "signal", isReadonly: true, type: "AbortSignal" },
    ],
  };
}

/** The envelope as the client reads it before trusting it. */
export function buildRawEnvelope(): InterfaceDeclarationStructure {
  return {
    kind: StructureKind.Interface,
    name: "RawEnvelope",
    docs: ["An ESB envelope before its `data` is trusted."],
    properties: [
      { name: "result", type: "boolean" },
      { name: "code", type: "number" },
      { name: "message", type: "string" },
      { name: "request_id", hasQuestionToken: true, type: "unknown" },
      { name: "permission", hasQuestionToken: true, type: "unknown" },
      { name: "data", hasQuestionToken: true, type: "unknown" },
    ],
  };
}
