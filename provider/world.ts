/**
 * A world: the CMDB state a scenario starts from (DESIGN.md "A world", `spec/world.schema.json`), and how to read
 * and validate one.
 */
import { readFile, stat } from "node:fs/promises";
import { extname } from "node:path";
import { escapePointer, parseYamlQuickly } from "../spec/load-spec.ts";
import { loadProviderSpec } from "./spec-data.ts";

/** A template field as `get_proc_template` answers it; `as_default_value: true` locks it. */
export interface TemplateValue<T> {
  value?: T | null;
  as_default_value?: boolean | null;
}

/** One `bind_info` row of a process template; each sub-field is locked on its own. */
export interface TemplateBindRow {
  row_id: number;
  ip?: TemplateValue<string>;
  port?: TemplateValue<string>;
  protocol?: TemplateValue<string>;
  enable?: TemplateValue<boolean>;
}

/** The `property` of a process template (`ProcessTemplateProperty` in the spec). */
export interface TemplateProperty {
  bk_process_name: TemplateValue<string>;
  bk_func_name: TemplateValue<string>;
  bind_info?: { value?: TemplateBindRow[] | null; as_default_value?: boolean | null };
  [field: string]: TemplateValue<string | number | boolean> | TemplateBindInfoValue | undefined;
}

type TemplateBindInfoValue = { value?: TemplateBindRow[] | null; as_default_value?: boolean | null };

/** One `bind_info` row of a process instance. */
export interface BindRow {
  enable?: boolean | null;
  ip?: string | null;
  port?: string | null;
  protocol?: string | null;
  template_row_id?: number;
}

/** The world format of DESIGN.md, as `spec/world.schema.json` describes it. */
export interface World {
  supplier_account?: string;
  apps?: { bk_app_code: string; bk_app_secret: string; skip_user_auth?: boolean }[];
  tokens?: Record<string, string>;
  iam?: { enabled?: boolean; grants?: { user: string; action: string; bk_biz_id: number }[] };
  businesses?: { bk_biz_id: number; bk_biz_name: string }[];
  hosts?: {
    bk_host_id: number;
    bk_host_innerip: string;
    bk_host_outerip?: string;
    bk_host_innerip_v6?: string;
    bk_host_outerip_v6?: string;
  }[];
  service_templates?: {
    id: number;
    bk_biz_id: number;
    name: string;
    process_templates: { id: number; property: TemplateProperty }[];
  }[];
  modules?: {
    bk_module_id: number;
    bk_biz_id: number;
    bk_module_name?: string;
    service_template_id?: number;
    default?: number;
    host_ids?: number[];
  }[];
  service_instances?: {
    id: number;
    bk_biz_id: number;
    bk_module_id: number;
    bk_host_id: number;
    name?: string;
    service_template_id?: number;
    processes?: { bk_process_id: number; process_template_id?: number; property: Record<string, unknown> }[];
  }[];
  next_ids?: { service_instance?: number; process?: number };
}

/**
 * What a world may hold, so that loading one and creating on it stay quick and small: its size as JSON (or as a
 * `--world` file), its rows (items of every list at any depth, plus the entries of `tokens`), and the process
 * templates of one service template (also `maxItems` in `spec/world.schema.json`), which with at most 100 instances
 * per create bounds a templated create to 5,000 processes.
 */
export const WORLD_LIMITS = {
  maxBytes: 4 * 1024 * 1024,
  maxRows: 50_000,
  maxProcessTemplatesPerServiceTemplate: 50,
} as const;

/** One problem of a world: where (JSON pointer) and what. */
export interface WorldProblem {
  pointer: string;
  message: string;
}

/** A world that breaks `spec/world.schema.json` or repeats an ID; the message names the source and every pointer. */
export class WorldError extends Error {
  override readonly name = "WorldError";
  constructor(
    readonly source: string,
    readonly problems: readonly WorldProblem[],
  ) {
    super(
      `${source}: the world is invalid\n${problems.map((p) => `  ${source}#${p.pointer}: ${p.message}`).join("\n")}`,
    );
  }
}

/**
 * Validates a value as a world (row count, schema, unique IDs, then the hosts its modules name) and answers it typed.
 * @throws WorldError listing every problem, each with its JSON pointer.
 * @see spec/world.schema.json
 */
export function parseWorld(value: unknown, source: string): World {
  const rows = countRows(value);
  if (rows > WORLD_LIMITS.maxRows) {
    // Refused before the schema walks it: the count is cheap, validating a huge world is not.
    throw new WorldError(source, [
      {
        pointer: "",
        message: `the world has more than ${WORLD_LIMITS.maxRows} rows (items of its lists at any depth, and tokens); split it or trim it`,
      },
    ]);
  }
  const problems: WorldProblem[] = loadProviderSpec()
    .validator.validateWorld(value)
    .map((p) => ({ pointer: p.pointer, message: p.message }));
  if (problems.length === 0) problems.push(...findDuplicateIds(value as World), ...findUnknownHosts(value as World));
  if (problems.length > 0) throw new WorldError(source, problems);
  return value as World;
}

