import { describe, expect, it } from "vitest";
import {
  describeEnvelopeVariants,
  describeType,
  type FieldTable,
  flattenSchema,
} from "../../../generator/model/schema-tables.ts";
import type { OpenApiDocument } from "../../../spec/load-spec.ts";

/** A document holding only these component schemas. */
function schemas(components: Record<string, unknown>): OpenApiDocument {
  return { components: { schemas: components } } as unknown as OpenApiDocument;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

describe("describeType", () => {
  const document = schemas({
    Protocol: { type: "string", enum: ["1", "2"] },
    Permission: { type: "object", properties: { system_id: { type: "string" } } },
  });
  it.each([
    ["nullable integer", { given: { type: ["integer", "null"] }, want: "int/null" }],
    ["boolean", { given: { type: "boolean" }, want: "bool" }],
    ["null first still reads last", { given: { type: ["null", "string"] }, want: "string/null" }],
    ["a $ref to an enum", { given: ref("Protocol"), want: "string" }],
    ["oneOf an object and null", { given: { oneOf: [ref("Permission"), { type: "null" }] }, want: "object/null" }],
    ["a bare const true", { given: { const: true }, want: "bool" }],
    ["a bare const 0", { given: { const: 0 }, want: "int" }],
    ["properties without a type", { given: { properties: { a: {} } }, want: "object" }],
    ["nothing at all", { given: {}, want: "any" }],
  ])("%s", (_name, { given, want }) => {
    expect(describeType(document, given)).toBe(want);
  });
});

describe("flattenSchema", () => {
  it("lists the top table first, then one table per nested object, with required flags and both languages", () => {
    const document = schemas({
      Row: {
        type: "object",
        required: ["port"],
        properties: { port: { type: "string", description: "The port.", "x-description-zh": "端口" } },
      },
    });
    const given = {
      type: "object",
      required: ["bk_biz_id"],
      properties: {
        bk_biz_id: { type: "integer", description: "The business ID.", "x-description-zh": "业务ID" },
        rows: { type: "array", items: ref("Row"), deprecated: true },
      },
    };
    const want: FieldTable[] = [
      {
        path: "",
        rows: [
          {
            path: "bk_biz_id",
            type: "int",
            required: true,
            deprecated: false,
            description: { en: "The business ID.", zh: "业务ID" },
          },
          { path: "rows", type: "array", required: false, deprecated: true, description: { en: "", zh: "" } },
        ],
      },
      {
        path: "rows",
        rows: [
          {
            path: "rows.port",
            type: "string",
            required: true,
            deprecated: false,
            description: { en: "The port.", zh: "端口" },
          },
        ],
      },
    ];
    expect(flattenSchema(document, given)).toEqual(want);
  });

  it("lets a later allOf member narrow a field and keeps the earlier one's description", () => {
    const document = schemas({
      Envelope: {
        type: "object",
        properties: { data: { description: "The payload.", "x-description-zh": "数据" } },
      },
    });
    const given = { allOf: [ref("Envelope"), { properties: { data: { type: "array", items: { type: "integer" } } } }] };
    expect(flattenSchema(document, given)[0]?.rows).toEqual([
      {
        path: "data",
        type: "array",
        required: false,
        deprecated: false,
        description: { en: "The payload.", zh: "数据" },
      },
    ]);
  });
});

describe("describeEnvelopeVariants", () => {
  const document = schemas({
    Permission: { type: "object", "x-cmdb-error-code": 9900403, properties: { system_id: { type: "string" } } },
    Envelope: {
      type: "object",
      properties: {
        result: { type: "boolean" },
        permission: { oneOf: [ref("Permission"), { type: "null" }] },
        data: {},
      },
    },
    Success: { allOf: [ref("Envelope"), { properties: { permission: { type: "null" }, data: { type: "array" } } }] },
    Failure: { allOf: [ref("Envelope"), { properties: { data: { type: "null" } } }] },
  });

  it("gives each field its type on success, on the code an alternative names, and on every other failure", () => {
    const success = flattenSchema(document, ref("Success"))[0] as FieldTable;
    expect(describeEnvelopeVariants(document, success, ref("Failure"))).toEqual({ codes: [9900403] });
    expect(success.rows.map((r) => [r.path, r.variantTypes])).toEqual([
      ["result", ["bool", "bool", "bool"]],
      ["permission", ["null", "object", "null"]],
      ["data", ["array", "null", "null"]],
    ]);
  });

  it("has a single failure column when no alternative names a code", () => {
    const plain = schemas({
      S: { properties: { data: { type: "array" } } },
      F: { properties: { data: { type: "null" } } },
    });
    const success = flattenSchema(plain, ref("S"))[0] as FieldTable;
    expect(describeEnvelopeVariants(plain, success, ref("F"))).toEqual({ codes: [] });
    expect(success.rows[0]?.variantTypes).toEqual(["array", "null"]);
  });
});
