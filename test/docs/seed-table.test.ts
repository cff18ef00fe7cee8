import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { emitDocs } from "../../generator/emit/docs.ts";
import { buildModel } from "../../generator/model/build-model.ts";
import { loadSpec } from "../../spec/load-spec.ts";

/** The published page our users start from, copied beside the spec so the test is hermetic. */
const SEED_PATH = fileURLToPath(new URL("../../spec/seed/create_service_instance.zh.md", import.meta.url));

interface TableRow {
  table: string;
  field: string;
  type: string;
  /** 是 / 否, or null where the table has no 必选 column (the seed's instances table). */
  required: string | null;
}

/**
 * Where the generated page deliberately disagrees with a seed row, because the spec follows the real CMDB; each must
 * also be recorded in the spec's `x-cmdb-published-page-differences` under the same topic.
 */
const DELIBERATE: { table: string; field: string; column: "type" | "required"; topic: string; reason: string }[] = [
  {
    table: "接口参数",
    field: "bk_module_id",
    column: "required",
    topic: "bk_module_id",
    reason:
      "the seed says 否, but a missing or zero bk_module_id finds no module and fails with 1101034 (cmdb-semantics §1.2 step 3, §1.4)",
  },
  {
    table: "response",
    field: "data",
    column: "type",
    topic: "response data",
    reason:
      "the seed types data as object, but it is the array of new service instance IDs (its own example shows [53])",
  },
];

/** Parses every Markdown table of a page: the heading above it, then the field, type and 必选 columns. */
function parseTables(markdown: string): TableRow[] {
  const rows: TableRow[] = [];
  let table = "";
  let header: string[] = [];
  for (const raw of markdown.split("\n")) {
    const line = raw.trim();
    const heading = /^#{2,4}\s+(.+)$/.exec(line);
    if (heading) {
      table = heading[1] as string;
      header = [];
      continue;
    }
    if (!line.startsWith("|")) {
      header = [];
      continue;
    }
    const cells = line
      .replace(/^\||\|$/g, "")
      .split(/(?<!\\)\|/)
      .map((c) => c.trim());
    if (cells.every((c) => /^-*$/.test(c))) continue;
    if (header.length === 0) {
      header = cells;
      continue;
    }
    const at = (name: string) => header.indexOf(name);
    const fieldAt = at("字段") >= 0 ? at("字段") : at("名称");
    // A response table gives a type per envelope variant; the published page describes the success.
    const typeAt = at("类型") >= 0 ? at("类型") : at("成功时类型");
    if (fieldAt < 0 || typeAt < 0) continue;
    rows.push({
      table,
      field: cells[fieldAt] as string,
      type: cells[typeAt] as string,
      required: at("必选") >= 0 ? (cells[at("必选")] as string) : null,
    });
  }
  return rows;
}

let seedRows: TableRow[];
let pageRows: TableRow[];
let recordedTopics: string[];

beforeAll(async () => {
  const { document } = await loadSpec();
  const page = emitDocs(buildModel(document)).find((f) => f.path === "docs/create_service_instance.zh.md");
  if (!page) throw new Error("emitDocs wrote no docs/create_service_instance.zh.md");
  pageRows = parseTables(page.contents);
  seedRows = parseTables(await readFile(SEED_PATH, "utf8"));
  const create = document.paths["/api/c/compapi/v2/cc/create_service_instance/"]?.post as Record<string, unknown>;
  const recorded = (create["x-cmdb-published-page-differences"] ?? []) as { topic: string }[];
  recordedTopics = recorded.map((d) => d.topic);
});

describe("emitDocs against the seed page", () => {
  it("parses the seed's four tables with all fourteen rows", () => {
    expect(seedRows.map((r) => `${r.table}: ${r.field}`)).toEqual([
      "通用参数: bk_app_code",
      "通用参数: bk_app_secret",
      "通用参数: bk_token",
      "通用参数: bk_username",
      "接口参数: bk_module_id",
      "接口参数: instances",
      "instances 字段说明: instances.bk_host_id",
      "instances 字段说明: instances.processes",
      "instances 字段说明: instances.processes.process_template_id",
      "instances 字段说明: instances.processes.process_info",
      "response: result",
      "response: code",
      "response: message",
      "response: data",
    ]);
  });

  it("shows every seed row in the same table of the Chinese page, with its type and required flag", () => {
    const problems: string[] = [];
    for (const seed of seedRows) {
      const generated = pageRows.find((r) => r.table === seed.table && r.field === seed.field);
      if (!generated) {
        problems.push(`${seed.table} / ${seed.field}: missing from the generated page`);
        continue;
      }
      const deliberate = (column: "type" | "required") =>
        DELIBERATE.some((d) => d.table === seed.table && d.field === seed.field && d.column === column);
      if (generated.type !== seed.type && !deliberate("type")) {
        problems.push(`${seed.table} / ${seed.field}: type ${generated.type}, seed says ${seed.type}`);
      }
      if (seed.required !== null && generated.required !== seed.required && !deliberate("required")) {
        problems.push(`${seed.table} / ${seed.field}: 必选 ${generated.required}, seed says ${seed.required}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it.each(DELIBERATE.map((d) => [`${d.table} / ${d.field} (${d.column})`, d] as const))(
    "%s still differs from the seed and the spec records why",
    (_name, difference) => {
      const seed = seedRows.find((r) => r.table === difference.table && r.field === difference.field);
      const generated = pageRows.find((r) => r.table === difference.table && r.field === difference.field);
      expect(seed, difference.reason).toBeDefined();
      expect(generated?.[difference.column], difference.reason).not.toBe(seed?.[difference.column]);
      expect(recordedTopics, difference.reason).toContain(difference.topic);
    },
  );
});
