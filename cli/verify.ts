import type { CliIo } from "./io.ts";

/** Placeholder until the verify command lands: says what `npm start` will do and succeeds. */
export async function runVerify(_args: string[], io: CliIo): Promise<number> {
  io.stdout(
    [
      "cmdb-contract verify is not built yet. When it lands, `npm start` will:",
      "  1. start the embedded reference CMDB on a free loopback port,",
      "  2. run the Pact verifier over contracts/pacts/ against it,",
      "  3. run the fixture checks and the property-based template-lock check,",
      "  4. check the envelope rules on every response, and print a summary grouped by rule.",
      "",
    ].join("\n"),
  );
  return 0;
}
