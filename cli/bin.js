#!/usr/bin/env node
// The `cmdb-contract` command: loads the TypeScript sources through tsx, so no build step stands between a clone and a run.
process.env.PACT_DO_NOT_TRACK = "true";
// A reader that closes the pipe early (`cmdb-contract verify | head`) ends the command quietly, not with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    // 141 = 128 + SIGPIPE, what a shell reports for a writer killed by a closed pipe; an earlier failure code wins.
    if (error.code === "EPIPE") process.exit(process.exitCode || 141);
    throw error;
  });
}
const [command, ...rest] = process.argv.slice(2);
if (command === "generate" && !rest.includes("--help") && !rest.includes("-h")) {
  // `generate` spends most of its time in openapi-typescript and swagger-parser: their worker thread starts loading
  // them now, on the other core, while tsx loads; generator/workers.ts adopts it.
  const { Worker } = await import("node:worker_threads");
  const worker = new Worker(new URL("../generator/spec-worker.cjs", import.meta.url));
  worker.unref();
  worker.on("error", () => {}); // generator/workers.ts replaces a worker that failed to start, and reports why
  globalThis[Symbol.for("cmdb-contract.specWorker")] = worker;
}
if (command === "diff" && !rest.includes("--help") && !rest.includes("-h")) {
  // `diff` reads, parses and validates two specs: its worker thread starts on them now, on the other core, while tsx
  // loads. The sources are a guess from the arguments; cli/diff-sources.ts adopts the worker when it guessed right.
  const { parseArgs } = await import("node:util");
  const { Worker } = await import("node:worker_threads");
  const { positionals } = parseArgs({
    args: rest,
    strict: false,
    allowPositionals: true,
    options: { format: { type: "string" }, "fail-on": { type: "string" } },
  });
  const worker = new Worker(new URL("./diff-worker.cjs", import.meta.url));
  worker.on("error", () => {}); // cli/diff-sources.ts replaces a worker that failed to start, and reports why
  const sources = positionals.slice(0, 2);
  const messages = []; // what the worker answers before the command listens, kept for it
  worker.on("message", (message) => messages.push(message));
  worker.unref(); // until the command adopts it (after the listener, which refs it): bad arguments do not wait for it
  worker.postMessage({ sources });
  globalThis[Symbol.for("cmdb-contract.diffWorker")] = { worker, sources, messages };
}
const { register } = await import("tsx/esm/api");
register();
const { runCli } = await import("./main.ts");
process.exitCode = await runCli(process.argv.slice(2));
