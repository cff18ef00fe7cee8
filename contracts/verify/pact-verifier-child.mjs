// Runs the Pact verifier (pact-core's native verifier, which @pact-foundation/pact itself calls) in its own
// process: its Rust core prints to the process's stdout, which the parent drops instead of letting it into the
// report. Input: one JSON argument with the verifier options; output: a line `PACT-RESULT <json>` with the
// verifier's JSON results.
import { createRequire } from "node:module";

// pact-core is a dependency of @pact-foundation/pact (the package this project depends on): resolve it from there.
const requireFromPact = createRequire(createRequire(import.meta.url).resolve("@pact-foundation/pact"));
const pact = requireFromPact("@pact-foundation/pact-core").default;

const options = JSON.parse(process.argv[2] ?? "{}");
let outcome;
try {
  outcome = { ok: true, results: await pact.verifyPacts(options) };
} catch (error) {
  outcome = { ok: false, results: error instanceof Error ? error.message : String(error) };
}
process.stdout.write(`\nPACT-RESULT ${JSON.stringify(outcome)}\n`);
