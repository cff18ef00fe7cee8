import { describe, expect, it } from "vitest";
import { classifySchemaEffect } from "../../diff/changes.ts";
import { diffSpecs } from "../../diff/diff-specs.ts";

// biome-ignore lint/suspicious/noExplicitAny: the fixtures are edited by path, like a person editing YAML
type Doc = Record<string, any>;

/** A small spec with one operation of each shape the diff reads: a request, a response, x-cmdb data. */
function base(): Doc {
  return {
    openapi: "3.1.0",
    info: { title: "fragment", version: "1.0.0" },
    paths: {
      "/op": {
        post: {
          operationId: "op",
          summary: "An operation",
          "x-cmdb-validation-order": [
            { step: 1, code: 1199035, when: "more than 100 items", when_zh: "超过 100 个" },
            { step: 2, code: 1101034, when: "no module", when_zh: "找不到模块" },
          ],
          requestBody: {
            required: true,
            content: { "application/json": { schema: { $ref: "#/components/schemas/Req" } } },
          },
          responses: {
            "200": {
              description: "ok",
              content: { "application/json": { schema: { $ref: "#/components/schemas/Res" } } },
            },
          },
        },
      },
      "/other": { post: { operationId: "other", responses: { "200": { description: "ok" } } } },
    },
    components: {
      schemas: {
        Req: {
          type: "object",
          required: ["id"],
          properties: {
            id: { type: "integer", format: "int64" },
            kind: { type: "string", enum: ["a", "b"] },
            name: { type: ["string", "null"], maxLength: 10, description: "The name." },
            items: { type: "array", maxItems: 100, items: { type: "integer" } },
          },
        },
        Res: {
          type: "object",
          required: ["code"],
          properties: {
            code: { type: "integer" },
            state: { type: "string", enum: ["ok"] },
            note: { type: "string" },
            data: { oneOf: [{ $ref: "#/components/schemas/Ids" }, { type: "null" }] },
          },
        },
        Ids: { type: "array", items: { type: "integer" } },
        Unused: { type: "string" },
      },
    },
    "x-cmdb-error-codes": [
      {
        code: 1101034,
        name: "NoModule",
        layer: "cmdb",
        operations: ["op"],
        when: "no module",
        message_en: "no module",
      },
      {
        code: 1199035,
        name: "TooMany",
        layer: "cmdb",
        operations: ["op", "other"],
        when: "too many",
        message_en: "many",
      },
    ],
    "x-cmdb-inner-error-codes": [{ code: 1199007, name: "NeedString", layer: "cmdb", when: "a non-string value" }],
    "x-cmdb-field-rules": {
      description: "The process model.",
      operations: ["op"],
      string_length: { unit: "utf8_bytes", of: "trimmed_value" },
      process_fields: [
        { field: "bk_process_name", type: "string", max_bytes: 256, required: true },
        { field: "proc_num", type: "integer", minimum: 1, maximum: 10000 },
      ],
      bind_info: { any_row_error: { code: 1199006 }, sub_fields: [{ field: "port", type: "string", required: true }] },
    },
    "x-cmdb-template-lock": {
      description: "The lock rules.",
      operations: ["op"],
      lockable_fields: [
        { field: "bk_process_name", type: "string" },
        { field: "work_path", type: "string" },
      ],
      always_locked: ["bk_process_name"],
      caller_value: { unlocked_null: "clear", locked_null: "ignore" },
      bind_info: { match: { caller_key: "template_row_id", template_key: "row_id" } },
    },
  };
}

const REQ = "/components/schemas/Req";
const RES = "/components/schemas/Res";
const OP = "/paths/~1op/post";
const C = "breaking-for-consumers";
const P = "breaking-for-providers";
const OK = "compatible";

interface Case {
  /** Edits the NEW spec (and OLD, when `old` is given) of the base fragment. */
  edit: (d: Doc) => void;
  old?: (d: Doc) => void;
  /** Every change, as "class kind pointer", in report order. */
  want: string[];
  /** Words the first change's sentence must contain. */
  says?: string;
}

