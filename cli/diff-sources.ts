import { Worker } from "node:worker_threads";
import { type LoadedSpec, parseSpecText, SpecError, validateSpec } from "../spec/load-spec.ts";

/** Where `cli/bin.js` leaves the worker it starts for `diff` before tsx loads, with the sources it was sent. */
export const EARLY_DIFF_WORKER = Symbol.for("cmdb-contract.diffWorker");

/** What cli/diff-worker.cjs answers: each spec parsed (or unreadable), then each parsed spec validated. */
type WorkerAnswer =
  | { index: number; stage: "parsed"; unreadable: string }
  | { index: number; stage: "parsed"; text: string; document?: Record<string, unknown> }
  | { index: number; stage: "validated"; valid: true }
  | { index: number; stage: "validated"; valid: false; message: string; details?: unknown };

/** Two specs loading: parsed first (enough to compare them), validated later. Each settles to a spec or an error. */
export interface LoadingPair {
  parsed: Promise<PromiseSettledResult<LoadedSpec>[]>;
  validated: Promise<PromiseSettledResult<LoadedSpec>[]>;
}

/**
 * Loads OLD and NEW, each a file or `git:REF:PATH`, in a worker thread (cli/diff-worker.cjs) that `cli/bin.js`
 * starts before tsx loads: reading, parsing and validating are most of the command's time, and the comparison can
 * run while the worker validates. Errors are {@link SpecError}s naming the source.
 */
export function loadSpecPair(oldSource: string, newSource: string): LoadingPair {
  const sources = [oldSource, newSource];
  const { workers, messages } = adopt(sources);
  const parsed = sources.map(() => deferred<LoadedSpec>());
  const validated = sources.map(() => deferred<LoadedSpec>());
  const specs: (LoadedSpec | undefined)[] = [];
  const ownChecks: (Promise<void> | undefined)[] = [];
  const handle = (answer: WorkerAnswer) => {
    const source = sources[answer.index] ?? "";
    if (answer.stage === "parsed") {
      try {
        if ("unreadable" in answer) {
          throw new SpecError(source, [{ code: "unreadable", pointer: "", message: answer.unreadable }]);
        }
        // Not YAML, or not a mapping: the spec loader's parser says where, with lines and columns.
        const document = (answer.document ?? parseSpecText(source, answer.text)) as LoadedSpec["document"];
        const spec = { file: source, text: answer.text, document };
        specs[answer.index] = spec;
        // The loader's own checks (dangling $refs, the schema dialect, the x-cmdb data) run here while the worker
        // validates against the OpenAPI schema.
        ownChecks[answer.index] = validateSpec(spec, { validateSchema: async () => {} });
        ownChecks[answer.index]?.catch(() => {});
        parsed[answer.index]?.resolve(spec);
      } catch (error) {
        parsed[answer.index]?.reject(error as Error);
        validated[answer.index]?.reject(error as Error);
      }
      return;
    }
    const spec = specs[answer.index] as LoadedSpec;
    const verdict = async () => {
      if (!answer.valid) throw Object.assign(new Error(answer.message), { details: answer.details });
    };
    // An invalid spec is checked again with the worker's verdict, so one error lists every problem with its line.
    const checked = answer.valid ? ownChecks[answer.index] : validateSpec(spec, { validateSchema: verdict });
    (checked ?? validateSpec(spec, { validateSchema: verdict })).then(
      () => validated[answer.index]?.resolve(spec),
      (error: Error) => validated[answer.index]?.reject(error),
    );
  };
  for (const worker of workers) worker.removeAllListeners("message");
  for (const answer of messages) handle(answer);
  const stopped = (error: Error) => {
    for (const step of [...parsed, ...validated]) step.reject(error);
  };
  for (const worker of workers) {
    worker.on("message", handle);
    worker.on("error", stopped);
    worker.on("exit", (code) => stopped(new Error(`the diff worker stopped (exit code ${code})`)));
  }
  const all = Promise.allSettled(validated.map((v) => v.promise));
  return {
    parsed: Promise.allSettled(parsed.map((p) => p.promise)),
    validated: all.finally(() => Promise.all(workers.map((w) => w.terminate()))),
  };
}

/**
 * The early worker, with what it already answered, when it is alive and was sent these sources (cli/bin.js guesses
 * them from the arguments), else a new one.
 */
function adopt(sources: string[]): { workers: Worker[]; messages: WorkerAnswer[] } {
  const early = (globalThis as Record<symbol, unknown>)[EARLY_DIFF_WORKER] as
    | { workers: Worker[]; sources: string[]; messages: WorkerAnswer[] }
    | undefined;
  delete (globalThis as Record<symbol, unknown>)[EARLY_DIFF_WORKER];
  const alive = early?.workers.every((w) => w.threadId !== -1) ?? false;
  if (early && alive && early.sources.join("\n") === sources.join("\n")) {
    for (const worker of early.workers) worker.ref(); // the command now waits for their answers
    return early;
  }
  for (const worker of early?.workers ?? []) void worker.terminate();
  // One worker per spec, as cli/bin.ts starts them.
  const workers = sources.map((source, first) => {
    const worker = new Worker(new URL("./diff-worker.cjs", import.meta.url));
    worker.postMessage({ sources: [source], first });
    return worker;
  });
  return { workers, messages: [] };
}

/** A promise with its settle functions; settling twice is a no-op, as for any promise. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: Error) => void } {
  let resolve: (value: T) => void = () => {};
  let reject: (error: Error) => void = () => {};
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // a rejection is read through allSettled; an unread one is no crash
  return { promise, resolve, reject };
}
