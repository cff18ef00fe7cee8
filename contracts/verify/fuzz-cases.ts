import fc from "fast-check";
import type { OpenApiDocument } from "../../spec/load-spec.ts";
import { type OperationId, readOperationPaths } from "../../spec/operations.ts";
import type { World } from "../shared/worlds.ts";
import { showValue } from "./values.ts";

// The cases of the fuzz phase: request bodies derived from the spec's request schemas over a world, each valid or
// broken in one systematic way (a mutation class).

/** How many fuzz cases `verify` sends by default, spread over the mutation classes. */
export const DEFAULT_FUZZ_RUNS = 52;

/** The ways a case breaks a valid body; each class gets its share of the runs, so none is left to chance. */
export const MUTATION_CLASSES = [
  "valid",
  "null where an object belongs",
  "a number where an object belongs",
  "an array where an object belongs",
  "a required field missing",
  "a wrong type",
  "an out-of-range integer",
  "an over-long string",
  "a multi-byte string",
  "an unknown key",
  "a duplicate entry",
  "an empty array",
  "an oversized array",
] as const;

/** One mutation class. */
export type MutationClass = (typeof MUTATION_CLASSES)[number];

/** One fuzz case: the operation, the body sent, and what was done to it. */
export interface FuzzCase {
  operation: OperationId;
  body: Record<string, unknown>;
  mutation: string;
  /** The business of the valid body the case was made from, to read back in whatever the mutation did to it. */
  bizId: unknown;
}

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  maxItems?: number;
  maxLength?: number;
};

/** Resolves `$ref` and merges `allOf` into one schema (properties and required), as far as fuzzing reads it. */
function resolve(document: OpenApiDocument, schema: unknown): Schema {
  const node = schema as Record<string, unknown> | undefined;
  if (node === undefined || node === null) return {};
  if (typeof node.$ref === "string") {
    const target = node.$ref
      .replace(/^#\//, "")
      .split("/")
      .reduce<unknown>(
        (at, key) => (at as Record<string, unknown>)?.[key.replace(/~1/g, "/").replace(/~0/g, "~")],
        document,
      );
    return resolve(document, target);
  }
  if (Array.isArray(node.allOf)) {
    const parts = node.allOf.map((part) => resolve(document, part));
    return {
      type: "object",
      properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})),
      required: parts.flatMap((p) => p.required ?? []),
    };
  }
  return node as Schema;
}

/** A place in a valid body where a mutation can land: its JSON pointer, its schema and how it is held. */
interface Slot {
  path: (string | number)[];
  schema: Schema;
  required: boolean;
}

function slotsOf(document: OpenApiDocument, schema: Schema, value: unknown, path: Slot["path"] = []): Slot[] {
  const resolved = resolve(document, schema);
  const slots: Slot[] = [];
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      const items = resolve(document, resolved.items);
      slots.push(
        { path: [...path, i], schema: items, required: false },
        ...slotsOf(document, items, item, [...path, i]),
      );
    });
  } else if (value !== null && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      const child = resolve(document, resolved.properties?.[key]);
      const required = resolved.required?.includes(key) ?? false;
      slots.push({ path: [...path, key], schema: child, required }, ...slotsOf(document, child, inner, [...path, key]));
    }
  }
  return slots;
}

const typesOf = (schema: Schema): string[] => (Array.isArray(schema.type) ? schema.type : [schema.type ?? ""]);
const pointerOf = (path: Slot["path"]): string => (path.length === 0 ? "/" : `/${path.join("/")}`);

