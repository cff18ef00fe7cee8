import { describe, expect, it } from "vitest";
import { generateFiles, ownsPath } from "../../generator/generate.ts";
import { loadSpec, SpecError } from "../../spec/load-spec.ts";

const spec = await loadSpec();
const DOCS = [
  "docs/create_service_instance.en.md",
  "docs/create_service_instance.zh.md",
  "docs/delete_service_instance.en.md",
  "docs/delete_service_instance.zh.md",
  "docs/get_proc_template.en.md",
  "docs/get_proc_template.zh.md",
  "docs/index.html",
  "docs/list_process_instance.en.md",
  "docs/list_process_instance.zh.md",
];
const CODE = ["client.gen.ts", "index.ts", "types.gen.ts"];

describe("generateFiles", () => {
  it.each([
    ["everything by default, sorted by path", {}, [...CODE.slice(0, 1), ...DOCS, ...CODE.slice(1)]],
    ["only the docs (cmdb-contract docs)", { only: "docs" as const }, DOCS],
    ["no docs", { docs: false }, CODE],
  ])("emits %s", async (_name, given, want) => {
    expect((await generateFiles(spec, given)).map((f) => f.path)).toEqual(want);
  });

  it("gives the docs the same bytes whichever selection asked for them", async () => {
    const all = await generateFiles(spec);
    const docs = await generateFiles(spec, { only: "docs" });
    expect(all.filter((f) => f.path.startsWith("docs/"))).toEqual(docs);
  });

  it("rejects a spec that breaks the OpenAPI schema with a SpecError, even when asked for the docs alone", async () => {
    const broken = structuredClone(spec);
    delete (broken.document.info as { title?: string }).title;
    await expect(generateFiles(broken, { only: "docs" })).rejects.toBeInstanceOf(SpecError);
  });
});

describe("ownsPath", () => {
  it.each([
    ["generate owns the code", {}, "client.gen.ts", true],
    ["generate owns the docs", {}, "docs/index.html", true],
    ["docs owns the docs", { only: "docs" as const }, "docs/a.en.md", true],
    ["docs leaves the code alone", { only: "docs" as const }, "types.gen.ts", false],
    ["generate without docs leaves docs/ alone", { docs: false }, "docs/index.html", false],
    ["generate without docs owns the code", { docs: false }, "index.ts", true],
  ])("%s", (_name, options, path, want) => {
    expect(ownsPath(options, path)).toBe(want);
  });
});