/**
 * Reads a world from a JSON or YAML file (by extension; anything else is tried as YAML, which includes JSON).
 * @throws WorldError when the file cannot be read, parsed or validated; the message names the file.
 */
export async function loadWorldFile(path: string): Promise<World> {
  let text: string;
  try {
    const { size } = await stat(path);
    if (size > WORLD_LIMITS.maxBytes) {
      throw new WorldError(path, [
        {
          pointer: "",
          message: `the file has ${size} bytes; a world file may have at most ${WORLD_LIMITS.maxBytes} (${WORLD_LIMITS.maxBytes / 1024 / 1024} MiB)`,
        },
      ]);
    }
    text = await readFile(path, "utf8");
  } catch (error) {
    if (error instanceof WorldError) throw error;
    throw new WorldError(path, [{ pointer: "", message: `cannot read the file (${describe(error)})` }]);
  }
  let value: unknown;
  try {
    value = extname(path).toLowerCase() === ".json" ? JSON.parse(text) : parseYamlQuickly(path, text);
  } catch (error) {
    throw new WorldError(path, [{ pointer: "", message: `not valid JSON or YAML (${firstLine(describe(error))})` }]);
  }
  return parseWorld(value ?? {}, path);
}

function findDuplicateIds(world: World): WorldProblem[] {
  const problems: WorldProblem[] = [];
  const check = (list: readonly unknown[] | undefined, listPointer: string, key: string, label: string): void => {
    const seen = new Map<unknown, number>();
    (list ?? []).forEach((item, i) => {
      const id = (item as Record<string, unknown>)[key];
      const first = seen.get(id);
      if (first === undefined) seen.set(id, i);
      else {
        problems.push({
          pointer: `${listPointer}/${i}/${escapePointer(key)}`,
          message: `${label} ${String(id)} is already defined at ${listPointer}/${first}`,
        });
      }
    });
  };
  check(world.apps, "/apps", "bk_app_code", "app");
  check(world.businesses, "/businesses", "bk_biz_id", "business");
  check(world.hosts, "/hosts", "bk_host_id", "host");
  check(world.modules, "/modules", "bk_module_id", "module");
  check(world.service_templates, "/service_templates", "id", "service template");
  check(world.service_instances, "/service_instances", "id", "service instance");
  const processTemplates: { id: number; pointer: string }[] = [];
  (world.service_templates ?? []).forEach((t, i) => {
    t.process_templates.forEach((p, j) => {
      processTemplates.push({ id: p.id, pointer: `/service_templates/${i}/process_templates/${j}/id` });
    });
  });
  const processes: { id: number; pointer: string }[] = [];
  (world.service_instances ?? []).forEach((s, i) => {
    (s.processes ?? []).forEach((p, j) => {
      processes.push({ id: p.bk_process_id, pointer: `/service_instances/${i}/processes/${j}/bk_process_id` });
    });
  });
  for (const [list, label] of [
    [processTemplates, "process template"],
    [processes, "process"],
  ] as const) {
    const seen = new Map<number, string>();
    for (const { id, pointer } of list) {
      const first = seen.get(id);
      if (first === undefined) seen.set(id, pointer);
      else problems.push({ pointer, message: `${label} ${id} is already defined at ${first}` });
    }
  }
  return problems;
}

// A module's hosts must exist: a create on it would otherwise pass the host check with a host CMDB does not have.
function findUnknownHosts(world: World): WorldProblem[] {
  const hosts = new Set((world.hosts ?? []).map((h) => h.bk_host_id));
  const problems: WorldProblem[] = [];
  (world.modules ?? []).forEach((m, i) => {
    (m.host_ids ?? []).forEach((id, j) => {
      if (!hosts.has(id)) {
        problems.push({
          pointer: `/modules/${i}/host_ids/${j}`,
          message: `host ${id} is not in /hosts; list it there (bk_host_id, bk_host_innerip) or remove it from the module`,
        });
      }
    });
  });
  return problems;
}

// Items of every array at any depth plus the keys of `tokens`; iterative, so a deeply nested YAML file cannot overflow.
function countRows(value: unknown): number {
  let rows = 0;
  const tokens = (value as { tokens?: unknown } | null)?.tokens;
  if (tokens !== null && typeof tokens === "object" && !Array.isArray(tokens)) rows += Object.keys(tokens).length;
  const stack: object[] = value !== null && typeof value === "object" ? [value] : [];
  while (stack.length > 0 && rows <= WORLD_LIMITS.maxRows) {
    const node = stack.pop() as object;
    const children: unknown[] = Array.isArray(node) ? node : Object.values(node);
    if (Array.isArray(node)) rows += node.length;
    for (const child of children) if (child !== null && typeof child === "object") stack.push(child);
  }
  return rows;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}
