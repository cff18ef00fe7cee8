import { describe, expect, it } from "vitest";
import { readBilingual } from "../../../generator/model/text.ts";

describe("readBilingual", () => {
  it.each([
    [
      "folded English keeps one space per line break",
      { given: { description: "One\n  line,\nthen another. " }, want: { en: "One line, then another.", zh: "" } },
    ],
    [
      "folded Chinese loses the space between Chinese characters and punctuation",
      {
        given: { "x-description-zh": "返回新实例的 ID。 模块未绑定服务模板时， 每个实例" },
        want: { en: "", zh: "返回新实例的 ID。模块未绑定服务模板时，每个实例" },
      },
    ],
    [
      "a space beside Latin text or code stays in Chinese",
      {
        given: { "x-description-zh": "按 `processes` 创建 ID 列表" },
        want: { en: "", zh: "按 `processes` 创建 ID 列表" },
      },
    ],
    [
      "a citation of the semantics document is dropped",
      {
        given: { description: "Governs processes (cmdb-semantics §2.1, §2.2). Fails with 1108008 (§1.3 B.5)." },
        want: { en: "Governs processes. Fails with 1108008.", zh: "" },
      },
    ],
    [
      "other parentheses stay",
      { given: { description: "A port (1-65535)." }, want: { en: "A port (1-65535).", zh: "" } },
    ],
    ["a text that is not a string reads as empty", { given: { description: 42 }, want: { en: "", zh: "" } }],
  ])("%s", (_name, { given, want }) => {
    expect(readBilingual(given)).toEqual(want);
  });

  it("reads other key pairs: when / when_zh", () => {
    expect(readBilingual({ when: "a  case", when_zh: "情况 一" }, "when", "when_zh")).toEqual({
      en: "a case",
      zh: "情况一",
    });
  });
});
