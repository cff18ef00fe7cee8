import { escapePointer, resolvePointer } from "../spec/load-spec.ts";
import {
  asJsonObject,
  bothSides,
  type ChangeClass,
  change,
  isJsonObject,
  isSameJson,
  type JsonObject,
  type SpecChange,
  unionKeys,
} from "./changes.ts";
import { diffValidationOrder } from "./cmdb-diff.ts";
import { diffDocumentation } from "./documentation-diff.ts";
import { diffSchemas } from "./schema-diff.ts";

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

// Operation keys the diff compares itself; every other key that changes is documentation.
const OPERATION_KEYS = new Set([
  "operationId",
  "requestBody",
  "responses",
  "parameters",
  "security",
  "x-cmdb-validation-order",
]);

interface OperationAt {
  key: string;
  id: string;
  pointer: string;
  node: JsonObject;
  parameters: unknown[];
}

/**
 * Compares the operations of two documents: removed and added operations, renamed operationIds, parameters, request
 * bodies and responses (their schemas through {@link diffSchemas}), security, and each operation's
 * `x-cmdb-validation-order`. Pure.
 */
export function diffOperations(oldDoc: JsonObject, newDoc: JsonObject): SpecChange[] {
  const out: SpecChange[] = [];
  const before = operationsOf(oldDoc);
  const after = operationsOf(newDoc);
  const keys = unionKeys(before, after);
  for (const key of keys) {
    const o = before.get(key);
    const n = after.get(key);
    if (o && !n) {
      out.push(
        change(
          o.pointer,
          "old",
          "breaking-for-consumers",
          "operation",
          [o.id],
          `\`${o.id}\` (${key}) is gone: callers of it now fail.`,
        ),
      );
    } else if (n && !o) {
      out.push(
        change(
          n.pointer,
          "new",
          "breaking-for-providers",
          "operation",
          [n.id],
          `\`${n.id}\` (${key}) is a new operation: providers must implement it.`,
        ),
      );
    } else if (o && n) {
      diffOperation(oldDoc, newDoc, o, n, out);
    }
  }
  return out;
}

function diffOperation(
  oldDoc: JsonObject,
  newDoc: JsonObject,
  o: OperationAt,
  n: OperationAt,
  out: SpecChange[],
): void {
  const ops = [n.id];
  if (o.id !== n.id) {
    out.push(
      change(
        `${n.pointer}/operationId`,
        "new",
        "breaking-for-consumers",
        "operation",
        ops,
        `${n.key} is now \`${n.id}\` (was \`${o.id}\`): a regenerated client renames its method, so callers must change.`,
      ),
    );
  }
  diffRequestBody(oldDoc, newDoc, o, n, out);
  diffParameters(oldDoc, newDoc, o, n, out);
  diffResponses(oldDoc, newDoc, o, n, out);
  if (!isSameJson(o.node.security, n.node.security)) {
    out.push(
      ...bothSides(
        `${n.pointer}/security`,
        "security",
        ops,
        `The security requirements of \`${n.id}\` changed`,
        "callers must send other credentials",
        "providers must check other credentials",
      ),
    );
  }
  out.push(
    ...diffValidationOrder(
      { list: o.node["x-cmdb-validation-order"], pointer: `${o.pointer}/x-cmdb-validation-order` },
      { list: n.node["x-cmdb-validation-order"], pointer: `${n.pointer}/x-cmdb-validation-order` },
      n.id,
    ),
  );
  const keys = unionKeys(o.node, n.node);
  for (const key of keys) {
    if (OPERATION_KEYS.has(key)) continue;
    out.push(...diffDocumentation(o.node[key], n.node[key], `${n.pointer}/${escapePointer(key)}`, 1, ops));
  }
}

