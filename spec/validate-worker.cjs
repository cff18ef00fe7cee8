// The worker thread of `validateSchemaInWorker` (shared-spec.ts): swagger-parser's validation of one spec document
// on the other core, while the main thread goes on. It answers one message and ends. Plain CommonJS, so it starts
// without a TypeScript loader whichever way the code that starts it runs (tsx, compiled, transpiled).
require("node:module").enableCompileCache?.();
const { parentPort } = require("node:worker_threads");

parentPort.once("message", async (document) => {
  try {
    await require("@apidevtools/swagger-parser").validate(document);
    parentPort.postMessage({ ok: true });
  } catch (error) {
    parentPort.postMessage({
      ok: false,
      message: error instanceof Error ? error.message : String(error),
      details: Array.isArray(error?.details) ? JSON.parse(JSON.stringify(error.details)) : undefined,
    });
  }
});
