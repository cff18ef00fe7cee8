import { describe, expect, it } from "vitest";
import type { HttpExchange } from "../../contracts/verify/http.ts";
import { FrontDoor } from "../../contracts/verify/route.ts";
import { loadSpec } from "../../spec/load-spec.ts";
import { jsonExchange } from "./exchanges.ts";

const { document } = await loadSpec();
const esb = FrontDoor.of(document, "esb");
const apigw = FrontDoor.of(document, "apigw");
const base = "http://127.0.0.1:9";
const AUTH = { bk_app_code: "app", bk_app_secret: "the-real-secret", bk_username: "admin" };

// Every answer of the gateway route carries the gateway's request ID header.
const answer = (json: unknown, status = 200) => jsonExchange(json, status, { "x-bkapi-request-id": "r1" });
const native = (overrides: Record<string, unknown> = {}) => ({
  result: true,
  bk_error_code: 0,
  bk_error_msg: "success",
  permission: null,
  data: [100],
  ...overrides,
});

describe("FrontDoor.requestOf", () => {
  it("the ESB route sends the body as it is, to the ESB path, with POST", () => {
    const body = { ...AUTH, bk_biz_id: 2, service_instance_ids: [1] };
    expect(esb.requestOf(base, "deleteServiceInstance", body)).toEqual({
      method: "POST",
      url: `${base}/api/c/compapi/v2/cc/delete_service_instance/`,
      headers: {},
      body,
    });
  });

  it("the gateway route moves the common args to X-Bkapi-Authorization, under the stage, with DELETE", () => {
    const request = apigw.requestOf(`${base}/`, "deleteServiceInstance", {
      ...AUTH,
      bk_biz_id: 2,
      service_instance_ids: [1],
    });
    expect(request).toEqual({
      method: "DELETE",
      url: `${base}/api/bk-cmdb/prod/api/v3/deletemany/proc/service_instance`,
      headers: { "X-Bkapi-Authorization": JSON.stringify(AUTH) },
      body: { bk_biz_id: 2, service_instance_ids: [1] },
    });
  });

  it.each([
    [7, "/id/7"],
    ["2", "/id/2"],
    [undefined, "/id/0"],
    [{ n: 2 }, `/id/${encodeURIComponent('{"n":2}')}`],
  ])("get_proc_template's ID %j goes in the path as %s and leaves the body", (id, tail) => {
    const stage = FrontDoor.of(document, "apigw", "test");
    const request = stage.requestOf(base, "getProcTemplate", { ...AUTH, bk_biz_id: 2, process_template_id: id });
    expect(request.url).toBe(`${base}/api/bk-cmdb/test/api/v3/find/proc/proc_template${tail}`);
    expect(request.body).toEqual({ bk_biz_id: 2 });
  });
});

