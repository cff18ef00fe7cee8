import { describe, expect, it } from "vitest";
import { collectSecrets, formatCurl, redactBody, redactText } from "../../contracts/verify/secrets.ts";

describe("formatCurl", () => {
  it("reproduces the request with the secret and token replaced by placeholders", () => {
    const curl = formatCurl("http://127.0.0.1:1/api/", {
      bk_app_secret: "s3cr3t-value",
      bk_token: "tok-1",
      note: "it's",
    });
    expect(curl).not.toContain("s3cr3t-value");
    expect(curl).not.toContain("tok-1");
    expect(curl).toContain('"bk_app_secret":"<BK_APP_SECRET>"');
    expect(curl).toContain("'\\''");
  });
});

describe("redactBody", () => {
  it("replaces secrets at any depth", () => {
    expect(redactBody({ a: [{ bk_app_secret: "x" }] })).toEqual({ a: [{ bk_app_secret: "<BK_APP_SECRET>" }] });
  });
});

describe("redactText and collectSecrets", () => {
  it("finds app secrets and bk_tokens of a world and removes them from text", () => {
    const secrets = collectSecrets({ apps: [{ bk_app_secret: "world-secret" }], tokens: { "tok-admin": "admin" } });
    expect([...secrets].sort()).toEqual(["tok-admin", "world-secret"]);
    expect(redactText("echo world-secret and tok-admin", secrets)).toBe("echo <REDACTED> and <REDACTED>");
  });
});
