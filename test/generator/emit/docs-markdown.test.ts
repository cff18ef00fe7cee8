import { describe, expect, it } from "vitest";
import { renderErrorCodes, renderOperationPage } from "../../../generator/emit/docs-markdown.ts";
import { buildModel } from "../../../generator/model/build-model.ts";
import type { ErrorCodeModel } from "../../../generator/model/spec-model.ts";
import { esbOperation, spec } from "../spec-fragments.ts";

const CODE: ErrorCodeModel = {
  code: 1199006,
  name: "CCErrCommParamsInvalid",
  layer: "cmdb",
  when: { en: "A field | is bad.", zh: "字段错误。" },
  args: { en: "the field", zh: "" },
  message: { en: "'%s' bad", zh: "'%s' 数据参数校验不通过" },
  operations: ["getThing"],
  apis: ["get_thing"],
};

describe("renderErrorCodes", () => {
  it.each([
    [
      "English, without the operations column; a pipe in the text is escaped",
      {
        given: { codes: [CODE], language: "en" as const, withApis: false },
        want: [
          "| Code | Name | Chinese message | English message | When it arises | Arguments |",
          "| --- | --- | --- | --- | --- | --- |",
          "| 1199006 | `CCErrCommParamsInvalid` | '%s' 数据参数校验不通过 | '%s' bad | A field \\| is bad. | the field |",
          "",
        ],
      },
    ],
    [
      "Chinese with the operations column; a missing Chinese text falls back to the English one",
      {
        given: { codes: [CODE], language: "zh" as const, withApis: true },
        want: [
          "| 错误码 | 名称 | 中文信息 | 英文信息 | 出现场景 | 参数 | 接口 |",
          "| --- | --- | --- | --- | --- | --- | --- |",
          "| 1199006 | `CCErrCommParamsInvalid` | '%s' 数据参数校验不通过 | '%s' bad | 字段错误。 | the field | get_thing |",
          "",
        ],
      },
    ],
  ])("%s", (_name, { given, want }) => {
    expect(renderErrorCodes(given.codes, given.language, given.withApis)).toEqual(want);
  });
});

describe("renderOperationPage", () => {
  it("renders a one-operation fragment as the whole page, in the published pages' layout", () => {
    const model = buildModel(
      spec(
        [["/api/c/compapi/v2/cc/get_thing/", "post", esbOperation("getThing", "Get")]],
        [
          {
            ...CODE,
            when: "A field is bad.",
            when_zh: CODE.when.zh,
            message_en: "'%s' bad",
            message_zh: CODE.message.zh,
          },
        ],
      ),
    );
    const page = model.docs.operations[0];
    if (!page) throw new Error("the fragment has no operation page");
    const want = [
      "# get_thing",
      "",
      "Get summary · [中文](get_thing.zh.md)",
      "",
      "### Request URL",
      "",
      "/api/c/compapi/v2/cc/get_thing/",
      "",
      "### Method",
      "",
      "POST",
      "",
      "### Description",
      "",
      "### Request parameters",
      "",
      "#### Common parameters",
      "",
      "| Field | Type | Required | Description |",
      "| --- | --- | --- | --- |",
      "| bk_app_code | string | No |  |",
      "| bk_app_secret | string | No |  |",
      "| bk_token | string | No |  |",
      "",
      "#### Interface parameters",
      "",
      "| Field | Type | Required | Description |",
      "| --- | --- | --- | --- |",
      "| bk_biz_id | int | No |  |",
      "",
      "### Request examples",
      "",
      "### Response examples",
      "",
      "### Response parameters",
      "",
      "#### response",
      "",
      "| Name | Type on success | Type on failure | Description |",
      "| --- | --- | --- | --- |",
      "| result | bool | bool |  |",
      "",
      "### Error codes",
      "",
      "| Code | Name | Chinese message | English message | When it arises | Arguments |",
      "| --- | --- | --- | --- | --- | --- |",
      "| 1199006 | `CCErrCommParamsInvalid` | '%s' 数据参数校验不通过 | '%s' bad | A field is bad. |  |",
      "",
    ];
    expect(renderOperationPage(model, page, "en")).toBe(want.join("\n"));
  });
});