/** The bodies of one class for one slot, or none when the class does not apply there. */
function valuesFor(kind: MutationClass, slot: Slot): fc.Arbitrary<unknown> | undefined {
  const types = typesOf(slot.schema);
  const is = (t: string): boolean => types.includes(t);
  switch (kind) {
    case "null where an object belongs":
      return is("object") ? fc.constant(null) : undefined;
    case "a number where an object belongs":
      return is("object") ? fc.integer({ min: -5, max: 5 }) : undefined;
    case "an array where an object belongs":
      return is("object") ? fc.array(fc.integer(), { maxLength: 2 }) : undefined;
    case "a wrong type":
      if (is("integer")) return fc.constantFrom<unknown>("2", true, { n: 2 }, [2]);
      if (is("string")) return fc.constantFrom<unknown>(7, false, ["x"], { s: "x" });
      if (is("boolean")) return fc.constantFrom<unknown>("true", 1);
      return is("array") ? fc.constantFrom<unknown>("x", 1, { a: 1 }) : undefined;
    case "an out-of-range integer":
      return is("integer") ? fc.constantFrom(-1, 2 ** 63, 1e20, 1.5, -(2 ** 53) - 2) : undefined;
    case "an over-long string":
      return is("string") ? fc.constantFrom("x".repeat(257), "y".repeat(2001), ` ${"z".repeat(300)} `) : undefined;
    case "a multi-byte string":
      // 86 CJK characters are 258 UTF-8 bytes: over a 256-byte limit that counts bytes, under one that counts characters.
      return is("string") ? fc.constantFrom("中".repeat(86), "é".repeat(129), "🙂".repeat(65)) : undefined;
    default:
      return undefined;
  }
}

function setAt(body: unknown, path: Slot["path"], value: unknown, remove = false): void {
  const parent = path.slice(0, -1).reduce<unknown>((at, key) => (at as Record<string, unknown>)[key], body);
  const key = path.at(-1) as string | number;
  if (remove) delete (parent as Record<string, unknown>)[key];
  else (parent as Record<string, unknown>)[key] = value;
}

function getAt(body: unknown, path: Slot["path"]): unknown {
  return path.reduce<unknown>((at, key) => (at as Record<string, unknown>)?.[key], body);
}

/** The valid bodies fuzzing starts from, one or two per operation, over the given world. */
function validBodies(world: World): { operation: OperationId; body: Record<string, unknown> }[] {
  const modules = (world.modules ?? []) as {
    bk_module_id: number;
    service_template_id: number;
    default: number;
    host_ids: number[];
    bk_biz_id: number;
  }[];
  const raw = modules.find((m) => m.service_template_id === 0 && m.default === 0);
  const templated = modules.find((m) => m.service_template_id > 0 && m.default === 0);
  const templates = (world.service_templates ?? []) as { id: number; process_templates?: { id: number }[] }[];
  const processTemplate = templates.flatMap((t) => t.process_templates ?? [])[0]?.id ?? 1;
  const bizId = raw?.bk_biz_id ?? templated?.bk_biz_id ?? 1;
  const instanceId = ((world.service_instances ?? []) as { id: number }[])[0]?.id ?? 1;
  const bodies: { operation: OperationId; body: Record<string, unknown> }[] = [];
  if (raw !== undefined) {
    const info = {
      bk_process_name: "fuzz",
      bk_func_name: "fuzz",
      bind_info: [{ ip: "127.0.0.1", port: "8080", protocol: "1", enable: true }],
    };
    bodies.push({
      operation: "createServiceInstance",
      body: {
        bk_biz_id: bizId,
        bk_module_id: raw.bk_module_id,
        instances: raw.host_ids.slice(0, 2).map((h) => ({
          bk_host_id: h,
          service_instance_name: "fuzz",
          processes: [{ process_template_id: 0, process_info: info }],
        })),
      },
    });
  }
  if (templated !== undefined) {
    bodies.push({
      operation: "createServiceInstance",
      body: {
        bk_biz_id: bizId,
        bk_module_id: templated.bk_module_id,
        instances: [{ bk_host_id: templated.host_ids[0] }],
      },
    });
  }
  bodies.push(
    { operation: "listProcessInstance", body: { bk_biz_id: bizId, service_instance_id: instanceId } },
    { operation: "getProcTemplate", body: { bk_biz_id: bizId, process_template_id: processTemplate } },
    { operation: "deleteServiceInstance", body: { bk_biz_id: bizId, service_instance_ids: [instanceId] } },
  );
  return bodies;
}

