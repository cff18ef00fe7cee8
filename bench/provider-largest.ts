/**
 * Provider figures under the largest work the limits allow: `serve` (a child process, as users run it) loads a world
 * with a service template of 50 process templates and 100 hosts, then takes creates of 100 instances that each
 * override every process (5,000 processes per request, the most allowed). While each create runs, a `get_proc_template` is sent every
 * 10 ms; the figure is the slowest of those answers, against the same request on the idle server. The second figure
 * is the CPU time `serve` spends on one such create, against its wall time: a request waits at most that long where
 * `serve` has a core to itself, and the gap is what other processes on a shared machine add. The third is the
 * child's peak resident memory (VmHWM), against its memory with the world loaded.
 */
import { spawn } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MAX_CREATE_INSTANCES } from "../provider/create-service-instance.ts";
import { loadProviderSpec } from "../provider/spec-data.ts";
import type { TemplateProperty, World } from "../provider/world.ts";
import { WORLD_LIMITS } from "../provider/world.ts";
import type { BenchFigure } from "./main.ts";

const ROUNDS = 3;
const PROBE_EVERY_MS = 10;
const AUTH = { bk_app_code: "bench", bk_app_secret: "bench-secret", bk_username: "admin" };
const TEMPLATES = WORLD_LIMITS.maxProcessTemplatesPerServiceTemplate;

