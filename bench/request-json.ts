/**
 * Request decoding figures: how much CMDB's reading of a body (cmdb-semantics §1.1) costs over Node's `JSON.parse`,
 * on a 100-instance create, for the common body (one scan, then `JSON.parse`) and for a body that holds a number
 * literal such as `1.0` (the literal-preserving parser).
 */
import { parseRequestJson } from "../provider/request-json.ts";
import type { BenchFigure } from "./main.ts";

const INFO = {
  bk_process_name: "job_java",
  bk_func_name: "java",
  work_path: "/data/bkee",
  proc_num: 1,
  auto_start: true,
  bind_info: [{ ip: "127.0.0.1", port: "8008", protocol: "1", enable: true }],
};
const COMMON = JSON.stringify({
  bk_app_code: "bench",
  bk_app_secret: "bench-secret",
  bk_username: "admin",
  bk_biz_id: 2,
  bk_module_id: 60,
  instances: Array.from({ length: 100 }, (_, i) => ({
    bk_host_id: 10 + i,
    processes: [{ process_template_id: 0, process_info: INFO }],
  })),
});
const WITH_LITERAL = COMMON.replace('"proc_num":1', '"proc_num":1.0');
const ROUNDS = 400;

/** Times both paths against `JSON.parse` of the same text, interleaved so machine load falls on all alike. */
export async function runBench(): Promise<BenchFigure[]> {
  const ms = { json: 0, common: 0, literal: 0 };
  for (let round = 0; round < 4; round++) {
    ms.json += time(() => JSON.parse(COMMON));
    ms.common += time(() => parseRequestJson(COMMON));
    ms.literal += time(() => parseRequestJson(WITH_LITERAL));
  }
  const per = (total: number) => total / (4 * ROUNDS);
  const baseline = { baseline: per(ms.json), baselineName: "JSON.parse of the same body", unit: "ms" };
  return [
    { name: "request decoding: common 100-instance body", value: per(ms.common), ...baseline, goal: { max: 2 } },
    { name: "request decoding: body with a 1.0 literal", value: per(ms.literal), ...baseline, goal: { max: 8 } },
  ];
}

function time(parse: () => unknown): number {
  for (let i = 0; i < 20; i++) parse();
  const start = process.hrtime.bigint();
  for (let i = 0; i < ROUNDS; i++) parse();
  return Number(process.hrtime.bigint() - start) / 1e6;
}
