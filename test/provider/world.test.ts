import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadWorldFile, parseWorld, WORLD_LIMITS, WorldError } from "../../provider/world.ts";
import { designWorld } from "./fixtures.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cmdb-world-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function problemsOf(action: () => unknown): Promise<WorldError> {
  try {
    await action();
  } catch (error) {
    if (error instanceof WorldError) return error;
    throw error;
  }
  throw new Error("expected a WorldError");
}

describe("loadWorldFile", () => {
  it("reads the same world from JSON and from YAML", async () => {
    await writeFile(join(dir, "w.json"), JSON.stringify(designWorld()));
    await writeFile(join(dir, "w.yaml"), stringify(designWorld()));
    expect(await loadWorldFile(join(dir, "w.json"))).toEqual(designWorld());
    expect(await loadWorldFile(join(dir, "w.yaml"))).toEqual(designWorld());
  });

  it("an empty YAML file is an empty world", async () => {
    await writeFile(join(dir, "empty.yaml"), "");
    expect(await loadWorldFile(join(dir, "empty.yaml"))).toEqual({});
  });

  const cases: [string, { given: string; want: RegExp[] }][] = [
    [
      "a schema violation names the file and each JSON pointer",
      {
        given: JSON.stringify({ hosts: [{ bk_host_id: 0, bk_host_innerip: "x" }], modules: [{ bk_module_id: 1 }] }),
        want: [
          /bad\.json#\/hosts\/0\/bk_host_id: must be >= 1/,
          /bad\.json#\/modules\/0: must have required property 'bk_biz_id'/,
        ],
      },
    ],
    [
      "an unknown key is named",
      { given: JSON.stringify({ modulez: [] }), want: [/bad\.json#: must NOT have additional properties \(modulez\)/] },
    ],
    [
      "a repeated ID points at both places",
      {
        given: JSON.stringify({
          businesses: [
            { bk_biz_id: 2, bk_biz_name: "a" },
            { bk_biz_id: 2, bk_biz_name: "b" },
          ],
        }),
        want: [/bad\.json#\/businesses\/1\/bk_biz_id: business 2 is already defined at \/businesses\/0/],
      },
    ],
    ["text that is not JSON", { given: "{nope", want: [/bad\.json#: not valid JSON or YAML/] }],
    [
      "a module naming a host missing from hosts points at it",
      {
        given: JSON.stringify({
          hosts: [{ bk_host_id: 10, bk_host_innerip: "10.0.0.5" }],
          modules: [{ bk_module_id: 61, bk_biz_id: 2, host_ids: [10, 11] }],
        }),
        want: [/bad\.json#\/modules\/0\/host_ids\/1: host 11 is not in \/hosts/],
      },
    ],
  ];

  it.each(cases)("%s", async (_name, { given, want }) => {
    const file = join(dir, "bad.json");
    await writeFile(file, given);
    const error = await problemsOf(() => loadWorldFile(file));
    for (const pattern of want) expect(error.message).toMatch(pattern);
  });

  it("a file over the world size limit is refused before it is parsed", async () => {
    const file = join(dir, "huge.yaml");
    // A YAML comment: cheap to write, and it would parse as an empty world if the size were not checked first.
    await writeFile(file, `#${"x".repeat(WORLD_LIMITS.maxBytes)}\n`);
    const error = await problemsOf(() => loadWorldFile(file));
    expect(error.message).toMatch(
      /huge\.yaml#: the file has 4194306 bytes; a world file may have at most 4194304 \(4 MiB\)/,
    );
  });

  it("a missing file is named", async () => {
    const error = await problemsOf(() => loadWorldFile(join(dir, "missing.yaml")));
    expect(error.message).toContain("missing.yaml");
    expect(error.problems[0]?.message).toMatch(/cannot read the file/);
  });
});

describe("parseWorld", () => {
  it("accepts the world of DESIGN.md and rejects a process template without bk_process_name", () => {
    expect(parseWorld(designWorld(), "design")).toEqual(designWorld());
    const world = designWorld();
    const property = world.service_templates?.[0]?.process_templates[0]?.property as unknown as Record<string, unknown>;
    delete property.bk_process_name;
    expect(() => parseWorld(world, "design")).toThrow(/design#\/service_templates\/0\/process_templates\/0\/property/);
  });
});