describe("FrontDoor.read and checkAnswer on the gateway route", () => {
  it("reads the native envelope into the keys the checks read", () => {
    expect(
      apigw.read(answer(native({ result: false, bk_error_code: 1199010, bk_error_msg: "x", data: null }))),
    ).toEqual({
      envelope: { result: false, code: 1199010, message: "x", permission: null, data: null },
    });
  });

  const cases: [string, { given: HttpExchange; instances?: number; want: string[] }][] = [
    ["a good success", { given: answer(native()), instances: 1, want: [] }],
    [
      "a good failure",
      { given: answer(native({ result: false, bk_error_code: 1199010, bk_error_msg: "x", data: null })), want: [] },
    ],
    ["HTTP 400 without code_name", { given: answer(native(), 400), want: ["HTTP status"] }],
    ["bk_error_code as a string", { given: answer(native({ bk_error_code: "0" })), want: ["/bk_error_code"] }],
    [
      "result true with a non-zero code",
      { given: answer(native({ bk_error_code: 1199010, data: null })), want: ["/result"] },
    ],
    [
      "data not null on failure",
      {
        given: answer(native({ result: false, bk_error_code: 1199010, bk_error_msg: "x", data: {} })),
        want: ["/data"],
      },
    ],
    [
      "an empty message on failure",
      {
        given: answer(native({ result: false, bk_error_code: 1, bk_error_msg: "", data: null })),
        want: ["/bk_error_msg"],
      },
    ],
    ["permission a list", { given: answer(native({ permission: [] })), want: ["/permission"] }],
    ["no permission key", { given: answer({ ...native(), permission: undefined }), want: ["/permission"] }],
    ["two IDs for one instance", { given: answer(native({ data: [1, 2] })), instances: 1, want: ["/data"] }],
    ["a repeated ID", { given: answer(native({ data: [1, 1] })), instances: 2, want: ["/data/1"] }],
  ];
  it.each(cases)("%s", (_name, { given, instances, want }) => {
    const problems = apigw.checkAnswer(given, instances === undefined ? {} : { createdInstances: instances });
    expect(problems.map((p) => p.pointer)).toEqual(want);
    expect(problems.every((p) => p.gateway === undefined)).toBe(true);
  });

  it("accepts the docs' ESB-style code/message body (UNCONFIRMED) with the same rules, and remembers it for a note", () => {
    const door = FrontDoor.of(document, "apigw");
    const docsBody = { result: true, code: 0, message: "success", permission: null, data: [5] };
    expect(door.checkAnswer(answer(docsBody), { createdInstances: 1 })).toEqual([]);
    expect(door.usedGatewayDocsBody).toBe(true);
    expect(door.read(answer(docsBody)).envelope).toEqual(docsBody);
    expect(door.checkAnswer(answer({ ...docsBody, code: 5 })).map((p) => p.pointer)).toEqual(["/result", "/data"]);
    expect(apigw.usedGatewayDocsBody).toBe(false);
  });

  it("an answer without the X-Bkapi-Request-Id header breaks the envelope of the gateway route", () => {
    expect(apigw.checkAnswer(jsonExchange(native())).map((p) => p.pointer)).toEqual(["header X-Bkapi-Request-Id"]);
  });

  it("an answer of the gateway itself is one gateway problem in its own words, unless the step expects it", () => {
    const error = { code_name: "INVALID_ARGS", code: 1640001, message: "Parameters error", result: false, data: null };
    const problems = apigw.checkAnswer(answer(error, 400));
    expect(problems).toEqual([
      {
        gateway: true,
        pointer: "(gateway)",
        expected: "CMDB's answer (HTTP 200, the native envelope)",
        actual: 'gateway answered 400 1640001 INVALID_ARGS ("Parameters error")',
      },
    ]);
    expect(apigw.checkAnswer(answer(error, 400), { gatewayCodes: apigw.gatewayCodesFor([1306406]) })).toEqual([]);
    // On the ESB route nothing is read as the gateway's: a non-200 is an envelope problem.
    expect(esb.checkAnswer(answer(error, 400)).map((p) => p.pointer)).toContain("HTTP status");
    expect(esb.gatewayCodesFor([1306406])).toEqual([]);
  });
});

describe("FrontDoor.curlOf", () => {
  it("puts the gateway credentials in the header with the world's placeholders, never the secret", () => {
    const world = { apps: [{ bk_app_code: "app", bk_app_secret: "the-real-secret" }], tokens: { "tok-1": "admin" } };
    const body = { ...AUTH, bk_token: "tok-1", bk_biz_id: 2, service_instance_ids: [1] };
    const curl = apigw.curlOf(apigw.requestOf(base, "deleteServiceInstance", body), world);
    expect(curl).toBe(
      `curl -sS -X DELETE '${base}/api/bk-cmdb/prod/api/v3/deletemany/proc/service_instance' ` +
        `-H 'X-Bkapi-Authorization: {"bk_app_code":"app","bk_app_secret":"<BK_APP_SECRET>","bk_username":"admin","bk_token":"<BK_TOKEN>"}' ` +
        `-H 'Content-Type: application/json' -d '{"bk_biz_id":2,"service_instance_ids":[1]}'`,
    );
    expect(curl).not.toContain("the-real-secret");
    expect(curl).not.toContain("tok-1");
  });
});

describe("FrontDoor.operationOfPath", () => {
  it.each([
    ["apigw", "/api/v3/find/proc/proc_template/id/7", "getProcTemplate"],
    ["apigw", "/api/v3/deletemany/proc/service_instance", "deleteServiceInstance"],
    ["apigw", "/api/v3/find/proc/proc_template/id/", undefined],
    ["esb", "/api/c/compapi/v2/cc/create_service_instance/", "createServiceInstance"],
    ["esb", "/api/v3/create/proc/service_instance", undefined],
  ])("%s: %s → %s", (route, path, want) => {
    expect((route === "esb" ? esb : apigw).operationOfPath(path)).toBe(want);
  });
});
