import { describe, expect, it } from "vitest";
import { collectSecrets, formatCurl, placeholdersOf, redactBody, redactText } from "../../contracts/verify/secrets.ts";

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

  it("sends the extra headers it is given before the body (the state token's placeholder)", () => {
    const curl = formatCurl("http://127.0.0.1:1/_cmdb/state", {}, undefined, ["Authorization: Bearer <STATE_TOKEN>"]);
    expect(curl).toBe(
      "curl -sS -X POST 'http://127.0.0.1:1/_cmdb/state' -H 'Authorization: Bearer <STATE_TOKEN>' -H 'Content-Type: application/json' -d '{}'",
    );
  });

  it("names the world's secrets as the world's setup line does, and a secret the world lacks as another one", () => {
    const world = { apps: [{ bk_app_secret: "world-secret" }], tokens: { "tok-admin": "admin" } };
    const setup = formatCurl(
      "http://127.0.0.1:1/_cmdb/state",
      { state: "s", params: { world }, action: "setup" },
      world,
    );
    expect(setup).toContain('"apps":[{"bk_app_secret":"<BK_APP_SECRET>"}],"tokens":{"<BK_TOKEN>":"admin"}');
    expect(formatCurl("u", { bk_app_secret: "world-secret", bk_token: "tok-admin" }, world)).toContain(
      '{"bk_app_secret":"<BK_APP_SECRET>","bk_token":"<BK_TOKEN>"}',
    );
    expect(formatCurl("u", { bk_app_secret: "wrong-secret", bk_token: "tok-other" }, world)).toContain(
      '{"bk_app_secret":"<OTHER_BK_APP_SECRET>","bk_token":"<OTHER_BK_TOKEN>"}',
    );
  });
});

describe("placeholdersOf", () => {
  it.each([
    ["one app, one token", { given: { apps: [{ bk_app_secret: "a" }], tokens: { t: "admin" } }, want: [["a"], ["t"]] }],
    [
      "a second distinct secret is numbered, a repeated one is not",
      {
        given: { apps: [{ bk_app_secret: "a" }, { bk_app_secret: "b" }, { bk_app_secret: "a" }], tokens: {} },
        want: [["a", "b"], []],
      },
    ],
    ["no world", { given: undefined, want: [[], []] }],
  ])("%s", (_name, { given, want }) => {
    const table = placeholdersOf(given);
    expect([...(table.known.get("bk_app_secret")?.keys() ?? [])]).toEqual(want[0]);
    expect([...(table.known.get("bk_token")?.keys() ?? [])]).toEqual(want[1]);
    expect([...(table.known.get("bk_app_secret")?.values() ?? [])]).toEqual(
      ["<BK_APP_SECRET>", "<BK_APP_SECRET_2>"].slice(0, want[0]?.length),
    );
  });
});

describe("redactBody", () => {
  it("replaces secrets at any depth", () => {
    expect(redactBody({ a: [{ bk_app_secret: "x" }] })).toEqual({ a: [{ bk_app_secret: "<BK_APP_SECRET>" }] });
  });

  it("replaces the bk_token keys of a world's tokens and keeps their users", () => {
    const world = { tokens: { "tok-admin": "admin", "tok-ops": "ops" } };
    expect(redactBody(world, placeholdersOf(world))).toEqual({
      tokens: { "<BK_TOKEN>": "admin", "<BK_TOKEN_2>": "ops" },
    });
  });
});

describe("redactText and collectSecrets", () => {
  it("finds app secrets and bk_tokens of a world and removes them from text", () => {
    const secrets = collectSecrets({ apps: [{ bk_app_secret: "world-secret" }], tokens: { "tok-admin": "admin" } });
    expect([...secrets].sort()).toEqual(["tok-admin", "world-secret"]);
    expect(redactText("echo world-secret and tok-admin", secrets)).toBe("echo <REDACTED> and <REDACTED>");
  });
});

describe("the gateway's JSON-in-header credentials (X-Bkapi-Authorization)", () => {
  const header = JSON.stringify({ bk_app_code: "app", bk_app_secret: "header-secret", bk_token: "header-token" });

  it("are collected from a pact's request headers, as a string or as a V4 list of strings split at the commas", () => {
    for (const value of [header, [header], header.split(",")]) {
      const secrets = collectSecrets([{ request: { headers: { "X-Bkapi-Authorization": value } } }]);
      expect([...secrets].sort()).toEqual(["header-secret", "header-token"]);
    }
  });

  it("are redacted inside the header value, which stays JSON text of the same form", () => {
    const world = { apps: [{ bk_app_secret: "header-secret" }] };
    const redacted = redactBody({ headers: { "x-bkapi-authorization": [header] } }, placeholdersOf(world)) as {
      headers: Record<string, string[]>;
    };
    expect(JSON.parse(redacted.headers["x-bkapi-authorization"]?.[0] ?? "")).toEqual({
      bk_app_code: "app",
      bk_app_secret: "<BK_APP_SECRET>",
      bk_token: "<OTHER_BK_TOKEN>",
    });
  });

  it("leave a header that is not JSON as it is (the text redaction still covers it)", () => {
    expect(redactBody({ "X-Bkapi-Authorization": "not json" })).toEqual({ "X-Bkapi-Authorization": "not json" });
    expect(redactText(`-H 'X-Bkapi-Authorization: ${header}'`, ["header-secret"])).not.toContain("header-secret");
  });
});