// The schema kinds follow the field's rule lists (oasdiff's breaking-change checks, openapi-comparator's rules:
// RemovedEnumValue, AddedEnumValue, TypeChanged, TypeFormatChanged, ConstraintIsStronger/Weaker, RequiredStatusChange,
// RemovedProperty, AddedRequiredProperty, AddedResponseCode, RemovedOperation, ModifiedOperationId, …), each
// classified for the side it breaks; the x-cmdb kinds are this API's own.
const BREAKING: [string, Case][] = [
  [
    "request: a field became required",
    {
      edit: (d) => d.components.schemas.Req.required.push("kind"),
      want: [`${C} schema.required ${REQ}/required`],
      says: "`Req.kind` is now required in requests: callers that omit it are rejected",
    },
  ],
  [
    "request: an enum value was removed",
    {
      edit: (d) => {
        d.components.schemas.Req.properties.kind.enum = ["a"];
      },
      want: [`${C} schema.enum ${REQ}/properties/kind/enum`],
      says: 'no longer allows the value "b" in requests',
    },
  ],
  [
    "request: null is no longer accepted",
    {
      edit: (d) => {
        d.components.schemas.Req.properties.name.type = "string";
      },
      want: [`${C} schema.null ${REQ}/properties/name/type`],
      says: "may no longer be null in requests",
    },
  ],
  [
    "request: the 100-item cap became 50",
    {
      edit: (d) => {
        d.components.schemas.Req.properties.items.maxItems = 50;
      },
      want: [`${C} schema.limit ${REQ}/properties/items/maxItems`],
      says: "now allows at most 50 items (was at most 100 items)",
    },
  ],
  [
    "request: unlisted properties are now rejected",
    {
      edit: (d) => {
        d.components.schemas.Req.additionalProperties = false;
      },
      want: [`${C} schema.additional-properties ${REQ}/additionalProperties`],
    },
  ],
  [
    "request: a format was added",
    {
      edit: (d) => {
        d.components.schemas.Req.properties.kind.format = "uuid";
      },
      want: [`${C} schema.format ${REQ}/properties/kind/format`],
    },
  ],
  [
    "request: a type was replaced",
    {
      edit: (d) => {
        d.components.schemas.Req.properties.id = { type: "string" };
      },
      want: [
        `${C} schema.type ${REQ}/properties/id/type`,
        `${P} schema.format ${REQ}/properties/id/format (old)`,
        `${P} schema.type ${REQ}/properties/id/type`,
      ],
    },
  ],
  [
    "request: OpenAPI 3.0 nullable added",
    {
      edit: (d) => {
        d.components.schemas.Req.properties.kind.nullable = true;
      },
      want: [`${P} schema.null ${REQ}/properties/kind/nullable`],
      says: "`Req.kind` may now be null in requests: providers must now accept",
    },
  ],
  [
    "response: int32 widened to int64",
    {
      old: (d) => {
        d.components.schemas.Res.properties.code.format = "int32";
      },
      edit: (d) => {
        d.components.schemas.Res.properties.code.format = "int64";
      },
      want: [`${C} schema.format ${RES}/properties/code/format`],
    },
  ],
  [
    "request: a new optional field must be accepted",
    {
      edit: (d) => {
        d.components.schemas.Req.properties.tag = { type: "string" };
      },
      want: [`${P} schema.property ${REQ}/properties/tag`],
      says: "`Req.tag` is a new request field: providers must accept it",
    },
  ],
  [
    "request: an enum value was added",
    {
      edit: (d) => d.components.schemas.Req.properties.kind.enum.push("c"),
      want: [`${P} schema.enum ${REQ}/properties/kind/enum`],
      says: "providers must now accept requests",
    },
  ],
  [
    "request: a required field became optional",
    {
      edit: (d) => {
        d.components.schemas.Req.required = [];
      },
      want: [`${P} schema.required ${REQ}/required`],
      says: "providers must handle requests without it",
    },
  ],
  [
    "request: the cap was raised",
    {
      edit: (d) => {
        d.components.schemas.Req.properties.items.maxItems = 200;
      },
      want: [`${P} schema.limit ${REQ}/properties/items/maxItems`],
    },
  ],
  [
    "request: a field was removed",
    {
      edit: (d) => {
        delete d.components.schemas.Req.properties.kind;
      },
      want: [`${C} schema.property ${REQ}/properties/kind (old)`],
      says: "callers that send it have it ignored",
    },
  ],
  [
    "response: a field was removed",
    {
      edit: (d) => {
        delete d.components.schemas.Res.properties.note;
      },
      want: [`${C} schema.property ${RES}/properties/note (old)`],
      says: "callers that read it get nothing",
    },
  ],
  [
    "response: data may now be null",
    {
      old: (d) => {
        d.components.schemas.Res.properties.data = { $ref: "#/components/schemas/Ids" };
      },
      edit: () => {},
      want: [`${C} schema.null ${RES}/properties/data/oneOf`],
      says: "may now be null in responses: callers may now receive values",
    },
  ],
  [
    "response: an enum value was added",
    {
      edit: (d) => d.components.schemas.Res.properties.state.enum.push("gone"),
      want: [`${C} schema.enum ${RES}/properties/state/enum`],
    },
  ],
  [
    "response: a field is now always present",
    {
      edit: (d) => d.components.schemas.Res.required.push("note"),
      want: [`${P} schema.required ${RES}/required`],
      says: "providers must always send it",
    },
  ],
  [
    "response: an enum value was removed",
    {
      edit: (d) => {
        d.components.schemas.Res.properties.state.enum = ["done"];
      },
      want: [`${C} schema.enum ${RES}/properties/state/enum`, `${P} schema.enum ${RES}/properties/state/enum`],
    },
  ],
  [
    "response: a new status",
    {
      edit: (d) => {
        d.paths["/op"].post.responses["400"] = { description: "bad" };
      },
      want: [`${C} response ${OP}/responses/400`],
    },
  ],
  [
    "operation removed",
    {
      edit: (d) => {
        delete d.paths["/other"];
      },
      want: [`${C} operation /paths/~1other/post (old)`],
      says: "`other` (POST /other) is gone: callers of it now fail",
    },
  ],
  [
    "operation added",
    {
      edit: (d) => {
        d.paths["/new"] = { get: { operationId: "fresh", responses: {} } };
      },
      want: [`${P} operation /paths/~1new/get`],
    },
  ],
  [
    "operationId renamed",
    {
      edit: (d) => {
        d.paths["/other"].post.operationId = "renamed";
      },
      want: [`${C} operation /paths/~1other/post/operationId`],
      says: "renames its method",
    },
  ],
  [
    "request body media type removed",
    {
      edit: (d) => {
        d.paths["/op"].post.requestBody.content = { "text/plain": { schema: { type: "string" } } };
      },
      want: [
        `${C} request-body ${OP}/requestBody/content/application~1json (old)`,
        `${P} request-body ${OP}/requestBody/content/text~1plain`,
      ],
    },
  ],
  [
    "x-cmdb: an operation may answer a new error code",
    {
      edit: (d) => d["x-cmdb-error-codes"][0].operations.push("other"),
      want: [`${C} error-code /x-cmdb-error-codes/0/operations`, `${P} error-code /x-cmdb-error-codes/0/operations`],
      says: "`other` may now answer error code 1101034 (NoModule): callers' error handling does not know it yet",
    },
  ],
  [
    "x-cmdb: an error code is gone",
    {
      edit: (d) => d["x-cmdb-error-codes"].shift(),
      want: [`${C} error-code /x-cmdb-error-codes/0 (old)`, `${P} error-code /x-cmdb-error-codes/0 (old)`],
      says: "a regenerated client drops the code",
    },
  ],
  [
    "x-cmdb: a field became always locked",
    {
      edit: (d) => d["x-cmdb-template-lock"].always_locked.push("work_path"),
      want: [
        `${C} template-lock /x-cmdb-template-lock/always_locked/1`,
        `${P} template-lock /x-cmdb-template-lock/always_locked/1`,
      ],
      says: "`work_path` is now always locked: callers' values for it are always ignored",
    },
  ],
  [
    "x-cmdb: a field became lockable",
    {
      edit: (d) => d["x-cmdb-template-lock"].lockable_fields.push({ field: "user", type: "string" }),
      want: [
        `${C} template-lock /x-cmdb-template-lock/lockable_fields/2`,
        `${P} template-lock /x-cmdb-template-lock/lockable_fields/2`,
      ],
    },
  ],
  [
    "x-cmdb: a field is no longer always locked",
    {
      edit: (d) => {
        d["x-cmdb-template-lock"].always_locked = [];
      },
      want: [`${P} template-lock /x-cmdb-template-lock/always_locked/0 (old)`],
      says: "providers must apply callers' values where the template leaves it unlocked",
    },
  ],
  [
    "x-cmdb: a lockable field changed type",
    {
      edit: (d) => {
        d["x-cmdb-template-lock"].lockable_fields[1].type = "integer";
      },
      want: [
        `${C} template-lock /x-cmdb-template-lock/lockable_fields/1/type`,
        `${P} template-lock /x-cmdb-template-lock/lockable_fields/1/type`,
      ],
    },
  ],
  [
    "x-cmdb: null handling of unlocked fields changed",
    {
      edit: (d) => {
        d["x-cmdb-template-lock"].caller_value.unlocked_null = "ignore";
      },
      want: [
        `${C} template-lock /x-cmdb-template-lock/caller_value/unlocked_null`,
        `${P} template-lock /x-cmdb-template-lock/caller_value/unlocked_null`,
      ],
      says: 'What a caller\'s explicit null does to an unlocked field (`caller_value.unlocked_null`) changed from "clear" to "ignore"',
    },
  ],
  [
    "x-cmdb: bind_info rows match by another key",
    {
      edit: (d) => {
        d["x-cmdb-template-lock"].bind_info.match.caller_key = "row_id";
      },
      want: [
        `${C} template-lock /x-cmdb-template-lock/bind_info/match/caller_key`,
        `${P} template-lock /x-cmdb-template-lock/bind_info/match/caller_key`,
      ],
    },
  ],
  [
    "x-cmdb: a process field's byte limit changed",
    {
      edit: (d) => {
        d["x-cmdb-field-rules"].process_fields[0].max_bytes = 128;
      },
      want: [
        `${C} field-rule /x-cmdb-field-rules/process_fields/0/max_bytes`,
        `${P} field-rule /x-cmdb-field-rules/process_fields/0/max_bytes`,
      ],
      says: "The field rule `process_fields.bk_process_name.max_bytes` changed from 256 to 128",
    },
  ],
  [
    "x-cmdb: string limits count characters instead of bytes",
    {
      edit: (d) => {
        d["x-cmdb-field-rules"].string_length.unit = "characters";
      },
      want: [
        `${C} field-rule /x-cmdb-field-rules/string_length/unit`,
        `${P} field-rule /x-cmdb-field-rules/string_length/unit`,
      ],
      says: "What a string limit counts (`string_length.unit`) changed",
    },
  ],
  [
    "x-cmdb: a bind_info sub-field is no longer required",
    {
      edit: (d) => {
        d["x-cmdb-field-rules"].bind_info.sub_fields[0].required = false;
      },
      want: [
        `${C} field-rule /x-cmdb-field-rules/bind_info/sub_fields/0/required`,
        `${P} field-rule /x-cmdb-field-rules/bind_info/sub_fields/0/required`,
      ],
    },
  ],
  [
    "x-cmdb: a new inner error code",
    {
      edit: (d) => d["x-cmdb-inner-error-codes"].push({ code: 1199009, name: "NeedInt", when: "a non-integer value" }),
      want: [`${P} error-code /x-cmdb-inner-error-codes/1`],
      says: "callers see it only inside another code's message",
    },
  ],
  [
    "x-cmdb: two validation steps swapped",
    {
      edit: (d) => d.paths["/op"].post["x-cmdb-validation-order"].reverse(),
      want: [
        `${C} validation-order ${OP}/x-cmdb-validation-order/1`,
        `${P} validation-order ${OP}/x-cmdb-validation-order/1`,
      ],
      says: "a request that fails several checks now gets another code",
    },
  ],
  [
    "x-cmdb: the instance cap of a validation step changed",
    {
      edit: (d) => {
        d.paths["/op"].post["x-cmdb-validation-order"][0].when = "more than 50 items";
      },
      want: [
        `${C} validation-order ${OP}/x-cmdb-validation-order/0/when`,
        `${P} validation-order ${OP}/x-cmdb-validation-order/0/when`,
      ],
      says: "now checks “more than 50 items” (was “more than 100 items”)",
    },
  ],
];

