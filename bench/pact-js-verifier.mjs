// The original baseline of `npm start`'s figure (issue 14): pact-js's `Verifier` (@pact-foundation/pact, the pinned
// development dependency) alone, in a Node process of its own, over the same pact files and the same provider.
// Input: one JSON argument with the Verifier's options. Exit 0 when every interaction was verified, 1 otherwise.
import { Verifier } from "@pact-foundation/pact";

try {
  await new Verifier(JSON.parse(process.argv[2] ?? "{}")).verifyProvider();
} catch (error) {
  process.stderr.write(`pact-js verifier: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
