import { describe, expect, it } from "vitest";
import type { ExampleDoc, OperationDoc, WorkedRow } from "../../../generator/model/spec-model.ts";
import { buildWorkedExample } from "../../../generator/model/worked-example.ts";

const example = (name: string, value: unknown): ExampleDoc => ({
  name,
  summary: { en: name, zh: "" },
  description: { en: "", zh: "" },
  json: JSON.stringify(value),
});

/** The three examples the worked example joins: a template, a create that updates its process, the read-back. */
function operations(processInfo: Record<string, unknown>, stored: Record<string, unknown>): OperationDoc[] {
  const template = {
    data: {
      id: 7,
      property: {
        bk_process_name: { value: "nginx", as_default_value: true },
        description: { value: "front", as_default_value: false },
        work_path: { value: "/data", as_default_value: false },
        bind_info: {
          value: [{ row_id: 1, port: { value: "80", as_default_value: true }, enable: { value: true } }],
        },
      },
    },
  };
  const create = {
    instances: [{ bk_host_id: 10, processes: [{ process_template_id: 7, process_info: processInfo }] }],
  };
  const listed = { data: [{ property: stored, relation: { process_template_id: 7 } }] };
  return [
    { appliesLockRules: true, requestExamples: [example("create", create)], responseExamples: [] },
    { appliesLockRules: false, requestExamples: [], responseExamples: [example("template", template)] },
    { appliesLockRules: false, requestExamples: [], responseExamples: [example("listed", listed)] },
  ] as unknown as OperationDoc[];
}

const LOCK = { bind_info: { sub_fields: ["port", "enable"] } };

describe("buildWorkedExample", () => {
  it.each<[string, { given: [Record<string, unknown>, Record<string, unknown>]; want: Partial<WorkedRow>[] }]>([
    [
      "a locked field ignored, an unlocked one taken, a null clearing one, an omitted one kept",
      {
        given: [
          { bk_process_name: "renamed", description: null, work_path: "/opt" },
          { bk_process_name: "nginx", description: null, work_path: "/opt" },
        ],
        want: [
          { field: "bk_process_name", caller: '"renamed"', stored: '"nginx"', outcome: "ignored" },
          { field: "description", caller: "null", stored: "null", outcome: "cleared" },
          { field: "work_path", caller: '"/opt"', stored: '"/opt"', outcome: "taken" },
          { field: "bind_info[row_id=1].port", caller: "", stored: "", outcome: "kept" },
          { field: "bind_info[row_id=1].enable", caller: "", stored: "", outcome: "kept" },
        ],
      },
    ],
    [
      "a bind row matched by template_row_id, and one matching no template row dropped",
      {
        given: [
          {
            bind_info: [
              { template_row_id: 1, port: "8080", enable: false },
              { template_row_id: 2, port: "9000", enable: true },
            ],
          },
          { bind_info: [{ template_row_id: 1, port: "80", enable: false }] },
        ],
        want: [
          { field: "bk_process_name", caller: "", outcome: "kept" },
          { field: "description", caller: "", outcome: "kept" },
          { field: "work_path", caller: "", outcome: "kept" },
          {
            field: "bind_info[row_id=1].port",
            template: '"80"',
            locked: true,
            caller: '"8080"',
            stored: '"80"',
            outcome: "ignored",
          },
          {
            field: "bind_info[row_id=1].enable",
            template: "true",
            locked: false,
            caller: "false",
            stored: "false",
            outcome: "taken",
          },
          {
            field: "bind_info[template_row_id=2]",
            caller: '{"port":"9000","enable":true}',
            stored: "",
            outcome: "dropped",
          },
        ],
      },
    ],
  ])("%s", (_name, { given, want }) => {
    const worked = buildWorkedExample(LOCK, operations(...given));
    expect(worked?.processTemplateId).toBe(7);
    expect(worked?.rows).toEqual(want.map((row) => expect.objectContaining(row)));
  });

  it("answers nothing when no create example updates a templated process", () => {
    expect(buildWorkedExample(LOCK, operations({}, {}).slice(1))).toBeUndefined();
  });
});
