/**
 * `npm run bench`: every figure is a ratio against a baseline measured in the same run, because the machines
 * here are shared and noisy. Each area of the project contributes its own figures from `bench/<area>.ts`;
 * `npm run bench -- provider verify` runs only the areas named.
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
  /** An absolute goal: the value itself, in `unit`, must be at most (`max`) or at least (`min`) this. */
  valueGoal?: { max?: number; min?: number };
}

const AREAS = ["generate", "package", "provider", "request-json", "verify", "fuzz", "diff"];

async function main(): Promise<void> {
  process.env.PACT_DO_NOT_TRACK = "true";
  const figures: BenchFigure[] = [];
  const named = process.argv.slice(2);
  const unknown = named.filter((area) => !AREAS.includes(area));
  if (unknown.length > 0) {
    process.stderr.write(`bench: no area ${unknown.join(", ")}; the areas are ${AREAS.join(", ")}\n`);
    process.exit(2);
  }
  for (const area of named.length > 0 ? AREAS.filter((a) => named.includes(a)) : AREAS) {
    const file = fileURLToPath(new URL(`./${area}.ts`, import.meta.url));
    if (!existsSync(file)) continue;
    process.stderr.write(`bench: ${area}…\n`);
    const mod = (await import(file)) as { runBench: () => Promise<BenchFigure[]> };
    figures.push(...(await mod.runBench()));
  }
  for (const f of figures) {
    const ratio = f.value / f.baseline;
    const goals = [
      ...describeGoal(f.goal, ratio, (n) => `${n}×`),
      ...describeGoal(f.valueGoal ?? {}, f.value, (n) => `${fmt(n)} ${f.unit}`),
    ];
    const verdict =
      goals.length === 0
        ? "no goal"
        : `${goals.map((g) => g.text).join(", ")}, ${goals.every((g) => g.met) ? "met" : "NOT met"}`;
    process.stdout.write(
      `${f.name}: ${fmt(f.value)} ${f.unit} vs ${f.baselineName} ${fmt(f.baseline)} ${f.unit} = ${ratio.toFixed(2)}× (${verdict})\n`,
    );
  }
}

/** The bounds of one goal, each as its text ("goal ≤ 1.3×") and whether `actual` meets it. */
function describeGoal(
  goal: { max?: number; min?: number },
  actual: number,
  show: (n: number) => string,
): { text: string; met: boolean }[] {
  return [
    ...(goal.max === undefined ? [] : [{ text: `goal ≤ ${show(goal.max)}`, met: actual <= goal.max }]),
    ...(goal.min === undefined ? [] : [{ text: `goal ≥ ${show(goal.min)}`, met: actual >= goal.min }]),
  ];
}

function fmt(n: number): string {
  return n >= 100 ? n.toFixed(0) : n.toFixed(2);
}

await main();
