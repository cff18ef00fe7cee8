/**
 * Guards the Pact version the consumer tests rely on. From pact-core 19.1 (@pact-foundation/pact 16.3) the mock
 * server answers a request before it records the match, so under CPU load `executeTest` can report "expected but
 * not received" for a request the client got an answer to (pact-foundation/pact-reference#535). Reproduced here:
 * 3 of 30 processes running 40 interactions each, six at a time on two cores, with 16.5.0; none with 16.2.0.
 * Upgrade when upstream records matches before answering, and remove this guard then.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

const require = createRequire(import.meta.url);

async function versionOf(name: string): Promise<string> {
  const manifest = require.resolve(`${name}/package.json`, { paths: [require.resolve("@pact-foundation/pact")] });
  return (JSON.parse(await readFile(manifest, "utf8")) as { version: string }).version;
}

describe("the Pact mock server the consumer tests run on", () => {
  it("is a pact-core that records a match before it answers (18.x)", async () => {
    const version = await versionOf("@pact-foundation/pact-core");
    expect(version.split(".")[0], `pact-core ${version} has the match-recording race (pact-reference#535)`).toBe("18");
  });
});