function diffRequestBody(
  oldDoc: JsonObject,
  newDoc: JsonObject,
  o: OperationAt,
  n: OperationAt,
  out: SpecChange[],
): void {
  const ops = [n.id];
  const ob = deref(oldDoc, o.node.requestBody, `${o.pointer}/requestBody`);
  const nb = deref(newDoc, n.node.requestBody, `${n.pointer}/requestBody`);
  if (ob.node === undefined && nb.node === undefined) return;
  const required = (b: JsonObject | undefined) => b?.required === true;
  if (!required(ob.node) && required(nb.node)) {
    out.push(
      change(
        `${nb.pointer}/required`,
        "new",
        "breaking-for-consumers",
        "request-body",
        ops,
        `\`${n.id}\` now requires a request body: callers that send none are rejected.`,
      ),
    );
  } else if (required(ob.node) && !required(nb.node) && nb.node !== undefined) {
    out.push(
      change(
        `${nb.pointer}/required`,
        "new",
        "breaking-for-providers",
        "request-body",
        ops,
        `\`${n.id}\` no longer requires a request body: providers must handle requests without one.`,
      ),
    );
  }
  diffContent(oldDoc, newDoc, ob, nb, "request", `${n.id} request`, ops, out);
}

function diffResponses(
  oldDoc: JsonObject,
  newDoc: JsonObject,
  o: OperationAt,
  n: OperationAt,
  out: SpecChange[],
): void {
  const ops = [n.id];
  const before = asJsonObject(o.node.responses);
  const after = asJsonObject(n.node.responses);
  for (const status of unionKeys(before, after)) {
    const op = `${o.pointer}/responses/${escapePointer(status)}`;
    const np = `${n.pointer}/responses/${escapePointer(status)}`;
    if (!(status in after)) {
      out.push(
        change(
          op,
          "old",
          "breaking-for-providers",
          "response",
          ops,
          `\`${n.id}\` no longer answers status ${status}: providers that still do no longer conform.`,
        ),
      );
    } else if (!(status in before)) {
      out.push(
        change(
          np,
          "new",
          "breaking-for-consumers",
          "response",
          ops,
          `\`${n.id}\` may now answer status ${status}: callers do not handle it yet.`,
        ),
      );
    } else {
      const ob = deref(oldDoc, before[status], op);
      const nb = deref(newDoc, after[status], np);
      diffContent(oldDoc, newDoc, ob, nb, "response", `${n.id} ${status} response`, ops, out);
    }
  }
}

function diffContent(
  oldDoc: JsonObject,
  newDoc: JsonObject,
  ob: { node: JsonObject | undefined; pointer: string },
  nb: { node: JsonObject | undefined; pointer: string },
  direction: "request" | "response",
  label: string,
  ops: string[],
  out: SpecChange[],
): void {
  const before = asJsonObject(ob.node?.content);
  const after = asJsonObject(nb.node?.content);
  const [id] = ops;
  for (const media of unionKeys(before, after)) {
    const op = `${ob.pointer}/content/${escapePointer(media)}`;
    const np = `${nb.pointer}/content/${escapePointer(media)}`;
    const request = direction === "request";
    if (!(media in after)) {
      const [cls, why]: [ChangeClass, string] = request
        ? ["breaking-for-consumers", "callers that send it are rejected"]
        : ["breaking-for-providers", "providers that still answer it no longer conform"];
      out.push(
        change(
          op,
          "old",
          cls,
          request ? "request-body" : "response",
          ops,
          `The ${label} no longer comes as ${media}: ${why}.`,
        ),
      );
    } else if (!(media in before)) {
      const [cls, why]: [ChangeClass, string] = request
        ? ["breaking-for-providers", "providers must accept it"]
        : ["breaking-for-consumers", "callers do not read it yet"];
      out.push(
        change(
          np,
          "new",
          cls,
          request ? "request-body" : "response",
          ops,
          `The ${label} may now come as ${media}: ${why}.`,
        ),
      );
    } else {
      const oldMedia = asJsonObject(before[media]);
      const newMedia = asJsonObject(after[media]);
      out.push(
        ...diffSchemas(
          { root: oldDoc, node: oldMedia.schema ?? {}, pointer: `${op}/schema` },
          { root: newDoc, node: newMedia.schema ?? {}, pointer: `${np}/schema` },
          `${label} body`,
          id === undefined ? { direction } : { direction, operation: id },
        ),
      );
      for (const key of ["examples", "example"]) {
        out.push(...diffDocumentation(oldMedia[key], newMedia[key], `${np}/${key}`, 1, ops));
      }
    }
  }
}

