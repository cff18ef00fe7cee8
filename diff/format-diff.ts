import { CHANGE_CLASSES, type ChangeClass, type SpecChange } from "./changes.ts";
import type { SpecDiff } from "./diff-specs.ts";

/** Which changes fail the command: `breaking` means breaking for either side. */
export type FailOn = "breaking" | "breaking-for-consumers" | "breaking-for-providers" | "any" | "none";

/** The values `--fail-on` takes, in the order help lists them. */
export const FAIL_ON: readonly FailOn[] = [
  "breaking",
  "breaking-for-consumers",
  "breaking-for-providers",
  "any",
  "none",
];

/** What a report is about: the two specs as the user named them, and the `--fail-on` threshold. */
export interface ReportContext {
  old: string;
  new: string;
  failOn: FailOn;
}

const TITLES: Record<ChangeClass, string> = {
  "breaking-for-consumers": "Breaking for consumers",
  "breaking-for-providers": "Breaking for providers",
  compatible: "Compatible",
};

const WHO: Record<ChangeClass, string> = {
  "breaking-for-consumers": "callers (generated clients, code that calls the API) must change",
  "breaking-for-providers": "implementations (the CMDB, the reference CMDB, mocks) must change",
  compatible: "nobody has to change",
};

/** Whether a change is of the class `--fail-on` names. */
export function failsOn(change: SpecChange, failOn: FailOn): boolean {
  switch (failOn) {
    case "none":
      return false;
    case "any":
      return true;
    case "breaking":
      return change.class !== "compatible";
    default:
      return change.class === failOn;
  }
}

/** Whether a diff fails the command under `--fail-on`. */
export function isFailure(diff: SpecDiff, failOn: FailOn): boolean {
  return diff.changes.some((c) => failsOn(c, failOn));
}

/** The summary line: "2 breaking for consumers, 1 breaking for providers, 3 compatible" or "no changes". */
export function summarize(diff: SpecDiff): string {
  if (diff.changes.length === 0) return "no changes";
  return CHANGE_CLASSES.map((c) => `${diff.counts[c]} ${TITLES[c].toLowerCase()}`).join(", ");
}

/** The report for a terminal: a summary, then each class with its changes (pointer, operations, sentence). */
export function formatText(diff: SpecDiff, ctx: ReportContext): string {
  const lines = [`cmdb-contract diff: ${ctx.old} → ${ctx.new}`, `${summarize(diff)}${verdict(diff, ctx)}`];
  for (const cls of CHANGE_CLASSES) {
    const changes = diff.changes.filter((c) => c.class === cls);
    if (changes.length === 0) continue;
    lines.push("", `${TITLES[cls]} (${changes.length}): ${WHO[cls]}`);
    for (const c of changes) {
      lines.push(`  ${where(c)}${c.operations.length > 0 ? `  [${c.operations.join(", ")}]` : ""}`, `    ${c.message}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** The report for a pull request: a heading with the summary, one table per class, compatible changes folded. */
export function formatMarkdown(diff: SpecDiff, ctx: ReportContext): string {
  const lines = [
    `## Spec changes: ${summarize(diff)}`,
    "",
    `\`${cell(ctx.old)}\` → \`${cell(ctx.new)}\`${verdict(diff, ctx)}`,
  ];
  for (const cls of CHANGE_CLASSES) {
    const changes = diff.changes.filter((c) => c.class === cls);
    if (changes.length === 0) continue;
    const table = [
      "| Where | Operations | Why |",
      "| --- | --- | --- |",
      ...changes.map(
        (c) => `| \`${cell(where(c))}\` | ${c.operations.map((o) => `\`${o}\``).join(", ")} | ${cell(c.message)} |`,
      ),
    ];
    if (cls === "compatible") {
      lines.push(
        "",
        `<details><summary>${TITLES[cls]} (${changes.length}): ${WHO[cls]}</summary>`,
        "",
        ...table,
        "",
        "</details>",
      );
    } else {
      lines.push("", `### ${TITLES[cls]} (${changes.length})`, "", `${capitalize(WHO[cls])}.`, "", ...table);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** The report for a bot: stable keys, the counts, whether `--fail-on` failed, and every change. */
export function formatJson(diff: SpecDiff, ctx: ReportContext): string {
  const report = {
    old: ctx.old,
    new: ctx.new,
    failOn: ctx.failOn,
    failed: isFailure(diff, ctx.failOn),
    counts: diff.counts,
    changes: diff.changes.map((c) => ({
      pointer: c.pointer,
      side: c.side,
      class: c.class,
      kind: c.kind,
      operations: c.operations,
      message: c.message,
    })),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}

function verdict(diff: SpecDiff, ctx: ReportContext): string {
  if (ctx.failOn === "none") return "";
  return isFailure(diff, ctx.failOn) ? ` (fails --fail-on ${ctx.failOn})` : ` (passes --fail-on ${ctx.failOn})`;
}

/** `#/pointer`, marked when it points into OLD because the thing is gone from NEW. */
function where(change: SpecChange): string {
  return `#${change.pointer}${change.side === "old" ? " (in OLD)" : ""}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
