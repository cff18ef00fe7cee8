import { describe, expect, it } from "vitest";
import { renderErrorCodes } from "../../../generator/emit/docs-markdown.ts";
import type { ErrorCodeModel } from "../../../generator/model/spec-model.ts";

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
