import { defineConfig } from "vitest/config";

// The toolkit sends nothing anywhere: Pact's telemetry is off for every test process.
process.env.PACT_DO_NOT_TRACK = "true";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "contracts/consumer/**/*.pact.test.ts"],
    env: { PACT_DO_NOT_TRACK: "true" },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Pact consumer tests share one pact file per provider; running their files one by one keeps writes ordered.
    fileParallelism: true,
  },
});
