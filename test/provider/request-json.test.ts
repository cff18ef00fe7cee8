import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  goJsonFold,
  JsonNumber,
  needsLiteralParser,
  parseRequestJson,
  readStructField,
  readStructFields,
} from "../../provider/request-json.ts";

describe("needsLiteralParser", () => {
  const cases: [string, { given: string; want: boolean }][] = [
    ["plain lower-case keys and integers take JSON.parse", { given: '{"bk_biz_id":2,"n":[1,-3]}', want: false }],
    ["dots inside strings do not count", { given: '{"ip":"10.0.0.5","path":"/a.b"}', want: false }],
    ["a non-integer literal", { given: '{"proc_num":2.0}', want: true }],
    ["an exponent", { given: '{"proc_num":1e2}', want: true }],
    ["an upper-case key", { given: '{"BK_BIZ_ID":2}', want: true }],
    ["an escaped key", { given: '{"\\u0062k_biz_id":2}', want: true }],
    ["an upper-case value is not a key", { given: '{"name":"ABC"}', want: false }],
    ["true, false and null are not numbers", { given: '{"enable":true,"x":false,"y":null}', want: false }],
    ["a quote escaped inside a value does not end it", { given: '{"a":"x\\"B\\":1","b":2}', want: false }],
    [
      "an escaped backslash ends a value, and the upper-case key after it counts",
      { given: '{"a":"x\\\\","B":1}', want: true },
    ],
    ["a fraction after a value with escapes counts", { given: '{"a":"\\"1.5\\"","b":1.5}', want: true }],
    ["escapes in values only", { given: '{"a":"\\u0041","b":"\\\\","c":[1,2]}', want: false }],
    ["white space before the colon of a key", { given: '{"Bk_biz_id" \t\r\n: 2}', want: true }],
    ["an upper-case value before a colon inside another string", { given: '{"a":"B","c":"d:"}', want: false }],
    ["an unterminated string", { given: '{"a":"B', want: false }],
  ];
  it.each(cases)("%s", (_name, { given, want }) => expect(needsLiteralParser(given)).toBe(want));

  // The quick scans of bodies without a backslash must never miss what the exact walk finds. The oracle reads the
  // value, not the text: a key with an upper-case letter or a character JSON escapes, or a number written with a
  // fraction or an exponent. Keys and strings mix digits, dots, colons and capitals to tempt the scans.
  it("answers as the value says for any JSON text, with or without white space", () => {
    const tricky = fc.string({ unit: fc.constantFrom("a", "B", "1", ".", "e", ":", ",", "[", " ", '"', "\\", "\n") });
    const number = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(1e21));
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        number,
        tricky,
        fc.boolean(),
        fc.constant(null),
        fc.array(tie("value"), { maxLength: 4 }),
        fc.dictionary(tricky, tie("value"), { maxKeys: 4 }),
      ),
    }));
    const needs = (v: unknown): boolean => {
      if (typeof v === "number") return /[.eE]/.test(JSON.stringify(v));
      if (Array.isArray(v)) return v.some(needs);
      if (v === null || typeof v !== "object") return false;
      return Object.entries(v).some(([k, item]) => JSON.stringify(k) !== `"${k}"` || /[A-Z]/.test(k) || needs(item));
    };
    fc.assert(
      fc.property(value, fc.constantFrom(undefined, 1, "\t"), (v, indent) => {
        const text = JSON.stringify(v, null, indent);
        expect(needsLiteralParser(text)).toBe(needs(v));
      }),
      { numRuns: 5_000 },
    );
  });
});

describe("parseRequestJson", () => {
  it("keeps a non-integer literal's text and writes it back as its number", () => {
    const value = parseRequestJson('{"a":2.0,"b":[1e2,-0.5],"c":3}') as Record<string, unknown>;
    expect(value.a).toBeInstanceOf(JsonNumber);
    expect((value.a as JsonNumber).literal).toBe("2.0");
    expect(value.c).toBe(3);
    expect(JSON.stringify(value)).toBe('{"a":2,"b":[100,-0.5],"c":3}');
  });

  it("lets the last of two equal keys win, in the last one's position", () => {
    const value = parseRequestJson('{"A":1,"b":2,"A":3}') as Record<string, unknown>;
    expect(Object.entries(value)).toEqual([
      ["b", 2],
      ["A", 3],
    ]);
  });

  it("agrees with JSON.parse on every other value, and rejects what JSON.parse rejects", () => {
    const text = '{"S":"\\u00e9\\"x\\n","t":true,"f":false,"n":null,"o":{},"l":[],"d":0.25}';
    expect(JSON.stringify(parseRequestJson(text))).toBe(JSON.stringify(JSON.parse(text)));
    for (const bad of ['{"A":1.}', '{"A":01}', '{"A":"\u0001"}', '{"A":1', '{"A":1} x', '{"A":tru}']) {
      expect(() => parseRequestJson(bad), bad).toThrow(SyntaxError);
    }
  });
});

describe("field matching", () => {
  it("folds ASCII letters only for request struct fields, the last match winning", () => {
    expect(readStructField({ bk_biz_id: 1, BK_BIZ_ID: 2 }, "bk_biz_id")).toBe(2);
    // The Kelvin sign is not an ASCII K: json-iterator does not fold it.
    expect(readStructField({ "\u212a": 1 }, "k")).toBeUndefined();
  });

  it("reads several fields in one pass exactly as it reads each", () => {
    const body = { BK_biz_id: 1, instances: null, bk_biz_id: 3, Bk_Module_Id: 60, bk_module: 9, "\u212a": 1 };
    const fields = ["bk_biz_id", "bk_module_id", "instances", "k", "absent"];
    expect(readStructFields(body, fields)).toEqual(fields.map((field) => readStructField(body, field)));
    expect(readStructFields(body, fields)).toEqual([3, 60, null, undefined, undefined]);
  });

  it("folds the Kelvin sign and the long s like Go's encoding/json", () => {
    expect(goJsonFold("WOR\u212a_PATH")).toBe("work_path");
    expect(goJsonFold("\u017ftart_cmd")).toBe("start_cmd");
  });
});