function diffParameters(
  oldDoc: JsonObject,
  newDoc: JsonObject,
  o: OperationAt,
  n: OperationAt,
  out: SpecChange[],
): void {
  const ops = [n.id];
  const index = (doc: JsonObject, op: OperationAt) => {
    const map = new Map<string, { node: JsonObject; pointer: string }>();
    for (const [i, raw] of op.parameters.entries()) {
      const p = deref(doc, raw, `${op.pointer}/parameters/${i}`);
      if (p.node) map.set(`${String(p.node.in)} ${String(p.node.name)}`, { node: p.node, pointer: p.pointer });
    }
    return map;
  };
  const before = index(oldDoc, o);
  const after = index(newDoc, n);
  for (const key of unionKeys(before, after)) {
    const p = before.get(key);
    const q = after.get(key);
    if (p && !q) {
      out.push(
        change(
          p.pointer,
          "old",
          "breaking-for-consumers",
          "parameter",
          ops,
          `The ${key} parameter of \`${n.id}\` is gone: callers that send it lose its effect.`,
        ),
      );
    } else if (q && !p) {
      out.push(
        q.node.required === true
          ? change(
              q.pointer,
              "new",
              "breaking-for-consumers",
              "parameter",
              ops,
              `\`${n.id}\` has a new required ${key} parameter: callers that omit it are rejected.`,
            )
          : change(
              q.pointer,
              "new",
              "breaking-for-providers",
              "parameter",
              ops,
              `\`${n.id}\` has a new optional ${key} parameter: providers must accept it and act on it.`,
            ),
      );
    } else if (p && q) {
      if (p.node.required !== true && q.node.required === true) {
        out.push(
          change(
            q.pointer,
            "new",
            "breaking-for-consumers",
            "parameter",
            ops,
            `The ${key} parameter of \`${n.id}\` is now required: callers that omit it are rejected.`,
          ),
        );
      } else if (p.node.required === true && q.node.required !== true) {
        out.push(
          change(
            q.pointer,
            "new",
            "breaking-for-providers",
            "parameter",
            ops,
            `The ${key} parameter of \`${n.id}\` is now optional: providers must handle requests without it.`,
          ),
        );
      }
      out.push(
        ...diffSchemas(
          { root: oldDoc, node: p.node.schema ?? {}, pointer: `${p.pointer}/schema` },
          { root: newDoc, node: q.node.schema ?? {}, pointer: `${q.pointer}/schema` },
          `${n.id} ${key} parameter`,
          { direction: "request", operation: n.id },
        ),
      );
    }
  }
}

function operationsOf(doc: JsonObject): Map<string, OperationAt> {
  const map = new Map<string, OperationAt>();
  for (const [path, rawItem] of Object.entries(asJsonObject(doc.paths))) {
    const item = asJsonObject(rawItem);
    for (const method of METHODS) {
      const op = item[method];
      if (!isJsonObject(op)) continue;
      const key = `${method.toUpperCase()} ${path}`;
      const parameters = [
        ...(Array.isArray(item.parameters) ? item.parameters : []),
        ...(Array.isArray(op.parameters) ? op.parameters : []),
      ];
      const id = typeof op.operationId === "string" ? op.operationId : key;
      map.set(key, { key, id, pointer: `/paths/${escapePointer(path)}/${method}`, node: op, parameters });
    }
  }
  return map;
}

function deref(doc: JsonObject, raw: unknown, pointer: string): { node: JsonObject | undefined; pointer: string } {
  let node = raw;
  let at = pointer;
  for (
    let hops = 0;
    hops < 32 && isJsonObject(node) && typeof node.$ref === "string" && node.$ref.startsWith("#");
    hops++
  ) {
    at = node.$ref.slice(1);
    node = resolvePointer(doc, at);
  }
  return { node: isJsonObject(node) ? node : undefined, pointer: at };
}
