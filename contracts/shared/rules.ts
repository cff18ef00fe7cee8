/** The three rules every check and failure is grouped under (DESIGN.md, "Checks"). */
export type RuleGroup = "envelope" | "business-rules" | "template-lock";

/** The rules in the order reports print them, with their headings. */
export const RULE_GROUPS: readonly { rule: RuleGroup; title: string }[] = [
  { rule: "envelope", title: "Envelope" },
  { rule: "business-rules", title: "Business rules" },
  { rule: "template-lock", title: "Template lock" },
];
