import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { type JsonSchema, type LoadedSpec, loadSpec, resolvePointer } from "../../spec/load-spec.ts";

/** The published page our users start from, copied from shared/seed so the test is hermetic. */
const SEED_PATH = fileURLToPath(new URL("../../spec/seed/create_service_instance.zh.md", import.meta.url));

interface SeedRow {
  table: string;
  field: string;
  type: string;
  required: "是" | "否" | null;
}

/**
 * Every row of every table of the seed page, and the spec schema each maps to. Listed by hand on purpose:
 * a field dropped from the spec later fails here, and the parse below proves this list is the whole page.
 */
const SEED_ROWS: [SeedRow, string][] = [
  [{ table: "通用参数", field: "bk_app_code", type: "string", required: "是" }, "CommonArgs/properties/bk_app_code"],
  [
    { table: "通用参数", field: "bk_app_secret", type: "string", required: "是" },
    "CommonArgs/properties/bk_app_secret",
  ],
  [{ table: "通用参数", field: "bk_token", type: "string", required: "否" }, "CommonArgs/properties/bk_token"],
  [{ table: "通用参数", field: "bk_username", type: "string", required: "否" }, "CommonArgs/properties/bk_username"],
  [
    { table: "接口参数", field: "bk_module_id", type: "int", required: "否" },
    "CreateServiceInstanceParams/properties/bk_module_id",
  ],
  [
    { table: "接口参数", field: "instances", type: "array", required: "是" },
    "CreateServiceInstanceParams/properties/instances",
  ],
  [
    { table: "instances 字段说明", field: "instances.bk_host_id", type: "int", required: null },
    "ServiceInstanceToCreate/properties/bk_host_id",
  ],
  [
    { table: "instances 字段说明", field: "instances.processes", type: "array", required: null },
    "ServiceInstanceToCreate/properties/processes",
  ],
  [
    { table: "instances 字段说明", field: "instances.processes.process_template_id", type: "int", required: null },
    "ProcessToCreate/properties/process_template_id",
  ],
  [
    { table: "instances 字段说明", field: "instances.processes.process_info", type: "object", required: null },
    "ProcessToCreate/properties/process_info",
  ],
  [{ table: "response", field: "result", type: "bool", required: null }, "Envelope/properties/result"],
  [{ table: "response", field: "code", type: "int", required: null }, "Envelope/properties/code"],
  [{ table: "response", field: "message", type: "string", required: null }, "Envelope/properties/message"],
  [{ table: "response", field: "data", type: "object", required: null }, "CreateServiceInstanceSuccess"],
];

const SEED_TYPES: Record<string, string> = {
  int: "integer",
  string: "string",
  array: "array",
  object: "object",
  bool: "boolean",
};

/** Parses the Markdown tables of the seed page: the heading above each, then field, type and required columns. */
function parseSeedTables(markdown: string): SeedRow[] {
  const rows: SeedRow[] = [];
  let table = "";
  let header: string[] = [];
  for (const line of markdown.split("\n")) {
    const heading = /^#{2,4}\s+(.+)$/.exec(line.trim());
    if (heading) {
      table = heading[1] as string;
      header = [];
      continue;
    }
    if (!line.trim().startsWith("|")) continue;
    const cells = line
      .trim()
      .replace(/^\||\|$/g, "")
      .split("|")
      .map((c) => c.trim());
    if (cells.every((c) => /^-*$/.test(c))) continue;
    if (header.length === 0) {
      header = cells;
      continue;
    }
    const requiredAt = header.indexOf("必选");
    const required = requiredAt >= 0 ? (cells[requiredAt] as "是" | "否") : null;
    rows.push({ table, field: cells[0] as string, type: cells[1] as string, required });
  }
  return rows;
}

let spec: LoadedSpec;
let differences: string[];

beforeAll(async () => {
  spec = await loadSpec();
  const create = spec.document.paths["/api/c/compapi/v2/cc/create_service_instance/"]?.post as {
    "x-cmdb-published-page-differences": { pointer: string }[];
  };
  differences = create["x-cmdb-published-page-differences"].map((d) => d.pointer);
});

function schemaAt(path: string): JsonSchema {
  const schema = resolvePointer(spec.document, `/components/schemas/${path}`) as JsonSchema | undefined;
  if (!schema) throw new Error(`no schema at #/components/schemas/${path}`);
  const ref = schema.$ref as string | undefined;
  return ref ? (resolvePointer(spec.document, ref.slice(1)) as JsonSchema) : schema;
}

function typesOf(schema: JsonSchema): string[] {
  if (Array.isArray(schema.allOf)) {
    const last = schema.allOf.at(-1) as JsonSchema;
    return typesOf((last.properties as Record<string, JsonSchema>).data as JsonSchema);
  }
  return ([] as string[]).concat((schema.type as string | string[] | undefined) ?? []);
}

function isRequired(path: string): boolean {
  const [parent, , field] = path.split("/");
  const required = (schemaAt(parent as string).required as string[] | undefined) ?? [];
  return required.includes(field as string);
}

describe("the seed page", () => {
  it("has exactly the rows this test lists", async () => {
    const parsed = parseSeedTables(await readFile(SEED_PATH, "utf8"));
    expect(parsed).toEqual(SEED_ROWS.map(([row]) => row));
  });

  it.each(SEED_ROWS.map(([row, path]) => [`${row.table} ${row.field}`, row, path] as const))(
    "%s maps to a spec field of the same type and required flag",
    (_name, row, path) => {
      const schema = schemaAt(path);
      const pointer = `#/components/schemas/${path}`;
      const deliberate = differences.includes(pointer);
      const want = SEED_TYPES[row.type] as string;
      if (!deliberate) expect(typesOf(schema)).toContain(want);
      expect(schema.description, `${pointer} needs an English description`).toBeTruthy();
      expect(schema["x-description-zh"] ?? schemaAt(path)["x-description-zh"], pointer).toBeTruthy();
      if (row.required !== null && path.includes("/properties/")) {
        const spec = isRequired(path);
        if (deliberate) {
          // The spec follows the real CMDB here and says so in x-cmdb-published-page-differences.
          expect(spec).not.toBe(row.required === "是");
        } else {
          expect(spec).toBe(row.required === "是");
        }
      }
    },
  );

  it("lists bk_biz_id as required although the seed's table omits it", () => {
    expect(isRequired("CreateServiceInstanceParams/properties/bk_biz_id")).toBe(true);
    expect(differences).toContain("#/components/schemas/CreateServiceInstanceParams/properties/bk_biz_id");
  });
});
