import { beforeAll, describe, expect, it } from "vitest";
import { emitDocs } from "../../generator/emit/docs.ts";
import { LABELS } from "../../generator/emit/docs-labels.ts";
import { buildModel } from "../../generator/model/build-model.ts";
import { normalizeChineseSpace, normalizeSpace } from "../../generator/model/text.ts";
import { loadSpec, type OpenApiDocument } from "../../spec/load-spec.ts";

/** The keys of the spec that hold an English text and the key of its Chinese counterpart beside it. */
const PAIRED_KEYS = [
  ["description", "x-description-zh"],
  ["summary", "x-summary-zh"],
  ["when", "when_zh"],
  ["published_en", "published_zh"],
  ["actual_en", "actual_zh"],
] as const;

/** The parts of the spec the docs show (`servers` is not shown). */
const SHOWN_ROOTS = ["info", "paths", "components", "x-cmdb-error-codes", "x-cmdb-template-lock"] as const;

interface TextPair {
  pointer: string;
  key: string;
  en: string;
  zh: string;
}

/**
 * Every English text of the shown spec with its Chinese counterpart (empty when the spec has none); example
 * payloads (`value`, `example`) are data, not text, and are skipped.
 */
function collectPairs(document: OpenApiDocument): TextPair[] {
  const pairs: TextPair[] = [];
  const visit = (node: unknown, pointer: string, parentKey: string): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => {
        visit(item, `${pointer}/${i}`, "");
      });
      return;
    }
    if (node === null || typeof node !== "object") return;
    const record = node as Record<string, unknown>;
    for (const [en, zh] of PAIRED_KEYS) {
      if (typeof record[en] !== "string" || parentKey === "properties") continue;
      pairs.push({
        pointer,
        key: en,
        en: normalizeSpace(record[en]),
        zh: normalizeChineseSpace(record[zh]),
      });
    }
    for (const [key, value] of Object.entries(record)) {
      if (parentKey !== "properties" && (key === "value" || key === "example")) continue;
      visit(value, `${pointer}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`, key);
    }
  };
  for (const root of SHOWN_ROOTS) visit(document[root], `/${root}`, root);
  return pairs;
}

/**
 * A page without what is bilingual by design: fenced example JSON (data that may hold any text) and the error
 * messages, which every page lists in both languages.
 */
function prose(markdown: string, spec: OpenApiDocument): string {
  let text = markdown.replace(/```[\s\S]*?```/g, "");
  for (const entry of spec["x-cmdb-error-codes"]) {
    text = text.replaceAll(entry.message_zh.trim(), "").replaceAll(entry.message_en.trim(), "");
  }
  return text;
}

/** The text a reader sees in the HTML reference: tags dropped, entities decoded. */
function visibleText(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>/g, "")
    .replace(/<[^>]+>/g, "")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** A spec text as the pages print it: Markdown code spans become `<code>` in HTML, so their backticks go. */
