/**
 * ESB authentication from the world's apps and tokens (cmdb-semantics §5) and the IAM check of CMDB's apiserver
 * (cmdb-semantics §4.1).
 *
 * IAM actions per operation (all on the `biz` resource named by the body's `bk_biz_id`):
 * - create_service_instance → `create_biz_service_instance` (服务实例新建), as the real CMDB maps it;
 * - delete_service_instance → `delete_biz_service_instance` (服务实例删除);
 * - list_process_instance and get_proc_template → `find_business_resource` (业务访问), the read permission
 *   CMDB asks for on business-scoped queries.
 */
import { type CmdbFailure, fail } from "./messages.ts";
import { type CmdbState, grantKey } from "./store.ts";

/** An IAM action a caller needs for an operation. */
export interface IamAction {
  id: string;
  name: string;
}

/** The IAM permission object of a 9900403 denial, shaped as the spec's `ErrorPermissionDenied` example. */
export interface Permission {
  system_id: "bk_cmdb";
  system_name: string;
  actions: {
    id: string;
    name: string;
    related_resource_types: {
      system_id: "bk_cmdb";
      system_name: string;
      type: "biz";
      type_name: string;
      instances: { type: "biz"; type_name: string; id: string; name: string }[][];
    }[];
  }[];
}

const SYSTEM_NAME = "配置平台";
const BIZ_TYPE_NAME = "业务";

/**
 * Finds the user of a request from its common args: the app must match, then `bk_token` names the user, or
 * `bk_username` for an app that skips user authentication. Failures are ESB's 1306406 with its validation text.
 * @see cmdb-semantics §5
 */
export function authenticate(
  state: CmdbState,
  body: Readonly<Record<string, unknown>>,
): { ok: true; user: string } | { ok: false; failure: CmdbFailure } {
  const appCode = nonEmptyString(body.bk_app_code);
  if (appCode === undefined) return rejected("APP Code [bk_app_code] cannot be empty");
  const secret = nonEmptyString(body.bk_app_secret);
  if (secret === undefined) return rejected("APP Secret [bk_app_secret] cannot be empty");
  const app = state.apps.get(appCode);
  // Never echo the secret; name only the app code the caller already knows.
  if (!app || app.bk_app_secret !== secret) {
    return rejected(`APP Secret verification failed, please check bk_app_code [${appCode}] and bk_app_secret`);
  }
  const token = nonEmptyString(body.bk_token);
  const fromToken = token === undefined ? undefined : state.tokens.get(token);
  if (fromToken !== undefined) return { ok: true, user: fromToken };
  const username = nonEmptyString(body.bk_username);
  if (username !== undefined && app.skip_user_auth) return { ok: true, user: username };
  return rejected("User authentication failed, please provide a valid user identity, such as bk_token, bk_username");
}

/**
 * Answers the permission object of a denial when IAM is on and the user has no grant of the action on the business,
 * else null.
 * @see cmdb-semantics §4.1
 */
export function authorize(state: CmdbState, user: string, action: IamAction, bizId: number): Permission | null {
  if (!state.iamEnabled || state.grants.has(grantKey(user, action.id, bizId))) return null;
  return {
    system_id: "bk_cmdb",
    system_name: SYSTEM_NAME,
    actions: [
      {
        id: action.id,
        name: action.name,
        related_resource_types: [
          {
            system_id: "bk_cmdb",
            system_name: SYSTEM_NAME,
            type: "biz",
            type_name: BIZ_TYPE_NAME,
            instances: [
              [{ type: "biz", type_name: BIZ_TYPE_NAME, id: String(bizId), name: state.businesses.get(bizId) ?? "" }],
            ],
          },
        ],
      },
    ],
  };
}

function rejected(message: string): { ok: false; failure: CmdbFailure } {
  return { ok: false, failure: fail(1306406, message) };
}

/** The value when it is a non-empty string, else undefined. */
export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
