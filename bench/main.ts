/**
 * `npm run bench`: every figure is a ratio against a baseline measured in the same run, because the machines
 * here are shared and noisy. Each area of the project contributes its own figures from `bench/<area>.ts`.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** One benchmark figure: the measured value, its same-run baseline, and the goal for their ratio. */
export interface BenchFigure {
  name: string;
  unit: string;
  value: number;
  baseline: number;
  baselineName: string;
  /** The ratio value/baseline must be at most (`max`) or at least (`min`) this. */
  goal: { max?: number; min?: number };
}

const AREAS = ["generate", "provider", "verify"];

async function main(): Promise<void> {
  process.env.PACT_DO_NOT_TRACK = "true";
  const figures: BenchFigure[] = [];
  for (const area of AREAS) {
    const file = fileURLToPath(new URL(`./${area}.ts`, import.meta.url));
    if (!existsSync(file)) continue;
    process.stderr.write(`bench: ${area}…\n`);
    const mod = (await import(file)) as { runBench: () => Promise<BenchFigure[]> };
    figures.push(...(await mod.runBench()));
  }
  for (const f of figures) {
    const ratio = f.value / f.baseline;
    const goal =
      f.goal.max !== undefined ? `goal ≤ ${f.goal.max}×` : f.goal.min !== undefined ? `goal ≥ ${f.goal.min}×` : "";
    const met = (f.goal.max === undefined || ratio <= f.goal.max) && (f.goal.min === undefined || ratio >= f.goal.min);
    process.stdout.write(
      `${f.name}: ${fmt(f.value)} ${f.unit} vs ${f.baselineName} ${fmt(f.baseline)} ${f.unit} = ${ratio.toFixed(2)}× (${goal}, ${met ? "met" : "NOT met"})\n`,
    );
  }
}

function fmt(n: number): string {
  return n >= 100 ? n.toFixed(0) : n.toFixed(2);
}

await main();
