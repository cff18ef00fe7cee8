import { beforeAll, describe, expect, it } from "vitest";
import { emitDocs } from "../../generator/emit/docs.ts";
import { LABELS } from "../../generator/emit/docs-labels.ts";
import { buildModel } from "../../generator/model/build-model.ts";
import { loadSpec, type OpenApiDocument } from "../../spec/load-spec.ts";

const APIS = ["create_service_instance", "delete_service_instance", "get_proc_template", "list_process_instance"];
const CREATE = "/api/c/compapi/v2/cc/create_service_instance/";

let document: OpenApiDocument;
let files: Map<string, string>;

beforeAll(async () => {
  document = (await loadSpec()).document;
  files = new Map(emitDocs(buildModel(document)).map((f) => [f.path, f.contents]));
});

function page(path: string): string {
  const contents = files.get(path);
  if (contents === undefined) throw new Error(`emitDocs wrote no ${path}`);
  return contents;
}

/** The create operation of the spec, with its `x-cmdb-*` data. */
function createOperation(): Record<string, unknown> {
  const operation = document.paths[CREATE]?.post;
  if (!operation || typeof operation !== "object") throw new Error(`the spec has no POST ${CREATE}`);
  return operation as Record<string, unknown>;
}

/** The text of one `### heading` section of a page, up to the next `### `. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n### ${heading}\n`);
  if (start < 0) return "";
  const end = markdown.indexOf("\n### ", start + 1);
  return markdown.slice(start, end < 0 ? undefined : end);
}

describe("emitDocs", () => {
  it("writes a Chinese and an English page per operation and one HTML reference, sorted by path", () => {
    const want = [...APIS.flatMap((api) => [`docs/${api}.en.md`, `docs/${api}.zh.md`]), "docs/index.html"].sort();
    expect([...files.keys()]).toEqual(want);
  });

  it("is byte-identical run to run, from a freshly loaded spec", async () => {
    const again = emitDocs(buildModel((await loadSpec()).document));
    expect(again.map((f) => [f.path, f.contents])).toEqual([...files.entries()]);
  });

  it("ends every file with one newline and uses LF only", () => {
    for (const [path, contents] of files) {
      expect(contents.endsWith("\n") && !contents.endsWith("\n\n"), path).toBe(true);
      expect(contents.includes("\r"), path).toBe(false);
    }
  });

  it.each([
    [
      "zh",
      ["请求地址", "请求方法", "功能描述", "请求参数", "请求参数示例", "返回结果示例", "返回结果参数说明", "错误码"],
    ],
    ["en", ["Request URL", "Method", "Description", "Request parameters", "Request examples", "Response examples"]],
  ] as const)("lays out every %s page in the published pages' order", (language, headings) => {
    for (const api of APIS) {
      const markdown = page(`docs/${api}.${language}.md`);
      const positions = headings.map((h) => markdown.indexOf(`\n### ${h}\n`));
      expect(
        positions.every((p) => p > 0),
        `${api}.${language}: ${headings.join(", ")}`,
      ).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    }
  });

  it("lists on each page exactly the error codes the spec assigns to its operation, with both messages", () => {
    for (const operationId of ["createServiceInstance", "getProcTemplate"]) {
      const api = operationId === "createServiceInstance" ? "create_service_instance" : "get_proc_template";
      const table = section(page(`docs/${api}.zh.md`), LABELS.errorCodes.zh);
      const listed = [...table.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
      const entries = document["x-cmdb-error-codes"].filter((e) => e.operations.includes(operationId));
      expect(listed).toEqual(entries.map((e) => e.code).sort((a, b) => a - b));
      for (const entry of entries) {
        expect(table).toContain(entry.message_zh.trim());
        expect(table).toContain(entry.message_en.trim());
      }
    }
  });

  it("lists the inner codes apart, on the create page only: they never are a response's code", () => {
    const inner = document["x-cmdb-inner-error-codes"] ?? [];
    expect(inner.length).toBeGreaterThan(0);
    const table = section(page("docs/create_service_instance.en.md"), LABELS.innerErrorCodes.en);
    expect([...table.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]))).toEqual(inner.map((e) => e.code));
    expect(section(page("docs/get_proc_template.en.md"), LABELS.innerErrorCodes.en)).toBe("");
  });

  it("lists the validation order of the spec, step by step, on the create page", () => {
    const steps = createOperation()["x-cmdb-validation-order"] as { step: number; code: number }[];
    const table = section(page("docs/create_service_instance.en.md"), LABELS.validationOrder.en);
    const listed = [...table.matchAll(/^\| (\d+) \| (\d+) \|/gm)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(listed).toEqual(steps.map((s) => [s.step, s.code]));
  });

  it("explains the lock rules with the worked example on the create page only", () => {
    const lock = section(page("docs/create_service_instance.en.md"), LABELS.lockRules.en);
    expect(lock).toContain(document["x-cmdb-template-lock"].description.trim().slice(0, 60));
    for (const { field } of document["x-cmdb-template-lock"].lockable_fields) expect(lock).toContain(`| ${field} |`);
    // Template 7 locks bk_process_name and the row's port: the caller's values are ignored; work_path is unlocked.
    expect(lock).toContain('| bk_process_name | `"nginx"` | Yes | `"renamed"` | `"nginx"` |');
    expect(lock).toContain('| bind_info[row_id=1].port | `"80"` | Yes | `"8080"` | `"80"` |');
    expect(lock).toContain('| work_path | `"/data"` | No | `"/opt/nginx"` | `"/opt/nginx"` |');
    expect(section(page("docs/get_proc_template.en.md"), LABELS.lockRules.en)).toBe("");
  });

  it("lists every difference from the published page the spec records, in both languages", () => {
    const recorded = createOperation()["x-cmdb-published-page-differences"] as {
      published_zh: string;
      actual_en: string;
    }[];
    expect(recorded.length).toBeGreaterThan(0);
    const zh = section(page("docs/create_service_instance.zh.md"), LABELS.differences.zh);
    const en = section(page("docs/create_service_instance.en.md"), LABELS.differences.en);
    for (const d of recorded) {
      expect(zh).toContain(d.published_zh.trim());
      expect(en).toContain(d.actual_en.trim());
    }
  });

  it("takes its text from the spec: a changed description or error message changes the pages", () => {
    const changed = structuredClone(document);
    const params = changed.components.schemas.CreateServiceInstanceParams as {
      properties: Record<string, Record<string, string>>;
    };
    (params.properties.bk_module_id as Record<string, string>)["x-description-zh"] = "模块ID（改过的说明）";
    const entry = changed["x-cmdb-error-codes"].find((e) => e.code === 1113016);
    if (entry) entry.message_en = "changed message for %s";
    const out = new Map(emitDocs(buildModel(changed)).map((f) => [f.path, f.contents]));
    expect(out.get("docs/create_service_instance.zh.md")).toContain(
      "| bk_module_id | int | 是 | 模块ID（改过的说明） |",
    );
    expect(out.get("docs/create_service_instance.en.md")).toContain("changed message for %s");
    expect(out.get("docs/index.html")).toContain("changed message for %s");
  });

  it.each([
    ["create_service_instance", "POST", "/api/v3/create/proc/service_instance"],
    ["list_process_instance", "POST", "/api/v3/findmany/proc/process_instance"],
    ["get_proc_template", "POST", "/api/v3/find/proc/proc_template/id/{process_template_id}"],
    ["delete_service_instance", "DELETE", "/api/v3/deletemany/proc/service_instance"],
  ])("puts the two routes of %s side by side: paths, methods, auth, envelopes, errors", (api, method, path) => {
    for (const language of ["en", "zh"] as const) {
      const routes = section(page(`docs/${api}.${language}.md`), LABELS.routes[language]);
      const cells = (name: keyof typeof LABELS) =>
        routes
          .split("\n")
          .find((line) => line.startsWith(`| ${LABELS[name][language]} |`))
          ?.split(" | ")
          .slice(1);
      expect(cells("requestUrl"), `${api} ${language}`).toEqual([
        `\`/api/c/compapi/v2/cc/${api}/\``,
        `\`{gateway}/api/bk-cmdb/{stage}${path}\` |`,
      ]);
      expect(cells("method")).toEqual(["POST", `${method} |`]);
      expect(routes).toContain("`CommonArgs`");
      expect(routes).toContain("`X-Bkapi-Authorization`");
      expect(cells("envelope")).toEqual(["`Envelope`", "`NativeEnvelope` |"]);
      expect(routes).toMatch(/HTTP 200: 1306000, 1306406, 1306429 \| `GatewayError`: 400 1640001, .*429 1642902/);
    }
  });

  it("shows each operation through the gateway: its body without common args, the native envelope, the gateway's errors", () => {
    const gateway = section(page("docs/get_proc_template.en.md"), LABELS.throughGateway.en);
    expect(gateway).toContain(
      "POST `{gateway}/api/bk-cmdb/{stage}/api/v3/find/proc/proc_template/id/{process_template_id}`",
    );
    // The template ID moved to the path; the body keeps the rest.
    expect(gateway).toContain(
      `#### ${LABELS.pathParams.en}\n\n| Field | Type | Required | Description |\n| --- | --- | --- | --- |\n| process_template_id | int | Yes |`,
    );
    expect(gateway).toContain(
      `#### ${LABELS.bodyParams.en}\n\n| Field | Type | Required | Description |\n| --- | --- | --- | --- |\n| bk_biz_id | int | Yes | The business ID. |\n\n`,
    );
    expect(gateway).not.toContain("| bk_app_secret |");
    expect(gateway).toContain("| bk_error_code | int | int | int |");
    expect(gateway).toContain('"bk_error_msg": "数据不存在"');
    for (const code of document["x-cmdb-gateway-error-codes"] ?? []) {
      expect(gateway).toContain(`| ${code.status} | ${code.code} | \`${code.code_name}\` |`);
    }
    expect(gateway).toContain('"code_name": "RATE_LIMIT_RESTRICTION"');
    const zh = section(page("docs/get_proc_template.zh.md"), LABELS.throughGateway.zh);
    expect(zh).toContain(`#### ${LABELS.gatewayErrors.zh}`);
    expect(zh).toContain("| 400 | 1640001 | `INVALID_ARGS` | 没有 `X-Bkapi-Authorization` 请求头");
  });

  it("lists the gateway pages' code/message body among the differences from the published page", () => {
    const differences = section(page("docs/create_service_instance.en.md"), LABELS.differences.en);
    expect(differences).toMatch(
      /\| response envelope \| The gateway's pages .*`code` and `message` \(UNCONFIRMED alternative/,
    );
  });

  it("builds an HTML reference that loads nothing: no script, no external URL, a CSP that forbids fetches", () => {
    const html = page("docs/index.html");
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
    for (const api of APIS) expect(html).toContain(`id="op-${api}"`);
  });
});
