import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { diffFiles, findStaleFiles, writeFiles } from "../../generator/write-files.ts";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "cmdb-write-files-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function listAll(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true });
  return entries.map(String).sort();
}

describe("writeFiles", () => {
  it("writes every file, creating folders", async () => {
    await writeFiles(dir, [
      { path: "a.ts", contents: "a\n" },
      { path: "docs/b.md", contents: "b\n" },
    ]);
    expect(await readFile(join(dir, "a.ts"), "utf8")).toBe("a\n");
    expect(await readFile(join(dir, "docs/b.md"), "utf8")).toBe("b\n");
    expect(await listAll(dir)).toEqual(["a.ts", "docs", "docs/b.md"]);
  });

  it("leaves the previous files byte-identical and no temporary file when one write fails", async () => {
    await writeFile(join(dir, "a.ts"), "old a\n");
    // A file where a folder must go makes the second write fail after the first temporary file exists.
    await writeFile(join(dir, "docs"), "I am a file\n");
    const failing = writeFiles(dir, [
      { path: "a.ts", contents: "new a\n" },
      { path: "docs/b.md", contents: "b\n" },
    ]);
    await expect(failing).rejects.toThrow(/cannot write .*docs\/b\.md/);
    expect(await readFile(join(dir, "a.ts"), "utf8")).toBe("old a\n");
    expect(await listAll(dir)).toEqual(["a.ts", "docs"]);
  });

  it.each([["../escape.ts"], ["/etc/passwd"], ["docs/../../x.ts"]])(
    "refuses the path %s outside the folder",
    async (path) => {
      await expect(writeFiles(dir, [{ path, contents: "x" }])).rejects.toThrow(/must stay inside the output folder/);
      expect(await listAll(dir)).toEqual([]);
    },
  );
});

describe("diffFiles", () => {
  it.each([
    ["nothing when every file matches", { given: { "a.ts": "a", "b.ts": "b" }, want: [] }],
    ["a file whose contents differ", { given: { "a.ts": "a", "b.ts": "changed" }, want: ["b.ts"] }],
    ["a missing file", { given: { "a.ts": "a" }, want: ["b.ts"] }],
    ["a byte of whitespace", { given: { "a.ts": "a\n", "b.ts": "b" }, want: ["a.ts"] }],
  ])("lists %s", async (_name, { given, want }) => {
    for (const [path, contents] of Object.entries(given)) await writeFile(join(dir, path), contents);
    const generated = [
      { path: "b.ts", contents: "b" },
      { path: "a.ts", contents: "a" },
    ];
    expect(await diffFiles(dir, generated)).toEqual(want);
  });

  it("lists files in a folder that does not exist", async () => {
    await mkdir(join(dir, "empty"));
    expect(await diffFiles(join(dir, "none"), [{ path: "docs/x.md", contents: "" }])).toEqual(["docs/x.md"]);
  });
});

describe("findStaleFiles", () => {
  it("lists *.gen.ts and files in generated folders that are not generated any more, never the user's files", async () => {
    await mkdir(join(dir, "docs/deep"), { recursive: true });
    for (const path of [
      "types.gen.ts",
      "old.gen.ts",
      "index.ts",
      "mine.ts",
      "docs/a.md",
      "docs/gone.md",
      "docs/deep/x.md",
    ]) {
      await writeFile(join(dir, path), "x");
    }
    const generated = [
      { path: "types.gen.ts", contents: "x" },
      { path: "index.ts", contents: "x" },
      { path: "docs/a.md", contents: "x" },
    ];
    expect(await findStaleFiles(dir, generated)).toEqual(["docs/deep/x.md", "docs/gone.md", "old.gen.ts"]);
  });

  it("lists nothing in a folder that does not exist", async () => {
    expect(await findStaleFiles(join(dir, "none"), [{ path: "docs/a.md", contents: "" }])).toEqual([]);
  });
});
