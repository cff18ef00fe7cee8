import { describe, expect, it } from "vitest";
import { emitClient, RUNTIME_BANNER } from "../../../generator/emit/client.ts";
import { fieldRuleCells } from "../../../generator/emit/docs-markdown.ts";
import { GENERATED_HEADER } from "../../../generator/emit/header.ts";
import { emitIndex } from "../../../generator/emit/index-file.ts";
import { emitTypes, withChineseDocs } from "../../../generator/emit/types.ts";
import { buildModel } from "../../../generator/model/build-model.ts";
import { readClientRuntime } from "../../../generator/runtime/read-runtime.ts";
import { loadSpec, type OpenApiDocument } from "../../../spec/load-spec.ts";
import { esbOperation, gatewayOperation, spec } from "../spec-fragments.ts";

const { document } = await loadSpec();

describe("withChineseDocs", () => {
  it.each([
    [
      "appends x-description-zh to description",
      {
        given: { description: "The app ID.", "x-description-zh": "应用ID" },
        want: { description: "The app ID.\n应用ID" },
      },
    ],
    [
      "uses x-summary-zh alone when there is no summary",
      { given: { "x-summary-zh": "摘要" }, want: { summary: "摘要" } },
    ],
    [
      "leaves a property named description alone",
      {
        given: { properties: { description: { type: "string" } } },
        want: { properties: { description: { type: "string" } } },
      },
    ],
    [
      "drops a citation of the semantics document, with or without Chinese",
      {
        given: { description: "Rows (cmdb-semantics §3.3). More.", "x-description-zh": "行。" },
        want: { description: "Rows. More.\n行。" },
      },
    ],
    [
      "joins folded Chinese lines without a space",
      { given: { "x-description-zh": "模块\n未绑定。 模板" }, want: { description: "模块未绑定。模板" } },
    ],
    [
      "leaves text without Chinese as it is",
      { given: { description: "Only English." }, want: { description: "Only English." } },
    ],
  ])("%s", (_name, { given, want }) => {
    expect(withChineseDocs(given as unknown as OpenApiDocument)).toMatchObject(want);
  });

  it("does not change the document it is given", () => {
    const given = { description: "a", "x-description-zh": "甲" } as unknown as OpenApiDocument;
    withChineseDocs(given);
    expect(given).toEqual({ description: "a", "x-description-zh": "甲" });
  });
});

describe("emitTypes", () => {
  it("emits types.gen.ts with the fixed header, openapi-typescript's roots and both languages in JSDoc", async () => {
    const file = await emitTypes(document);
    expect(file.path).toBe("types.gen.ts");
    expect(file.contents.startsWith(GENERATED_HEADER)).toBe(true);
    for (const root of ["export interface paths", "export interface components", "export interface operations"]) {
      expect(file.contents).toContain(root);
    }
    expect(file.contents).toContain("@description The app ID.\n             *     应用ID");
    expect(file.contents.endsWith("\n")).toBe(true);
  });
});

/** A model of one operation, `getThing`, changed by `change` before it is built. */
function thingModel(change: (operation: Record<string, unknown>, codes: Record<string, unknown>[]) => void = () => {}) {
  const operation = esbOperation("getThing", "Get");
  const codes: Record<string, unknown>[] = [
    {
      code: 1199006,
      name: "CCErrCommParamsInvalid",
      layer: "cmdb",
      operations: ["getThing"],
      when: "A field is bad.",
      when_zh: "字段错误。",
      message_zh: "'%s' 数据参数校验不通过",
      message_en: "'%s' bad",
    },
  ];
  change(operation, codes);
  return buildModel(spec([["/api/c/compapi/v2/cc/get_thing/", "post", operation]], codes));
}

/** The thing model with a gateway twin: DELETE, its business in the path. */
function gatewayThingModel() {
  const document = spec([["/api/c/compapi/v2/cc/get_thing/", "post", esbOperation("getThing", "Get")]]);
  document.paths["/api/v3/thing/{bk_biz_id}"] = { delete: gatewayOperation("apigwGetThing", "getThing", "Get") };
  return buildModel(document);
}

const RUNTIME = [
  "// The runtime's own opening comment.",
  'import type { CmdbAuth } from "./spec-names.ts";',
  "",
  "/** Kept public. */",
  'export type CmdbLanguage = "en";',
  "",
  "/**",
  " * Private.",
  " * @internal",
  " */",
  "export function helper(auth: CmdbAuth): string {",
  "  return auth.bk_app_code;",
  "}",
  "",
].join("\n");

