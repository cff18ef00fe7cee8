import type { OpenApiDocument } from "./load-spec.ts";

/** The four operations the contracts and the checks call, by the spec's operationId. */
export type OperationId = "createServiceInstance" | "listProcessInstance" | "getProcTemplate" | "deleteServiceInstance";

/** The operations every part of the toolkit needs the spec to define. */
export const OPERATION_IDS: readonly OperationId[] = [
  "createServiceInstance",
  "listProcessInstance",
  "getProcTemplate",
  "deleteServiceInstance",
];

/**
 * Reads the route of each operation from the spec's `paths` by operationId.
 * @throws Error when an operation the contracts need is missing from the spec.
 */
export function readOperationPaths(document: OpenApiDocument): Record<OperationId, string> {
  const found: Partial<Record<OperationId, string>> = {};
  for (const [path, item] of Object.entries(document.paths)) {
    for (const operation of Object.values(item)) {
      const id = (operation as { operationId?: string } | null)?.operationId;
      if (id !== undefined) found[id as OperationId] = path;
    }
  }
  const missing = OPERATION_IDS.filter((id) => found[id] === undefined);
  if (missing.length > 0) throw new Error(`spec paths: no operation ${missing.join(", ")}`);
  return found as Record<OperationId, string>;
}
