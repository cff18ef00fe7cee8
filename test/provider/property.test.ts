import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ESB_PREFIX } from "../../provider/app.ts";
import { type RunningReferenceCmdb, startReferenceCmdb } from "../../provider/server.ts";
import { loadProviderSpec } from "../../provider/spec-data.ts";
import { escapePointer } from "../../spec/load-spec.ts";
import { applyMutation, arbitraryFromSchema, mutationArbitrary } from "./arbitraries.ts";
import { designWorld, esbUrl, setWorld } from "./fixtures.ts";

const spec = loadProviderSpec();
const RUNS = 10_000;

// Request schema and route of each ESB operation, straight from the spec's paths.
const OPERATIONS = Object.entries(spec.document.paths)
  .filter(([path]) => path.startsWith(ESB_PREFIX))
  .map(([path, item]) => {
    const post = item.post as { requestBody: { content: { "application/json": { schema: { $ref: string } } } } };
    return {
      path,
      name: path.split("/").filter(Boolean).pop() ?? "",
      requestRef: post.requestBody.content["application/json"].schema.$ref,
      responseRef: `#/paths/${escapePointer(path)}/post/responses/200/content/application~1json/schema`,
    };
  });

const hints = {
  ids: {
    bk_biz_id: [2, 2, 2, 3],
    bk_module_id: [60, 61, 62, 63],
    bk_host_id: [10, 11, 12],
    process_template_id: [0, 7, 7],
    template_row_id: [1],
    service_instance_id: [100],
    service_instance_ids: [100],
  },
  strings: {
    bk_app_code: ["demo"],
    bk_app_secret: ["s3cr3t"],
    bk_username: ["admin"],
    bk_token: ["tok-admin"],
  },
};

let cmdb: RunningReferenceCmdb;
beforeAll(async () => {
  cmdb = await startReferenceCmdb({ world: designWorld() });
});
afterAll(async () => {
  await cmdb.close();
});

describe("the reference CMDB under generated and mutated bodies", () => {
  it(`answers ${RUNS} bodies from the spec's schemas, mutated, with valid envelopes and no change on rejection`, async () => {
    const requestArbitrary = fc.oneof(
      ...OPERATIONS.map((op) => ({
        // Most bodies go to the create, where the rules are.
        weight: op.name === "create_service_instance" ? 6 : 1,
        arbitrary: fc.record({
          op: fc.constant(op),
          body: arbitraryFromSchema(spec.document, op.requestRef, hints),
          mutation: mutationArbitrary,
        }),
      })),
    );
    // A world where instance 100 already exists, so reads and deletes find something.
    const world = designWorld();
    world.service_instances = [{ id: 100, bk_biz_id: 2, bk_module_id: 60, bk_host_id: 10, processes: [] }];
    await setWorld(cmdb.stateSetupUrl, world);
    const codes = new Map<number, number>();
    let successes = 0;

    await fc.assert(
      fc.asyncProperty(requestArbitrary, async ({ op, body, mutation }) => {
        // Plain checks in the loop (vitest's deep equality is slow over 10,000 runs); any failure throws.
        const before = JSON.stringify(cmdb.snapshot());
        const res = await fetch(esbUrl(cmdb.url, op.name), { method: "POST", body: applyMutation(body, mutation) });
        const text = await res.text();
        if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${text}`);
        const json = JSON.parse(text) as Record<string, unknown>;
        const problems = spec.validator.validate(op.responseRef, json);
        if (problems.length > 0) throw new Error(`not a valid envelope: ${JSON.stringify(problems)} in ${text}`);
        if (!/^[0-9a-f]{32}$/.test(String(json.request_id))) throw new Error(`bad request_id in ${text}`);
        codes.set(json.code as number, (codes.get(json.code as number) ?? 0) + 1);
        if (json.result === false) {
          if (JSON.stringify(cmdb.snapshot()) !== before)
            throw new Error(`a rejected request changed the state: ${text}`);
        } else if (op.name === "create_service_instance" || op.name === "delete_service_instance") {
          successes++;
          await setWorld(cmdb.stateSetupUrl, world);
        }
      }),
      { numRuns: RUNS },
    );

    // The generator reaches deep: many distinct codes, successes included, and the server still answers.
    expect(codes.size).toBeGreaterThanOrEqual(10);
    expect(successes).toBeGreaterThan(100);
    const alive = await fetch(esbUrl(cmdb.url, "get_proc_template"), { method: "POST", body: "{}" });
    expect(alive.status).toBe(200);
  }, 120_000);
});