const COMPATIBLE: [string, Case][] = [
  [
    "a description changed",
    {
      edit: (d) => {
        d.components.schemas.Req.properties.name.description = "Another.";
      },
      want: [`${OK} documentation ${REQ}/properties/name/description`],
      says: "documentation only",
    },
  ],
  [
    "a Chinese description was added",
    {
      edit: (d) => {
        d.components.schemas.Res["x-description-zh"] = "响应";
      },
      want: [`${OK} documentation ${RES}/x-description-zh`],
    },
  ],
  [
    "response: a new optional field",
    {
      edit: (d) => {
        d.components.schemas.Res.properties.extra = { type: "string" };
      },
      want: [`${OK} schema.property ${RES}/properties/extra`],
      says: "callers that do not read it are unaffected",
    },
  ],
  [
    "a field was deprecated",
    {
      edit: (d) => {
        d.components.schemas.Req.properties.kind.deprecated = true;
      },
      want: [`${OK} documentation ${REQ}/properties/kind/deprecated`],
      says: "now deprecated; it still works",
    },
  ],
  [
    "the info version changed",
    {
      edit: (d) => {
        d.info.version = "1.1.0";
      },
      want: [`${OK} documentation /info/version`],
    },
  ],
  [
    "an operation summary changed",
    {
      edit: (d) => {
        d.paths["/op"].post.summary = "Another";
      },
      want: [`${OK} documentation ${OP}/summary`],
    },
  ],
  [
    "an error message template changed",
    {
      edit: (d) => {
        d["x-cmdb-error-codes"][0].message_en = "No module here";
      },
      want: [`${OK} documentation /x-cmdb-error-codes/0/message_en`],
    },
  ],
  [
    "a validation step's Chinese text changed",
    {
      edit: (d) => {
        d.paths["/op"].post["x-cmdb-validation-order"][1].when_zh = "模块不存在";
      },
      want: [`${OK} documentation ${OP}/x-cmdb-validation-order/1/when_zh`],
    },
  ],
  [
    "the field rules' description changed",
    {
      edit: (d) => {
        d["x-cmdb-field-rules"].description = "How CMDB validates.";
      },
      want: [`${OK} documentation /x-cmdb-field-rules/description`],
    },
  ],
  [
    "the lock rules' description changed",
    {
      edit: (d) => {
        d["x-cmdb-template-lock"].description = "Lock rules.";
      },
      want: [`${OK} documentation /x-cmdb-template-lock/description`],
    },
  ],
  [
    "a schema no operation uses changed",
    {
      edit: (d) => {
        d.components.schemas.Unused = { type: "integer" };
      },
      want: [`${OK} documentation /components/schemas/Unused`],
      says: "which no operation uses",
    },
  ],
  [
    "an inline schema moved to a component unchanged",
    {
      edit: (d) => {
        d.components.schemas.Kind = { type: "string", enum: ["a", "b"] };
        d.components.schemas.Req.properties.kind = { $ref: "#/components/schemas/Kind" };
      },
      want: [],
    },
  ],
  [
    "keys reordered",
    {
      edit: (d) => {
        d.components.schemas.Req.properties = Object.fromEntries(
          Object.entries(d.components.schemas.Req.properties).reverse(),
        );
      },
      want: [],
    },
  ],
  [
    "an error code an operation dropped that another keeps",
    {
      edit: (d) => {
        d["x-cmdb-error-codes"][1].operations = ["op"];
      },
      want: [`${P} error-code /x-cmdb-error-codes/1/operations`, `${OK} error-code /x-cmdb-error-codes/1/operations`],
      says: "providers that still answer it no longer conform",
    },
  ],
];

