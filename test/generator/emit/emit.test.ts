import { describe, expect, it } from "vitest";
import { emitClient } from "../../../generator/emit/client.ts";
import { GENERATED_HEADER } from "../../../generator/emit/header.ts";
import { emitIndex } from "../../../generator/emit/index-file.ts";
import { emitTypes, withChineseDocs } from "../../../generator/emit/types.ts";
import { buildModel } from "../../../generator/model/build-model.ts";
import { readClientRuntime } from "../../../generator/runtime/read-runtime.ts";
import { loadSpec, type OpenApiDocument } from "../../../spec/load-spec.ts";

const { document } = await loadSpec();

describe("withChineseDocs", () => {
  it.each([
    [
      "appends x-description-zh to description",
      {
        given: { description: "The app ID.", "x-description-zh": "应用ID" },
        want: { description: "The app ID.\n应用ID" },
      },
    ],
    [
      "uses x-summary-zh alone when there is no summary",
      { given: { "x-summary-zh": "摘要" }, want: { summary: "摘要" } },
    ],
    [
      "leaves a property named description alone",
      {
        given: { properties: { description: { type: "string" } } },
        want: { properties: { description: { type: "string" } } },
      },
    ],
    [
      "leaves text without Chinese as it is",
      { given: { description: "Only English." }, want: { description: "Only English." } },
    ],
  ])("%s", (_name, { given, want }) => {
    expect(withChineseDocs(given as unknown as OpenApiDocument)).toMatchObject(want);
  });

  it("does not change the document it is given", () => {
    const given = { description: "a", "x-description-zh": "甲" } as unknown as OpenApiDocument;
    withChineseDocs(given);
    expect(given).toEqual({ description: "a", "x-description-zh": "甲" });
  });
});

describe("emitTypes", () => {
  it("emits types.gen.ts with the fixed header, openapi-typescript's roots and both languages in JSDoc", async () => {
    const file = await emitTypes(document);
    expect(file.path).toBe("types.gen.ts");
    expect(file.contents.startsWith(GENERATED_HEADER)).toBe(true);
    for (const root of ["export interface paths", "export interface components", "export interface operations"]) {
      expect(file.contents).toContain(root);
    }
    expect(file.contents).toContain("@description The app ID.\n             *     应用ID");
    expect(file.contents.endsWith("\n")).toBe(true);
  });
});

describe("emitClient", () => {
  const file = emitClient(buildModel(document), readClientRuntime());

  it("imports nothing but the types, by a .js specifier", () => {
    const imports = [...file.contents.matchAll(/^import\b.*from\s+"([^"]+)";$/gm)].map((m) => m[0]);
    expect(imports).toEqual(['import type { components } from "./types.gen.js";']);
    expect(file.contents).not.toMatch(/\brequire\(/);
  });

  it("documents each method with the spec's English and Chinese summary and description", () => {
    for (const text of ["Create service instances in a module", "批量创建服务实例", "在一个模块下批量创建服务实例"]) {
      expect(file.contents).toContain(text);
    }
  });

  it("emits one method per operation and the error-code union from x-cmdb-error-codes", () => {
    for (const name of ["createServiceInstance", "listProcessInstance", "getProcTemplate", "deleteServiceInstance"]) {
      expect(file.contents).toMatch(new RegExp(`^  ${name}\\(params: `, "m"));
    }
    for (const { code, name } of document["x-cmdb-error-codes"]) {
      expect(file.contents).toContain(`readonly ${code}: "${name}";`);
    }
  });
});

describe("emitIndex", () => {
  it("re-exports the client and the types", () => {
    expect(emitIndex().contents).toBe(
      `${GENERATED_HEADER}\nexport * from "./client.gen.js";\nexport type { components, operations, paths } from "./types.gen.js";\n`,
    );
  });
});
