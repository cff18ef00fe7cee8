import { describe, expect, it } from "vitest";
import { secretForms } from "../../contracts/verify/secrets.ts";
import { escapeControl, sameScalar, showValue } from "../../contracts/verify/values.ts";

describe("showValue", () => {
  it.each([
    ["absent", { given: [undefined], want: "(absent)" }],
    [
      "JSON as JSON.stringify writes it",
      { given: [{ a: [1, "x", null, true], b: undefined }], want: '{"a":[1,"x",null,true]}' },
    ],
    ["a long string, cut", { given: ["x".repeat(20), 10], want: '"xxxxxxxxx… (cut at 10 characters)' }],
    [
      "an array 200,000 levels deep, cut without recursing that deep",
      { given: [deep(200_000), 8], want: "[[[[[[[[… (cut at 8 characters)" },
    ],
  ])("%s", (_name, { given, want }) => {
    expect(showValue(...(given as [unknown, number?]))).toBe(want);
  });
});

function deep(depth: number): unknown {
  return JSON.parse(`${"[".repeat(depth)}${"]".repeat(depth)}`);
}

describe("sameScalar", () => {
  it.each([
    ["equal numbers", { given: [4, 4], want: true }],
    ["null against absent", { given: [null, undefined], want: false }],
    ["a scalar against a deep array, without walking it", { given: [1, deep(200_000)], want: false }],
  ])("%s", (_name, { given, want }) => {
    expect(sameScalar(given[0], given[1])).toBe(want);
  });
});

describe("escapeControl", () => {
  it("writes ESC, BEL, NUL, BS and C1 characters as \\u escapes and leaves other text alone", () => {
    expect(escapeControl("\u001b[31m红\u0007\u0000\b\u009b ok")).toBe("\\u001b[31m红\\u0007\\u0000\\u0008\\u009b ok");
  });
});

describe("secretForms", () => {
  const secret = 'se"c\\ret/+ 42';
  it.each([
    ["as it is", secret],
    ["JSON-escaped", JSON.stringify(secret).slice(1, -1)],
    ["JSON-escaped twice", JSON.stringify(JSON.stringify(secret).slice(1, -1)).slice(1, -1)],
    ["URL-encoded", encodeURIComponent(secret)],
  ])("holds the secret %s", (_name, form) => {
    expect(secretForms(secret)).toContain(form);
  });

  it.each([0, 1, 2])("finds base64 of the secret after %i other bytes, inside a longer encoded value", (offset) => {
    const encoded = Buffer.from(`${"u:".slice(0, offset)}${secret}`).toString("base64");
    expect(secretForms(secret).some((form) => encoded.includes(form))).toBe(true);
  });

  it("leaves out forms too short to tell from ordinary text", () => {
    expect(secretForms("abc")).toEqual([]);
  });
});
