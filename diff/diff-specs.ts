import { escapePointer, resolvePointer } from "../spec/load-spec.ts";
import {
  asJsonObject,
  bothSides,
  CHANGE_CLASSES,
  type ChangeClass,
  change,
  compareText,
  isSameJson,
  type JsonObject,
  normalizeChanges,
  type SpecChange,
  unionKeys,
} from "./changes.ts";
import { diffErrorCodes, diffTemplateLock } from "./cmdb-diff.ts";
import { diffDocumentation } from "./documentation-diff.ts";
import { diffFieldRules, diffInnerErrorCodes } from "./field-rules-diff.ts";
import { diffOperations } from "./operations-diff.ts";

/** Every change between two specs, merged and sorted, with a count per class. */
export interface SpecDiff {
  changes: SpecChange[];
  counts: Record<ChangeClass, number>;
}

// Top-level keys compared by their own rules; the rest of the document only documents.
const OWN_RULES = new Set([
  "paths",
  "components",
  "security",
  "x-cmdb-error-codes",
  "x-cmdb-inner-error-codes",
  "x-cmdb-template-lock",
  "x-cmdb-field-rules",
]);

/**
 * Compares two OpenAPI documents (their raw form, `$ref`s intact) and answers every change with its JSON pointer,
 * whom it breaks and why: operations and their schemas with OpenAPI semantics, the `x-cmdb-*` data, and the parts
 * that only document. Pure and deterministic: the same documents give the same list in the same order.
 */
export function diffSpecs(oldDoc: JsonObject, newDoc: JsonObject): SpecDiff {
  const changes = normalizeChanges([
    ...diffOperations(oldDoc, newDoc),
    ...diffErrorCodes(oldDoc["x-cmdb-error-codes"], newDoc["x-cmdb-error-codes"]),
    ...diffTemplateLock(oldDoc["x-cmdb-template-lock"], newDoc["x-cmdb-template-lock"]),
    ...diffFieldRules(oldDoc["x-cmdb-field-rules"], newDoc["x-cmdb-field-rules"]),
    ...diffInnerErrorCodes(oldDoc["x-cmdb-inner-error-codes"], newDoc["x-cmdb-inner-error-codes"]),
    ...diffUnusedSchemas(oldDoc, newDoc),
    ...diffDocumentLevel(oldDoc, newDoc),
  ]);
  const counts = Object.fromEntries(CHANGE_CLASSES.map((c) => [c, 0])) as Record<ChangeClass, number>;
  for (const c of changes) counts[c.class]++;
  return { changes, counts };
}

function diffDocumentLevel(oldDoc: JsonObject, newDoc: JsonObject): SpecChange[] {
  const out: SpecChange[] = [];
  if (!isSameJson(oldDoc.security, newDoc.security)) {
    out.push(
      ...bothSides(
        "/security",
        "security",
        [],
        "The document's security requirements changed",
        "callers must send other credentials",
        "providers must check other credentials",
      ),
    );
  }
  const keys = unionKeys(oldDoc, newDoc).filter((k) => !OWN_RULES.has(k));
  for (const key of keys.sort(compareText)) {
    out.push(...diffDocumentation(oldDoc[key], newDoc[key], `/${escapePointer(key)}`, 1));
  }
  const oc = asJsonObject(oldDoc.components);
  const nc = asJsonObject(newDoc.components);
  const schemes = (c: JsonObject) => asJsonObject(c.securitySchemes);
  for (const name of unionKeys(schemes(oc), schemes(nc))) {
    if (isSameJson(schemes(oc)[name], schemes(nc)[name])) continue;
    const pointer = `/components/securitySchemes/${escapePointer(name)}`;
    out.push(
      ...bothSides(
        pointer,
        "security",
        [],
        `The security scheme \`${name}\` changed`,
        "callers must send other credentials",
        "providers must check other credentials",
      ),
    );
  }
  for (const key of unionKeys(oc, nc).filter((k) => k !== "schemas" && k !== "securitySchemes")) {
    out.push(...diffDocumentation(oc[key], nc[key], `/components/${escapePointer(key)}`, 1));
  }
  return out;
}

/** Component schemas that no operation reaches in either spec (the world format reuses some): compatible. */
function diffUnusedSchemas(oldDoc: JsonObject, newDoc: JsonObject): SpecChange[] {
  const used = new Set([...reachableSchemas(oldDoc), ...reachableSchemas(newDoc)]);
  const before = asJsonObject(asJsonObject(oldDoc.components).schemas);
  const after = asJsonObject(asJsonObject(newDoc.components).schemas);
  const out: SpecChange[] = [];
  for (const name of unionKeys(before, after)) {
    if (used.has(name) || isSameJson(before[name], after[name])) continue;
    const what = !(name in before) ? "was added" : !(name in after) ? "was removed" : "changed";
    const pointer = `/components/schemas/${escapePointer(name)}`;
    const message = `The schema \`${name}\`, which no operation uses, ${what}; no request or response changes.`;
    out.push(change(pointer, name in after ? "new" : "old", "compatible", "documentation", [], message));
  }
  return out;
}

function reachableSchemas(doc: JsonObject): Set<string> {
  const names = new Set<string>();
  const seen = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (node === null || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string" && value.startsWith("#") && !seen.has(value)) {
        seen.add(value);
        const match = /^#\/components\/schemas\/([^/]+)/.exec(value);
        if (match?.[1]) names.add(match[1].replace(/~1/g, "/").replace(/~0/g, "~"));
        visit(resolvePointer(doc, value.slice(1)));
      } else visit(value);
    }
  };
  visit(doc.paths);
  return names;
}
