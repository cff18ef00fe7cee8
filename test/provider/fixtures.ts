/** Tiny worlds and request builders shared by the provider tests. */
import { loadProviderSpec } from "../../provider/spec-data.ts";
import type { TemplateProperty, World } from "../../provider/world.ts";

/** The credentials every test world accepts. */
export const AUTH = { bk_app_code: "demo", bk_app_secret: "s3cr3t", bk_username: "admin" } as const;

/** The world of DESIGN.md: a raw module 60 and a module 61 bound to service template 5 (process template 7). */
export function designWorld(): World {
  return {
    supplier_account: "0",
    apps: [
      { bk_app_code: "demo", bk_app_secret: "s3cr3t", skip_user_auth: true },
      { bk_app_code: "strict", bk_app_secret: "s3cr3t-2" },
    ],
    tokens: { "tok-admin": "admin", "tok-bob": "bob" },
    iam: { enabled: false, grants: [] },
    businesses: [
      { bk_biz_id: 2, bk_biz_name: "demo" },
      { bk_biz_id: 3, bk_biz_name: "other" },
    ],
    hosts: [
      { bk_host_id: 10, bk_host_innerip: "10.0.0.5", bk_host_outerip: "1.2.3.4" },
      { bk_host_id: 11, bk_host_innerip: "10.0.0.6,10.0.0.7", bk_host_outerip: "" },
      { bk_host_id: 12, bk_host_innerip: "10.0.0.8" },
    ],
    service_templates: [
      {
        id: 5,
        bk_biz_id: 2,
        name: "nginx",
        process_templates: [
          {
            id: 7,
            // The spec's GetProcTemplateSuccess template, plus a locked `user`.
            property: { ...exampleTemplateProperty(), user: { value: "root", as_default_value: true } },
          },
        ],
      },
      { id: 6, bk_biz_id: 2, name: "empty", process_templates: [] },
    ],
    modules: [
      { bk_module_id: 60, bk_biz_id: 2, bk_module_name: "raw", service_template_id: 0, default: 0, host_ids: [10, 11] },
      { bk_module_id: 61, bk_biz_id: 2, bk_module_name: "web", service_template_id: 5, default: 0, host_ids: [10, 11] },
      { bk_module_id: 62, bk_biz_id: 2, bk_module_name: "idle", default: 1, host_ids: [10] },
      { bk_module_id: 63, bk_biz_id: 2, bk_module_name: "hollow", service_template_id: 6, host_ids: [10] },
    ],
    service_instances: [],
    next_ids: { service_instance: 100, process: 1000 },
  };
}

/** The `property` of the spec's `GetProcTemplateSuccess` example (process template 7 of DESIGN.md's world). */
export function exampleTemplateProperty(): TemplateProperty {
  const example = loadProviderSpec().document.components.examples?.GetProcTemplateSuccess?.value as {
    data: { property: TemplateProperty };
  };
  return structuredClone(example.data.property);
}

/** A valid one-process body for the raw module 60: the spec's `CreateServiceInstanceNonTemplatedRequest` example. */
export function rawCreateBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const example = loadProviderSpec().document.components.examples?.CreateServiceInstanceNonTemplatedRequest?.value;
  return { ...structuredClone(example as Record<string, unknown>), ...AUTH, ...overrides };
}

/** POSTs a JSON (or raw text) body and answers the status and parsed body. */
export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** The ESB URL of one operation on a running provider. */
export function esbUrl(base: string, operation: string): string {
  return `${base}/api/c/compapi/v2/cc/${operation}/`;
}

/** Replaces a running provider's world through the state-setup endpoint. */
export async function setWorld(stateSetupUrl: string, world: World): Promise<void> {
  const { status } = await post(stateSetupUrl, { state: "test", params: { world }, action: "setup" });
  if (status !== 200) throw new Error(`state setup failed with HTTP ${status}`);
}
