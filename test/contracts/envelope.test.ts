import { describe, expect, it } from "vitest";
import { checkEnvelope } from "../../contracts/verify/envelope.ts";
import type { HttpExchange } from "../../contracts/verify/http.ts";
import { jsonExchange } from "./exchanges.ts";

const ok = jsonExchange;
const envelope = (overrides: Record<string, unknown> = {}) => ({
  result: true,
  code: 0,
  message: "success",
  permission: null,
  request_id: "abc",
  data: [100],
  ...overrides,
});

describe("checkEnvelope", () => {
  const cases: [string, { given: HttpExchange; instances?: number; want: string[] }][] = [
    ["a good success", { given: ok(envelope()), instances: 1, want: [] }],
    ["a good failure", { given: ok(envelope({ result: false, code: 1199010, message: "x", data: null })), want: [] }],
    ["HTTP 400", { given: ok(envelope(), 400), want: ["HTTP status"] }],
    ["code as a string", { given: ok(envelope({ code: "0" })), want: ["/code"] }],
    ["result true with a non-zero code", { given: ok(envelope({ code: 1199010, data: null })), want: ["/result"] }],
    [
      "data not null on failure",
      { given: ok(envelope({ result: false, code: 1199010, message: "x", data: {} })), want: ["/data"] },
    ],
    [
      "an empty message on failure",
      { given: ok(envelope({ result: false, code: 1199010, message: "", data: null })), want: ["/message"] },
    ],
    ["a missing request_id", { given: ok({ ...envelope(), request_id: undefined }), want: ["/request_id"] }],
    ["one ID for two instances", { given: ok(envelope({ data: [100] })), instances: 2, want: ["/data"] }],
    ["the same ID twice", { given: ok(envelope({ data: [100, 100] })), instances: 2, want: ["/data/1"] }],
    [
      "an HTML page",
      {
        given: {
          ok: true,
          url: "http://127.0.0.1/x",
          requestBody: {},
          status: 200,
          text: "<html>502</html>",
          json: undefined,
          isJson: false,
          contentType: "text/html",
          headers: { "content-type": "text/html" },
        },
        want: ["(body)"],
      },
    ],
    [
      "no answer",
      { given: { ok: false, url: "u", requestBody: {}, kind: "timeout", reason: "no answer" }, want: ["(transport)"] },
    ],
  ];
  it.each(cases)("%s", (_name, { given, instances, want }) => {
    const problems = checkEnvelope(given, instances === undefined ? {} : { createdInstances: instances });
    expect(problems.map((p) => p.pointer)).toEqual(want);
  });
});
