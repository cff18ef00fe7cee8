import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningReferenceCmdb, startReferenceCmdb } from "../../provider/server.ts";
import type { World } from "../../provider/world.ts";
import { AUTH, designWorld, esbUrl, post, setWorld } from "./fixtures.ts";

/** DESIGN.md's world with 200 hosts in the templated module 61. */
function manyHostsWorld(): World {
  const world = designWorld();
  const hostIds = Array.from({ length: 200 }, (_, i) => 1000 + i);
  world.hosts = hostIds.map((id) => ({ bk_host_id: id, bk_host_innerip: `10.1.${Math.floor(id / 256)}.${id % 256}` }));
  world.modules = [{ bk_module_id: 61, bk_biz_id: 2, service_template_id: 5, host_ids: hostIds }];
  return world;
}

let cmdb: RunningReferenceCmdb;
beforeAll(async () => {
  cmdb = await startReferenceCmdb();
});
afterAll(async () => {
  await cmdb.close();
});

const create = (hostId: number) =>
  post(esbUrl(cmdb.url, "create_service_instance"), {
    ...AUTH,
    bk_biz_id: 2,
    bk_module_id: 61,
    instances: [{ bk_host_id: hostId }],
  });

describe("create_service_instance under concurrency", () => {
  it("200 concurrent creates for 200 hosts on a templated module all succeed with distinct IDs", async () => {
    await setWorld(cmdb.stateSetupUrl, manyHostsWorld());
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => create(1000 + i)));
    expect(results.map((r) => r.json.code)).toEqual(Array(200).fill(0));
    const ids = results.flatMap((r) => r.json.data as number[]);
    expect(new Set(ids).size).toBe(200);
    // Nothing lost: the IDs are exactly the 200 handed out from next_ids.
    expect([...ids].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => 100 + i));
    // Each instance holds the one process of its template, on its own host.
    const listed = await Promise.all(
      results.map((r, i) =>
        post(esbUrl(cmdb.url, "list_process_instance"), {
          ...AUTH,
          bk_biz_id: 2,
          service_instance_id: (r.json.data as number[])[0],
        }).then((l) => [i, l] as const),
      ),
    );
    for (const [i, l] of listed) {
      const data = l.json.data as { relation: { bk_host_id: number } }[];
      expect(data.map((p) => p.relation.bk_host_id)).toEqual([1000 + i]);
    }
  });

  it("50 concurrent creates for one host on a templated module leave exactly one instance", async () => {
    await setWorld(cmdb.stateSetupUrl, manyHostsWorld());
    const results = await Promise.all(Array.from({ length: 50 }, () => create(1000)));
    const codes = results.map((r) => r.json.code);
    expect(codes.filter((c) => c === 0)).toHaveLength(1);
    expect(codes.filter((c) => c === 1113016)).toHaveLength(49);
    const winner = results.find((r) => r.json.code === 0)?.json.data as number[];
    expect(winner).toEqual([100]);
    // No half-made instance from the 49 losers: the next host gets the very next ID.
    expect((await create(1001)).json.data).toEqual([101]);
  });
});
