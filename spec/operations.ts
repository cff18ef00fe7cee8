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
 * The front door a call goes through: `esb` (`/api/c/compapi/v2/cc/<api>/`, auth in the body, the ESB envelope) or
 * `apigw`, the BlueKing API gateway (`<gateway>/api/bk-cmdb/<stage>/api/v3/…`, auth in the `X-Bkapi-Authorization`
 * header, CMDB's native envelope).
 * @see cmdb-semantics §0, §4.3, §5
 */
export type Route = "esb" | "apigw";

/** The routes, ESB first (the default everywhere). */
export const ROUTES: readonly Route[] = ["esb", "apigw"];

/** Where bk-cmdb's gateway resources live before the stage: `<gateway>/api/bk-cmdb/<stage>/api/v3/…`. */
export const GATEWAY_PREFIX = "/api/bk-cmdb/";

/** The request header that carries the gateway credentials as JSON (cmdb-semantics §5). */
export const GATEWAY_AUTH_HEADER = "X-Bkapi-Authorization";

/**
 * The response header with the gateway's request ID, on every answer of the gateway route (cmdb-semantics §5, from
 * bk-cmdb's `src/common/http/header/header.go`).
 */
export const GATEWAY_REQUEST_ID_HEADER = "X-Bkapi-Request-Id";

/**
 * The credential fields: the ESB common args in the body on the ESB route, the `X-Bkapi-Authorization` JSON on the
 * gateway route, where `access_token` may stand for the user (cmdb-semantics §5).
 */
export const CREDENTIAL_FIELDS = ["bk_app_code", "bk_app_secret", "bk_username", "bk_token", "access_token"] as const;

/** The method and stage-relative path of one operation on one route. */
export interface OperationRoute {
  method: "post" | "delete";
  /** The path as the spec writes it; on the gateway route it may hold `{process_template_id}`. */
  path: string;
}

/**
 * Reads the method and path of each operation on one route from the spec's `paths`: an ESB operation by its
 * operationId, a gateway operation by its `x-cmdb-operation` (the ESB operationId it shares its schemas with).
 * @throws Error when an operation the contracts need is missing from the spec on that route.
 */
export function readOperationRoutes(document: OpenApiDocument, route: Route): Record<OperationId, OperationRoute> {
  const found: Partial<Record<OperationId, OperationRoute>> = {};
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of ["post", "delete"] as const) {
      const operation = item[method] as Record<string, unknown> | undefined;
      if (typeof operation?.operationId !== "string") continue;
      if ((operation["x-cmdb-route"] ?? "esb") !== route) continue;
      const id = route === "esb" ? operation.operationId : operation["x-cmdb-operation"];
      if (typeof id === "string") found[id as OperationId] = { method, path };
    }
  }
  const missing = OPERATION_IDS.filter((id) => found[id] === undefined);
  if (missing.length > 0) throw new Error(`spec paths: no ${route} operation ${missing.join(", ")}`);
  return found as Record<OperationId, OperationRoute>;
}

/**
 * Reads the ESB route of each operation from the spec's `paths` by operationId.
 * @throws Error when an operation the contracts need is missing from the spec.
 */
export function readOperationPaths(document: OpenApiDocument): Record<OperationId, string> {
  const routes = readOperationRoutes(document, "esb");
  return Object.fromEntries(OPERATION_IDS.map((id) => [id, routes[id].path])) as Record<OperationId, string>;
}
