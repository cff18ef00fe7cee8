#!/usr/bin/env node
// The `cmdb-contract` command. Published compiled (`dist/cli/bin.js`, plain Node); from a clone `npm start` and the
// npm scripts run this source under tsx.
import module from "node:module";

process.env.PACT_DO_NOT_TRACK = "true";
// Node ≥ 22.1 keeps the compiled code of the modules it loads on disk (in the OS temp folder), so later runs skip
// compiling TypeScript's and ts-morph's large files; tsc does the same. Node 20 has no such cache.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
// A reader that closes the pipe early (`cmdb-contract verify | head`) ends the command quietly, not with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    // 141 = 128 + SIGPIPE, what a shell reports for a writer killed by a closed pipe; an earlier failure code wins.
    if (error.code === "EPIPE") process.exit(process.exitCode || 141);
    throw error;
  });
}
const [command, ...rest] = process.argv.slice(2);
if (command === "generate" && !rest.includes("--help") && !rest.includes("-h")) {
  // `generate`'s critical path is its worker thread (loading TypeScript and openapi-typescript, rendering the types,
  // validating the spec): it starts now, before the CLI's own modules load; generator/workers.ts adopts it.
  const { Worker } = await import("node:worker_threads");
  const worker = new Worker(new URL("../generator/spec-worker.cjs", import.meta.url));
  worker.on("error", () => {}); // generator/workers.ts replaces a worker that failed to start, and reports why
  worker.unref();
  (globalThis as Record<symbol, unknown>)[Symbol.for("cmdb-contract.specWorker")] = worker;
}
if (command === "diff" && !rest.includes("--help") && !rest.includes("-h")) {
  // `diff` reads, parses and validates two specs: its worker thread starts on them now, on the other core, while the CLI's
  // own modules load. The sources are a guess from the arguments; cli/diff-sources.ts adopts the worker when it guessed right.
  const { parseArgs } = await import("node:util");
  const { Worker } = await import("node:worker_threads");
  const { positionals } = parseArgs({
    args: rest,
    strict: false,
    allowPositionals: true,
    options: { format: { type: "string" }, "fail-on": { type: "string" } },
  });
  const sources = positionals.slice(0, 2);
  const messages: unknown[] = []; // what the workers answer before the command listens, kept for it
  // One worker per spec: parsing and validating a spec is most of the command's time, and there are two cores.
  const workers = sources.map((source, first) => {
    const worker = new Worker(new URL("./diff-worker.cjs", import.meta.url));
    worker.on("error", () => {}); // cli/diff-sources.ts replaces a worker that failed to start, and reports why
    worker.on("message", (message) => messages.push(message));
    worker.unref(); // until the command adopts it (after the listener, which refs it): bad arguments do not wait
    worker.postMessage({ sources: [source], first });
    return worker;
  });
  (globalThis as Record<symbol, unknown>)[Symbol.for("cmdb-contract.diffWorker")] = { workers, sources, messages };
}
const { runCli } = await import("./main.ts");
process.exitCode = await runCli(process.argv.slice(2));
