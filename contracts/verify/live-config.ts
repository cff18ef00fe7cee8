import { readFile } from "node:fs/promises";
import { parseYamlQuickly } from "../../spec/load-spec.ts";

// What `verify --live FILE` reads: the business, modules, hosts and auth of a real CMDB whose state cannot be set up.

/** The environment variable that holds the app secret in live mode, unless the live file names another. */
export const DEFAULT_SECRET_ENV = "CMDB_BK_APP_SECRET";

/** A host of the live CMDB with the addresses bind IP types resolve against. */
export interface LiveHost {
  bk_host_id: number;
  bk_host_innerip?: string;
  bk_host_outerip?: string;
  bk_host_innerip_v6?: string;
  bk_host_outerip_v6?: string;
}

/** What `--live FILE` names: an existing business, its modules and hosts, and who calls. */
export interface LiveConfig {
  auth: Record<string, string>;
  bk_biz_id: number;
  /** A module without a service template; `hosts` must be in it. */
  non_templated_module: number;
  /**
   * A module bound to a service template; `hosts` must be in it. The check creates for the first host (when
   * discovering the templates: the first that can take an instance), which must have no instance of it yet.
   */
  templated_module: number;
  /**
   * The process templates of the templated module's service template; when absent, verify discovers them by
   * creating (and at once deleting) an instance with no `processes` on the templated module for a listed host.
   */
  process_template_ids?: number[];
  hosts: LiveHost[];
}

/** The world a live file describes, as far as the fuzz phase builds bodies from it (no state is ever set up). */
export function worldOfLiveConfig(config: LiveConfig): Record<string, unknown> {
  const hostIds = config.hosts.map((h) => h.bk_host_id);
  const module = (id: number, templated: boolean) => ({
    bk_module_id: id,
    bk_biz_id: config.bk_biz_id,
    service_template_id: templated ? 1 : 0,
    default: 0,
    host_ids: hostIds,
  });
  return {
    businesses: [{ bk_biz_id: config.bk_biz_id }],
    modules: [module(config.non_templated_module, false), module(config.templated_module, true)],
  };
}

/** A live file that cannot be used; `verify` exits 2 on it. */
export class LiveConfigError extends Error {
  override readonly name = "LiveConfigError";
}

/**
 * Reads a live file (YAML or JSON). The secret comes from the environment variable `bk_app_secret_env` names
 * (default {@link DEFAULT_SECRET_ENV}), or from `auth.bk_app_secret` when the file has it.
 * @throws LiveConfigError naming the file and every missing or malformed field.
 */
export async function loadLiveConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<LiveConfig> {
  let raw: Record<string, unknown>;
  try {
    raw = parseYamlQuickly(file, await readFile(file, "utf8")) as Record<string, unknown>;
  } catch (error) {
    throw new LiveConfigError(`${file}: cannot read the live file (${(error as Error).message})`);
  }
  const problems: string[] = [];
  const int = (key: string): number => {
    const value = raw?.[key];
    if (!Number.isInteger(value)) problems.push(`${file}#/${key}: an integer is required`);
    return value as number;
  };
  const auth = { ...((raw?.auth as Record<string, string> | undefined) ?? {}) };
  const secretEnv = typeof raw?.bk_app_secret_env === "string" ? raw.bk_app_secret_env : DEFAULT_SECRET_ENV;
  if (auth.bk_app_secret === undefined && env[secretEnv]) auth.bk_app_secret = env[secretEnv] as string;
  if (!auth.bk_app_code) problems.push(`${file}#/auth/bk_app_code: required`);
  if (!auth.bk_app_secret) problems.push(`${file}#/auth/bk_app_secret: set the environment variable ${secretEnv}`);
  if (!auth.bk_username && !auth.bk_token) problems.push(`${file}#/auth: bk_username or bk_token is required`);
  const ids = raw?.process_template_ids as number[] | undefined;
  const config: LiveConfig = {
    auth,
    bk_biz_id: int("bk_biz_id"),
    non_templated_module: int("non_templated_module"),
    templated_module: int("templated_module"),
    ...(ids !== undefined && ids !== null ? { process_template_ids: ids } : {}),
    hosts: (raw?.hosts as LiveHost[] | undefined) ?? [],
  };
  if (ids !== undefined && ids !== null && (!Array.isArray(ids) || !ids.every(Number.isInteger))) {
    problems.push(
      `${file}#/process_template_ids: a list of integer IDs is required (or leave it out to discover them)`,
    );
  }
  if (
    !Array.isArray(config.hosts) ||
    config.hosts.length === 0 ||
    !config.hosts.every((h) => Number.isInteger(h?.bk_host_id))
  ) {
    problems.push(`${file}#/hosts: at least one host with bk_host_id is required`);
  }
  if (problems.length > 0) throw new LiveConfigError(problems.join("\n"));
  return config;
}
