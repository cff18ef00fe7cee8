import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { parse as parseWithYaml } from "yaml";
import { parseSpecText, parseYamlQuickly, SPEC_PATH, SpecError } from "../../spec/load-spec.ts";
import { CACHE_DIR, loadSharedSpec, readSharedSpec, sharedSchemaValidator } from "../../spec/shared-spec.ts";

// Every worker thread this file's code starts is counted: swagger-parser's validation runs in one.
const workers = vi.hoisted(() => ({ started: 0 }));
vi.mock(import("node:worker_threads"), async (load) => {
  const real = await load();
  class CountedWorker extends real.Worker {
    constructor(...args: ConstructorParameters<typeof real.Worker>) {
      super(...args);
      workers.started += 1;
    }
  }
  return { ...real, Worker: CountedWorker };
});

let dir: string;
let specText: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cmdb-shared-spec-"));
  specText = await readFile(SPEC_PATH, "utf8");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("readSharedSpec", () => {
  it("answers the document parsed before while the text is unchanged, and parses an edited file again", async () => {
    const file = join(dir, "edited.yaml");
    await writeFile(file, specText);
    const first = readSharedSpec(file);
    expect(readSharedSpec(file).document).toBe(first.document);
    await writeFile(file, specText.replace("title:", "title: edited"));
    const edited = readSharedSpec(file);
    expect(edited.document).not.toBe(first.document);
    expect(edited.text).toContain("title: edited");
  });

  it("reads the shipped spec exactly as parseSpecText (yaml) does", () => {
    expect(readSharedSpec().document).toStrictEqual(parseSpecText(SPEC_PATH, specText));
  });

  it.each([
    ["integers", { given: "[0o17, 0x1F, 017, +12, -0, 0b11, 1_000]" }],
    ["floats", { given: "[1e3, 1., +.5, -.5e3, .inf, -.Inf, .nan]" }],
    ["null and booleans", { given: "[~, null, Null, NULL, '', True, TRUE, tRue, yes, on]" }],
    ["strings that look like dates and times", { given: "[2026-01-01, 2026-01-01T00:00:00Z, 12:30:00]" }],
    ["a duplicate key (yaml's error)", { given: "{a: 1, a: 2}" }],
    ["a tag js-yaml does not know", { given: "!!binary aGk=" }],
    ["aliases, each the anchored value again", { given: "{a: &x {b: [1, 2]}, c: *x, d: [*x, *x]}" }],
    // Nine levels of ten aliases: a few hundred bytes for a tree of 10^9 nodes, which yaml refuses.
    [
      "aliases nested in each other (a YAML bomb)",
      {
        given: `{l0: &l0 [x, x, x, x, x, x, x, x, x, x], ${Array.from(
          { length: 9 },
          (_, i) => `l${i + 1}: &l${i + 1} [${Array(10).fill(`*l${i}`).join(", ")}]`,
        ).join(", ")}}`,
      },
    ],
  ])("reads %s as parseSpecText does", async (_name, { given }) => {
    const file = join(dir, `scalars-${given.length}.yaml`);
    const text = `v: ${given}\n`;
    await writeFile(file, text);
    const want = (() => {
      try {
        return parseSpecText(file, text);
      } catch (error) {
        return error;
      }
    })();
    if (want instanceof SpecError) expect(() => readSharedSpec(file)).toThrow(want.message);
    else expect(readSharedSpec(file).document).toStrictEqual(want);
  });

  it("names the file it cannot read", () => {
    expect(() => readSharedSpec(join(dir, "missing.yaml"))).toThrow(/missing\.yaml: cannot read the file/);
  });
});

describe("parseYamlQuickly (fixtures, worlds, live files)", () => {
  it.each([
    ["a list", "- a: 1\n- b: [x, 0o17, .5]\n"],
    ["an empty text", ""],
    ["a scalar", "just words\n"],
    ["aliases", "a: &x {b: 1}\nc: *x\n"],
    ["a duplicate key", "a: 1\na: 2\n"],
    ["a syntax error", "a: [1, 2\n"],
    [
      "a YAML bomb",
      `l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n${Array.from(
        { length: 9 },
        (_, i) => `l${i + 1}: &l${i + 1} [${Array(10).fill(`*l${i}`).join(", ")}]`,
      ).join("\n")}\n`,
    ],
  ])("reads %s as yaml's parse does, or fails with yaml's error", (_name, text) => {
    const read = (parse: () => unknown) => {
      try {
        return { value: parse() };
      } catch (error) {
        return { error: (error as Error).message };
      }
    };
    const want = read(() => parseWithYaml(text, { uniqueKeys: true, maxAliasCount: 100 }));
    expect(read(() => parseYamlQuickly("f.yaml", text))).toStrictEqual(want);
  });
});

describe("loadSharedSpec", () => {
  it("validates the shipped spec, as loadSpec does", async () => {
    const spec = await loadSharedSpec();
    expect(spec.document).toBe(readSharedSpec().document);
    expect(spec.document["x-cmdb-template-lock"].lock_flag).toBe("as_default_value");
  });

  it("rejects an invalid spec with swagger-parser's problems, from its worker thread, every time", async () => {
    const file = join(dir, "invalid.yaml");
    // A title that is not a string breaks the OpenAPI schema, which only swagger-parser checks.
    await writeFile(
      file,
      specText.replace("openapi: 3.1.0\ninfo:\n  title:", "openapi: 3.1.0\ninfo:\n  title: [a]\n  x-was:"),
    );
    const first = await loadSharedSpec(file).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(SpecError);
    expect((first as SpecError).problems).toContainEqual(expect.objectContaining({ pointer: "/info/title", line: 3 }));
    const again = await loadSharedSpec(file).catch((e: unknown) => e);
    expect((again as SpecError).message).toBe((first as SpecError).message);
  });
});

describe("loadSharedSpec with the cache of npm start", () => {
  afterEach(() => {
    delete (globalThis as Record<symbol, unknown>)[CACHE_DIR];
  });

  it("remembers a valid spec, so the same text in another file is not validated again; never an invalid one", async () => {
    const cache = join(dir, "cache");
    (globalThis as Record<symbol, unknown>)[CACHE_DIR] = cache;
    const text = specText.replace("title:", "title: remembered");
    await writeFile(join(dir, "first.yaml"), text);
    await writeFile(join(dir, "second.yaml"), text);
    const before = workers.started;
    await loadSharedSpec(join(dir, "first.yaml"));
    expect(workers.started).toBe(before + 1);
    expect(await readdir(join(cache, "valid-specs"))).toHaveLength(1);
    await loadSharedSpec(join(dir, "second.yaml"));
    expect(workers.started).toBe(before + 1);

    await writeFile(
      join(dir, "bad.yaml"),
      text.replace("openapi: 3.1.0\ninfo:\n  title:", "openapi: 3.1.0\ninfo:\n  title: [a]\n  x:"),
    );
    await expect(loadSharedSpec(join(dir, "bad.yaml"))).rejects.toBeInstanceOf(SpecError);
    expect(await readdir(join(cache, "valid-specs"))).toHaveLength(1);
  });
});

describe("sharedSchemaValidator", () => {
  it("answers one validator per spec, so each schema is compiled once in the process", async () => {
    const spec = await loadSharedSpec();
    const validator = sharedSchemaValidator(spec);
    expect(sharedSchemaValidator(readSharedSpec())).toBe(validator);
    expect(validator.validateWorld({ supplier_account: 0 })).not.toEqual([]);
  });
});