/** Runs the largest allowed creates against a `serve` child and answers the latency and memory figures. */
export async function benchLargestCreate(): Promise<BenchFigure[]> {
  const world = largestWorld();
  const file = join(tmpdir(), `cmdb-bench-world-${process.pid}.json`);
  await writeFile(file, JSON.stringify(world));
  const child = spawn(process.execPath, ["--import", "tsx", "cli/bin.ts", "serve", "--world", file], {
    cwd: fileURLToPath(new URL("../", import.meta.url)),
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const url = await listeningUrl(child.stdout);
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const call = (path: string, body: unknown) => post(agent, `${url}${path}`, body);
    const probe = () =>
      call("/api/c/compapi/v2/cc/get_proc_template/", { ...AUTH, bk_biz_id: 2, process_template_id: 1 });
    const idle: number[] = [];
    for (let i = 0; i < 20; i++) idle.push((await probe()).ms);
    const rssLoaded = await readMemoryKb(child.pid, "VmRSS");
    let slowest = 0;
    const cpuMs: number[] = [];
    const wallMs: number[] = [];
    // Round 0 warms the JIT and is not counted: a server that has run one create is the one users hit.
    for (let round = 0; round <= ROUNDS; round++) {
      const setup = await call("/_cmdb/state", { state: "bench", params: { world }, action: "setup" });
      if (setup.status !== 200) throw new Error(`bench: state setup answered ${setup.status}: ${setup.text}`);
      let inFlight = true;
      const cpuBefore = await readCpuMs(child.pid);
      const create = call("/api/c/compapi/v2/cc/create_service_instance/", largestCreate()).finally(() => {
        inFlight = false;
      });
      const probes: Promise<{ ms: number }>[] = [];
      while (inFlight) {
        probes.push(probe());
        await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
      }
      const created = await create;
      if (!created.text.includes('"result":true')) throw new Error(`bench: the create failed: ${created.text}`);
      const cpuAfter = await readCpuMs(child.pid);
      if (round > 0 && cpuBefore !== undefined && cpuAfter !== undefined) {
        cpuMs.push(cpuAfter - cpuBefore);
        wallMs.push(created.ms);
      }
      for (const p of await Promise.all(probes)) if (round > 0) slowest = Math.max(slowest, p.ms);
    }
    agent.destroy();
    const peak = await readMemoryKb(child.pid, "VmHWM");
    const figures: BenchFigure[] = [
      {
        name: `provider: get_proc_template during a create of ${MAX_CREATE_INSTANCES * TEMPLATES} processes (slowest)`,
        unit: "ms",
        value: slowest,
        baseline: median(idle),
        baselineName: "the same request, server idle",
        goal: {},
        valueGoal: { max: 200 },
      },
    ];
    if (cpuMs.length > 0) {
      figures.push({
        name: `provider: serve's CPU time for one create of ${MAX_CREATE_INSTANCES * TEMPLATES} processes (median)`,
        unit: "ms",
        value: median(cpuMs),
        baseline: median(wallMs),
        baselineName: "its wall time as the client saw it",
        goal: {},
        valueGoal: { max: 200 },
      });
    }
    if (peak !== undefined && rssLoaded !== undefined) {
      figures.push({
        name: `provider: peak memory of serve through ${ROUNDS + 1} such creates`,
        unit: "MB",
        value: peak / 1024,
        baseline: rssLoaded / 1024,
        baselineName: "serve with the world loaded",
        goal: {},
        valueGoal: { max: 512 },
      });
    }
    return figures;
  } finally {
    child.kill("SIGTERM");
    await rm(file, { force: true });
  }
}

// A business, 100 hosts in one templated module, and a service template with the most process templates allowed.
function largestWorld(): World {
  const example = loadProviderSpec().document.components.examples?.GetProcTemplateSuccess?.value as {
    data: { property: TemplateProperty };
  };
  const hostIds = Array.from({ length: MAX_CREATE_INSTANCES }, (_, i) => 1000 + i);
  return {
    apps: [{ bk_app_code: AUTH.bk_app_code, bk_app_secret: AUTH.bk_app_secret, skip_user_auth: true }],
    businesses: [{ bk_biz_id: 2, bk_biz_name: "bench" }],
    hosts: hostIds.map((id) => ({ bk_host_id: id, bk_host_innerip: `10.0.${Math.floor(id / 250)}.${id % 250}` })),
    service_templates: [
      {
        id: 5,
        bk_biz_id: 2,
        name: "largest",
        process_templates: Array.from({ length: TEMPLATES }, (_, i) => ({
          id: i + 1,
          property: {
            ...example.data.property,
            bk_process_name: { value: `proc-${i + 1}`, as_default_value: true },
          },
        })),
      },
    ],
    modules: [{ bk_module_id: 61, bk_biz_id: 2, service_template_id: 5, host_ids: hostIds }],
  };
}

// One instance per host, each overriding an unlocked field and the bind row of every process template.
function largestCreate(): unknown {
  return {
    ...AUTH,
    bk_biz_id: 2,
    bk_module_id: 61,
    instances: Array.from({ length: MAX_CREATE_INSTANCES }, (_, i) => ({
      bk_host_id: 1000 + i,
      processes: Array.from({ length: TEMPLATES }, (_, t) => ({
        process_template_id: t + 1,
        process_info: { work_path: `/data/${t}`, bind_info: [{ template_row_id: 1, enable: true }] },
      })),
    })),
  };
}

function post(agent: Agent, url: string, body: unknown): Promise<{ status: number; text: string; ms: number }> {
  const payload = JSON.stringify(body);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: "POST",
      agent,
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
    });
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text, ms: performance.now() - started }));
    });
    req.on("error", reject);
    req.end(payload);
  });
}

function listeningUrl(stdout: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    stdout.setEncoding("utf8");
    stdout.on("data", (chunk: string) => {
      text += chunk;
      const url = /listening on (\S+)/.exec(text)?.[1];
      if (url) resolve(url);
    });
    stdout.on("end", () => reject(new Error(`bench: serve did not start: ${text}`)));
  });
}

// Linux's account of a process's memory; undefined where /proc is not there.
async function readMemoryKb(pid: number | undefined, field: "VmRSS" | "VmHWM"): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1];
  return kb === undefined ? undefined : Number(kb);
}

// User plus system time of a process from /proc (in clock ticks of 10 ms); undefined where /proc is not there.
async function readCpuMs(pid: number | undefined): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  // Fields after the command name (which may hold spaces): state is field 3, utime 14 and stime 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks * 10 : undefined;
}

/** The middle of some measurements (the mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return ((sorted[Math.floor(middle - 0.5)] ?? 0) + (sorted[Math.ceil(middle - 0.5)] ?? 0)) / 2;
}