function run({ edit, old }: Case) {
  const before = base();
  old?.(before);
  const after = base();
  edit(after);
  return diffSpecs(before, after).changes;
}

describe("diffSpecs", () => {
  it.each(BREAKING)("breaking: %s", (_name, c) => {
    const changes = run(c);
    expect(changes.map((x) => `${x.class} ${x.kind} ${x.pointer}${x.side === "old" ? " (old)" : ""}`)).toEqual(c.want);
    if (c.says) expect(changes[0]?.message).toContain(c.says);
  });

  it.each(COMPATIBLE)("compatible: %s", (_name, c) => {
    const changes = run(c);
    expect(changes.map((x) => `${x.class} ${x.kind} ${x.pointer}${x.side === "old" ? " (old)" : ""}`)).toEqual(c.want);
    if (c.says) expect(changes[0]?.message).toContain(c.says);
  });

  it("finds nothing between a spec and itself", () => {
    expect(diffSpecs(base(), base())).toEqual({
      changes: [],
      counts: { "breaking-for-consumers": 0, "breaking-for-providers": 0, compatible: 0 },
    });
  });

  it("names every operation a shared schema change reaches, once", () => {
    const before = base();
    before.paths["/other"].post.requestBody = structuredClone(before.paths["/op"].post.requestBody);
    const after = structuredClone(before);
    after.components.schemas.Req.required.push("kind");
    expect(diffSpecs(before, after).changes.map((c) => c.operations)).toEqual([["op", "other"]]);
  });

  it("survives a recursive schema", () => {
    const before = base();
    before.components.schemas.Req.properties.child = { $ref: "#/components/schemas/Req" };
    const after = structuredClone(before);
    after.components.schemas.Req.properties.kind.enum = ["a"];
    expect(diffSpecs(before, after).changes.map((c) => c.pointer)).toEqual([`${REQ}/properties/kind/enum`]);
  });
});

describe("classifySchemaEffect", () => {
  it.each([
    ["request", "narrow", C],
    ["request", "widen", P],
    ["response", "widen", C],
    ["response", "narrow", P],
  ] as const)("a %s that %ss breaks %s", (direction, effect, want) => {
    expect(classifySchemaEffect(direction, effect)).toBe(want);
  });
});
