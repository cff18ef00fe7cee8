import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadSpec } from "../../spec/load-spec.ts";
import { createSchemaValidator, loadWorldSchema, type SchemaValidator } from "../../spec/schema-validator.ts";

const EXAMPLE = fileURLToPath(new URL("../../spec/examples/design-world.yaml", import.meta.url));

let validator: SchemaValidator;
let example: Record<string, unknown>;

beforeAll(async () => {
  const { document } = await loadSpec();
  validator = createSchemaValidator(document, await loadWorldSchema());
  example = parse(await readFile(EXAMPLE, "utf8")) as Record<string, unknown>;
});

describe("world.schema.json", () => {
  it("accepts the example world of DESIGN.md", () => {
    expect(validator.validateWorld(example)).toEqual([]);
  });

  it("accepts an empty world (what teardown leaves)", () => {
    expect(validator.validateWorld({})).toEqual([]);
  });

  const cases: [
    string,
    { given: (w: Record<string, unknown>) => unknown; want: { pointer: string; schema: RegExp } },
  ][] = [
    [
      "a template property of the wrong shape, checked by the spec's own schema",
      {
        given: (w) => {
          const templates = structuredClone(w.service_templates) as {
            process_templates: { property: Record<string, unknown> }[];
          }[];
          const property = templates[0]?.process_templates[0]?.property;
          if (property) property.work_path = { value: 5 };
          return { ...w, service_templates: templates };
        },
        want: {
          pointer: "/service_templates/0/process_templates/0/property/work_path/value",
          schema: /^cmdb\.openapi\.yaml#\/components\/schemas\/PropertyString/,
        },
      },
    ],
    [
      "a misspelt top-level key",
      {
        given: (w) => ({ ...w, module: [] }),
        want: { pointer: "", schema: /^world\.schema\.json#\/additionalProperties/ },
      },
    ],
    [
      "a host without an inner IP",
      {
        given: (w) => ({ ...w, hosts: [{ bk_host_id: 10 }] }),
        want: { pointer: "/hosts/0", schema: /^world\.schema\.json#.*\/required$/ },
      },
    ],
  ];
  it.each(cases)("rejects %s with a pointer into the world and the schema", (_name, { given, want }) => {
    const problems = validator.validateWorld(given(example));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ pointer: want.pointer, schemaPointer: expect.stringMatching(want.schema) }),
      ]),
    );
  });
});