function withoutBackticks(text: string): string {
  return text.replace(/`([^`]+)`/g, "$1");
}

let document: OpenApiDocument;
let pairs: TextPair[];
let files: Map<string, string>;

beforeAll(async () => {
  document = (await loadSpec()).document;
  pairs = collectPairs(document);
  files = new Map(emitDocs(buildModel(document)).map((f) => [f.path, f.contents]));
});

function pagesOf(language: "zh" | "en"): [string, string][] {
  return [...files.entries()].filter(([path]) => path.endsWith(`.${language}.md`));
}

describe("the spec's Chinese text", () => {
  it("exists for every English description, summary and `when` the docs show", () => {
    const missing = pairs.filter((p) => p.en !== "" && p.zh === "").map((p) => `${p.pointer}: ${p.key} has no Chinese`);
    expect(missing).toEqual([]);
  });

  it("covers every example, error code and validation step (the texts this follow-up added)", () => {
    const examples = Object.keys(document.components.examples ?? {});
    expect(pairs.filter((p) => p.pointer.startsWith("/components/examples/") && p.key === "summary")).toHaveLength(
      examples.length,
    );
    expect(pairs.filter((p) => /^\/x-cmdb-error-codes\/\d+$/.test(p.pointer) && p.key === "when")).toHaveLength(
      document["x-cmdb-error-codes"].length,
    );
    expect(pairs.some((p) => p.pointer.includes("/x-cmdb-validation-order/") && p.key === "when")).toBe(true);
  });

  it("would notice a missing Chinese text", () => {
    const changed = structuredClone(document);
    const entry = changed["x-cmdb-error-codes"][0] as unknown as Record<string, unknown>;
    delete entry.when_zh;
    const missing = collectPairs(changed).filter((p) => p.en !== "" && p.zh === "");
    expect(missing.map((p) => p.pointer)).toEqual(["/x-cmdb-error-codes/0"]);
  });
});

describe("emitDocs languages", () => {
  it("shows no English text on a Chinese page where the spec has its Chinese counterpart", () => {
    const leaks: string[] = [];
    for (const [path, markdown] of pagesOf("zh")) {
      const text = prose(markdown, document);
      for (const p of pairs) if (p.zh !== "" && text.includes(p.en)) leaks.push(`${path}: ${p.pointer} ${p.key}`);
    }
    expect(leaks).toEqual([]);
  });

  it("shows no Chinese text on an English page where the spec has its English counterpart", () => {
    const leaks: string[] = [];
    for (const [path, markdown] of pagesOf("en")) {
      const text = prose(markdown, document);
      for (const p of pairs) if (p.en !== "" && text.includes(p.zh)) leaks.push(`${path}: ${p.pointer} ${p.key}`);
    }
    expect(leaks).toEqual([]);
  });

  it.each([
    ["x-summary-zh of the examples", (p: TextPair) => p.pointer.startsWith("/components/examples/")],
    ["when_zh of the error codes", (p: TextPair) => p.pointer.startsWith("/x-cmdb-error-codes/")],
    ["when_zh of the validation order", (p: TextPair) => p.pointer.includes("/x-cmdb-validation-order/")],
  ] as const)("prints the %s on the Chinese pages and in index.html", (_name, select) => {
    const chosen = pairs.filter(select);
    expect(chosen.length).toBeGreaterThan(0);
    const zhPages = pagesOf("zh")
      .map(([, markdown]) => markdown)
      .join("\n");
    const html = visibleText(files.get("docs/index.html") ?? "");
    for (const p of chosen) {
      expect(zhPages, `${p.pointer} ${p.key}`).toContain(p.zh);
      expect(html, `${p.pointer} ${p.key}`).toContain(withoutBackticks(p.zh));
    }
  });

  it("titles each example of a Chinese page with its x-summary-zh and an English page with its summary", () => {
    const zh = files.get("docs/create_service_instance.zh.md") ?? "";
    const en = files.get("docs/create_service_instance.en.md") ?? "";
    const example = document.components.examples?.CreateServiceInstanceTemplatedRequest as Record<string, string>;
    expect(zh).toContain(`\n#### ${example["x-summary-zh"]}\n`);
    expect(zh).not.toContain(`\n#### ${example.summary}\n`);
    expect(en).toContain(`\n#### ${example.summary}\n`);
    // The worked example of the lock rules reads the same examples.
    const lock = zh.slice(zh.indexOf(`\n### ${LABELS.lockRules.zh}\n`));
    expect(lock).toContain(`- ${LABELS.request.zh}: ${example["x-summary-zh"]}。`);
  });
});

describe("emitDocs lock rules", () => {
  /** The operations whose pages carry the lock-rules section, in the given spec. */
  function pagesWithLockRules(spec: OpenApiDocument): string[] {
    return emitDocs(buildModel(spec))
      .filter((f) => {
        const language = f.path.endsWith(".zh.md") ? "zh" : f.path.endsWith(".en.md") ? "en" : undefined;
        return language !== undefined && f.contents.includes(`\n### ${LABELS.lockRules[language]}\n`);
      })
      .map((f) => f.path);
  }

  it.each([
    ["the spec's own list", undefined, ["docs/create_service_instance.en.md", "docs/create_service_instance.zh.md"]],
    ["another operation only", ["getProcTemplate"], ["docs/get_proc_template.en.md", "docs/get_proc_template.zh.md"]],
    ["none", [], []],
  ] as const)("puts the section on the pages of x-cmdb-template-lock.operations: %s", (_name, operations, want) => {
    const spec = structuredClone(document);
    if (operations !== undefined) spec["x-cmdb-template-lock"].operations = [...operations];
    // The create operation's description still names the rules; only the list decides.
    const create = spec.paths["/api/c/compapi/v2/cc/create_service_instance/"]?.post as { description: string };
    expect(create.description).toContain("x-cmdb-template-lock");
    expect(pagesWithLockRules(spec)).toEqual(want);
  });
});