describe("emitClient", () => {
  it.each([
    [
      "an error code's JSDoc: when, its Chinese without folded-YAML spaces, both messages, the operations",
      {
        given: thingModel((_o, codes) => Object.assign(codes[0] ?? {}, { when_zh: "字段\n错误。 请检查" })),
        want: [
          "  /**",
          "   * CCErrCommParamsInvalid (cmdb): A field is bad.",
          "   * 字段错误。请检查",
          "   * '%s' 数据参数校验不通过 / '%s' bad",
          "   * Operations: getThing.",
          "   */",
          '  readonly 1199006: "CCErrCommParamsInvalid";',
        ],
      },
    ],
    [
      "a method's JSDoc: summary and description in both languages, the route, the codes it can throw",
      {
        given: thingModel((o) =>
          Object.assign(o, { description: "Gets one thing.", "x-description-zh": "获取一个\n东西。" }),
        ),
        want: [
          "  /**",
          "   * Get summary",
          "   * Get 摘要",
          "   *",
          "   * Gets one thing.",
          "   *",
          "   * 获取一个东西。",
          "   *",
          "   * `POST /api/c/compapi/v2/cc/get_thing/` (ESB `get_thing`); never retried.",
        ],
      },
    ],
    [
      "the method's types and its line in createCmdbClient",
      {
        given: thingModel(),
        want: [
          "export function createCmdbClient(options: CmdbClientOptions): CmdbClient {",
          "  const call = createCaller(options, [options.auth.bk_app_secret, options.auth.bk_token]);",
          "  return {",
          '    getThing: (params, request) => call<GetThingData>("getThing", "/api/c/compapi/v2/cc/get_thing/", params, request),',
          "  };",
          "}",
        ],
      },
    ],
    [
      "a method with a gateway twin: both routes in createCmdbClient, the gateway route and error in its JSDoc",
      {
        given: gatewayThingModel(),
        want: [
          '    getThing: (params, request) => call<GetThingData>("getThing", "/api/c/compapi/v2/cc/get_thing/", params, request, "DELETE /api/v3/thing/{bk_biz_id}"),',
        ],
      },
    ],
    [
      "the gateway route in the method's JSDoc",
      {
        given: gatewayThingModel(),
        want: [
          '   * `POST /api/c/compapi/v2/cc/get_thing/` (ESB `get_thing`), or `DELETE /api/v3/thing/{bk_biz_id}` on the API gateway (`route: "apigw"`); never retried.',
        ],
      },
    ],
    ["the operation union", { given: thingModel(), want: ['export type CmdbOperation = "getThing";'] }],
    [
      "the runtime after the banner: imports and opening comment gone, @internal declarations not exported",
      {
        given: thingModel(),
        want: [
          RUNTIME_BANNER,
          "",
          "/** Kept public. */",
          'export type CmdbLanguage = "en";',
          "",
          "/**",
          " * Private.",
          " * @internal",
          " */",
          "function helper(auth: CmdbAuth): string {",
          "  return auth.bk_app_code;",
          "}",
          "",
        ],
      },
    ],
  ])("%s", (_name, { given, want }) => {
    expect(emitClient(given, RUNTIME).contents).toContain(want.join("\n"));
  });

  it("starts with the header, imports only the types, and ends with the runtime", () => {
    const { path, contents } = emitClient(thingModel(), RUNTIME);
    expect(path).toBe("client.gen.ts");
    expect(contents.startsWith(`${GENERATED_HEADER}\nimport type { components } from "./types.gen.js";\n`)).toBe(true);
    expect([...contents.matchAll(/^import\b.*$/gm)].map((m) => m[0])).toEqual([
      'import type { components } from "./types.gen.js";',
    ]);
    expect(contents.endsWith("  return auth.bk_app_code;\n}\n")).toBe(true);
  });

  it("names every secret auth field the spec marks, in the type's JSDoc and the redaction list", () => {
    const model = thingModel();
    const contents = emitClient({ ...model, secretFields: ["bk_app_secret"] }, RUNTIME).contents;
    expect(contents).toContain("const call = createCaller(options, [options.auth.bk_app_secret]);");
    expect(contents).toContain("; `bk_app_secret` never appear in an error.");
  });

  it("copies the repository's runtime so the generated client type-checks on its own (see test/cli/generate.test.ts)", () => {
    const contents = emitClient(buildModel(document), readClientRuntime()).contents;
    expect(contents).toContain(
      "function createCaller(options: CmdbClientOptions, secrets: readonly (string | undefined)[]): CmdbCall {",
    );
    expect(contents).not.toMatch(
      /^export (function|const|interface|type) (createCaller|createRedactor|isEnvelope|TimeoutSlot|RawEnvelope|DEFAULT_TIMEOUT_MS)\b/m,
    );
  });
});

describe("emitIndex", () => {
  it("re-exports the client and the types", () => {
    expect(emitIndex().contents).toBe(
      `${GENERATED_HEADER}\nexport * from "./client.gen.js";\nexport type { components, operations, paths } from "./types.gen.js";\n`,
    );
  });
});

describe("fieldRuleCells", () => {
  it.each([
    [
      "a string with a byte limit",
      {
        given: { field: "description", displayName: "备注", type: "string", maxBytes: 256, required: false },
        want: ["description", "备注", "string", "256", "", "", "no"],
      },
    ],
    [
      "an integer with a range",
      {
        given: {
          field: "proc_num",
          displayName: "启动数量",
          type: "integer",
          minimum: 1,
          maximum: 10000,
          required: false,
        },
        want: ["proc_num", "启动数量", "integer", "", "1–10000", "", "no"],
      },
    ],
    [
      "a required enum sub-field of bind_info",
      {
        given: { field: "protocol", displayName: "bind_info", type: "enum", required: true, pattern: "1 | 2 | 3 | 4" },
        want: ["protocol", "bind_info", "enum", "", "", "1 | 2 | 3 | 4", "yes"],
      },
    ],
  ])("%s", (_name, { given, want }) => {
    expect(fieldRuleCells(given, ["yes", "no"])).toEqual(want);
  });
});
