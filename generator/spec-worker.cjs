// The worker thread of `startSpecWorker` (workers.ts) for the CPU-heavy steps of `generate` that need no TypeScript
// source: openapi-typescript's render of the types and swagger-parser's validation. It loads openapi-typescript (and
// TypeScript) as soon as it starts, while the main thread is still starting up and reading the spec, then runs the
// tasks it is sent one after another. Plain CommonJS, so it starts without tsx.
// Node ≥ 22.1: reuse the on-disk compile cache (see cli/bin.ts); a worker thread has to ask for it itself.
require("node:module").enableCompileCache?.();
const { parentPort } = require("node:worker_threads");
const { default: openapiTS, astToString } = require("openapi-typescript");

const tasks = {
  /** The body of types.gen.ts: `openapiTS` + `astToString`. */
  async types(document) {
    return astToString(await openapiTS(document, { silent: true }));
  },
  /** swagger-parser's validation; its error's `message` and `details` go back as data. */
  async validate(document) {
    await require("@apidevtools/swagger-parser").validate(document);
  },
};

let queue = Promise.resolve();
parentPort.on("message", ({ id, task, document }) => {
  queue = queue
    .then(() => tasks[task](document))
    .then(
      (value) => parentPort.postMessage({ id, ok: true, value }),
      (error) =>
        parentPort.postMessage({
          id,
          ok: false,
          message: error instanceof Error ? error.message : String(error),
          details: Array.isArray(error?.details) ? JSON.parse(JSON.stringify(error.details)) : undefined,
        }),
    );
});
