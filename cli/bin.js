#!/usr/bin/env node
// The `cmdb-contract` command: loads the TypeScript sources through tsx, so no build step stands between a clone and a run.
process.env.PACT_DO_NOT_TRACK = "true";
const { register } = await import("tsx/esm/api");
register();
const { runCli } = await import("./main.ts");
process.exitCode = await runCli(process.argv.slice(2));