/**
 * The classes that can run against a real CMDB (`--fuzz-live`): bodies the CMDB rejects while it decodes the request
 * or in the first checks of §1.2, before anything is written. `process_info` is a free-form map decoded later, so
 * no live case touches it.
 * @see cmdb-semantics §1.1 (decoding), §1.2 steps 1-4
 */
export const LIVE_SAFE_CLASSES: readonly MutationClass[] = [
  "a required field missing",
  "a wrong type",
  "an empty array",
  "an oversized array",
];

/**
 * All cases of one class over the valid bodies: an arbitrary that picks a body, a slot and a value. With `live`,
 * only creates, and only slots outside `process_info` (see {@link LIVE_SAFE_CLASSES}).
 */
export function fuzzCaseArbitrary(
  document: OpenApiDocument,
  world: World,
  kind: MutationClass,
  live = false,
): fc.Arbitrary<FuzzCase> {
  const paths = readOperationPaths(document);
  const options: fc.Arbitrary<FuzzCase>[] = [];
  for (const { operation, body } of validBodies(world)) {
    if (live && operation !== "createServiceInstance") continue;
    const post = (document.paths[paths[operation]] as Record<string, unknown> | undefined)?.post as
      | { requestBody?: { content?: Record<string, { schema?: unknown }> } }
      | undefined;
    const root = resolve(document, post?.requestBody?.content?.["application/json"]?.schema);
    const slots: Slot[] = [{ path: [], schema: root, required: true }, ...slotsOf(document, root, body)];
    const mutate = (describe: string, change: (copy: Record<string, unknown>) => void): FuzzCase => {
      const copy = structuredClone(body);
      change(copy);
      return { operation, body: copy, mutation: describe, bizId: body.bk_biz_id };
    };
    if (kind === "valid")
      options.push(
        fc.constant({ operation, body: structuredClone(body), mutation: "none (a valid body)", bizId: body.bk_biz_id }),
      );
    const usable = slots.filter((s) => s.path.length > 0 && !(live && s.path.includes("process_info")));
    for (const slot of usable) {
      const at = pointerOf(slot.path);
      const array = typesOf(slot.schema).includes("array") && Array.isArray(getAt(body, slot.path));
      if (kind === "a required field missing" && slot.required)
        options.push(fc.constant(mutate(`${at} removed`, (c) => setAt(c, slot.path, undefined, true))));
      if (kind === "an unknown key" && typesOf(slot.schema).includes("object")) {
        options.push(fc.constant(mutate(`${at}/x_unknown added`, (c) => setAt(c, [...slot.path, "x_unknown"], 1))));
      }
      if (kind === "a duplicate entry" && array) {
        options.push(
          fc.constant(
            mutate(`${at}/0 repeated`, (c) =>
              (getAt(c, slot.path) as unknown[]).push(structuredClone((getAt(c, slot.path) as unknown[])[0])),
            ),
          ),
        );
      }
      if (kind === "an empty array" && array)
        options.push(fc.constant(mutate(`${at} = []`, (c) => setAt(c, slot.path, []))));
      if (kind === "an oversized array" && array && slot.schema.maxItems !== undefined) {
        const count = slot.schema.maxItems + 1;
        options.push(
          fc.constant(
            mutate(`${at} with ${count} entries`, (c) =>
              setAt(
                c,
                slot.path,
                Array.from({ length: count }, () => structuredClone((getAt(body, slot.path) as unknown[])[0])),
              ),
            ),
          ),
        );
      }
      const values = valuesFor(kind, slot);
      if (values !== undefined)
        options.push(values.map((v) => mutate(`${at} = ${showValue(v, 40)}`, (c) => setAt(c, slot.path, v))));
    }
  }
  return options.length === 0
    ? fc.constant({ operation: "listProcessInstance", body: {}, mutation: "(no case)", bizId: undefined })
    : fc.oneof(...options);
}
