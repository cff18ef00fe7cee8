// The worker thread behind `generateFiles` (generate.ts): openapi-typescript's render and swagger-parser's validation
// run on the other core while the main thread builds the model and emits the client and docs.
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

const SPEC_WORKER = fileURLToPath(new URL("./spec-worker.cjs", import.meta.url));

/** Where `cli/bin.ts` leaves the worker it starts for `generate` before the CLI's own modules load, for {@link startSpecWorker}. */
export const EARLY_SPEC_WORKER = Symbol.for("cmdb-contract.specWorker");

/** The two steps of `generate` a {@link startSpecWorker} worker thread runs, one after another. */
export interface SpecWorker {
  /** Renders the body of `types.gen.ts` with openapi-typescript, for `emitTypes`' `render` option. */
  renderTypes(document: object): Promise<string>;
  /** Validates with swagger-parser, rejecting with its `message` and `details`, for `validateSpec`'s option. */
  validateSchema(document: Record<string, unknown>): Promise<void>;
}

type Answer = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string; details?: unknown };

let shared: SpecWorker | undefined;

/**
 * The worker thread (started on first use, or adopted from `cli/bin.ts`) that loads openapi-typescript at once, so
 * loading TypeScript, rendering the types and validating the spec run on the other core while this thread reads the
 * spec and emits the client and docs. One per process: later runs (tests call `generate` many times) reuse it. It
 * keeps the process alive only while a step is pending.
 */
export function startSpecWorker(): SpecWorker {
  shared ??= createSpecWorker();
  return shared;
}

function createSpecWorker(): SpecWorker {
  const early = (globalThis as Record<symbol, unknown>)[EARLY_SPEC_WORKER];
  delete (globalThis as Record<symbol, unknown>)[EARLY_SPEC_WORKER];
  // One that already stopped (it failed to load) is replaced, so this one reports the failure.
  const worker = early instanceof Worker && early.threadId !== -1 ? early : new Worker(SPEC_WORKER);
  let failure: Error | undefined;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const failAll = (error: Error) => {
    shared = undefined;
    failure ??= error;
    for (const step of pending.values()) step.reject(error);
    pending.clear();
  };
  worker.on("message", (answer: Answer) => {
    const step = pending.get(answer.id);
    pending.delete(answer.id);
    if (pending.size === 0) worker.unref();
    if (answer.ok) step?.resolve(answer.value);
    else step?.reject(Object.assign(new Error(answer.message), { details: answer.details }));
  });
  worker.on("error", failAll);
  worker.on("exit", (code) => failAll(new Error(`the spec worker stopped (exit code ${code})`)));
  // Only now: adding a "message" listener refs the worker again, and a worker kept referenced with no step pending
  // would keep the process alive after a failed run (a missing spec, say).
  worker.unref();
  let nextId = 0;
  const run = (task: "types" | "validate", document: object) =>
    new Promise<unknown>((resolve, reject) => {
      if (failure) throw failure;
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, task, document });
    });
  return {
    renderTypes: async (document) => String(await run("types", document)),
    validateSchema: async (document) => {
      await run("validate", document);
    },
  };
}
