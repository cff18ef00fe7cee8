import { escapePointer, type OpenApiDocument } from "../../spec/load-spec.ts";
import { packagePath } from "../../spec/package-path.ts";
import type { SchemaProblem, SchemaValidator } from "../../spec/schema-validator.ts";
import type { RuleGroup } from "./rules.ts";

// The pact format both sides agree on: the consumer tests write it, the verification engine reads it.

/** The folder of the committed pact files. */
export const PACTS_DIR = packagePath("contracts/pacts/");

/** The comment key that names the rule an interaction belongs to. */
export const RULE_COMMENT = "cmdb-rule";

/**
 * The comment key by which an interaction declares the one request-schema rule it breaks on purpose, as
 * `<JSON pointer into the body> <schema keyword>` (e.g. `/instances maxItems`): the spec check then requires exactly
 * that violation and no other. Response bodies never break the spec.
 */
export const BREAKS_COMMENT = "breaks-request-schema";

/** One interaction of a V4 pact file, as far as the checks read it. */
export interface PactInteraction {
  description: string;
  providerStates?: { name: string; params?: Record<string, unknown> }[];
  comments?: Record<string, unknown>;
  request: { method: string; path: string; headers?: Record<string, string | string[]>; body?: { content?: unknown } };
  response: { status: number; body?: { content?: unknown } };
}

/** One way an interaction breaks the spec: where (a JSON pointer into the body), the schema rule, the problem. */
export interface PactSpecProblem {
  rule: RuleGroup;
  scenario: string;
  pointer: string;
  expected: string;
  actual: string;
}

/** The rule an interaction declares in its comments (business rules when it declares none). */
export function ruleOf(interaction: PactInteraction): RuleGroup {
  const rule = interaction.comments?.[RULE_COMMENT];
  return rule === "envelope" || rule === "template-lock" ? rule : "business-rules";
}

/** The spec problems of one interaction, each with the JSON pointer into the body and into the spec. */
export function checkInteractionAgainstSpec(
  interaction: PactInteraction,
  document: OpenApiDocument,
  validator: SchemaValidator,
): PactSpecProblem[] {
  const rule = ruleOf(interaction);
  const scenario = `pact interaction "${interaction.description}"`;
  const specPath = findSpecPath(document, interaction.request.path);
  const operationPointer = `#/paths/${escapePointer(specPath)}/${interaction.request.method.toLowerCase()}`;
  const operation = document.paths[specPath]?.[interaction.request.method.toLowerCase()];
  if (operation === undefined) {
    return [
      {
        rule,
        scenario,
        pointer: "request",
        expected: "an operation of the spec",
        actual: `${interaction.request.method} ${interaction.request.path} is not in spec paths`,
      },
    ];
  }
  const failures: PactSpecProblem[] = [];
  const requestProblems = validator.validate(
    `${operationPointer}/requestBody/content/application~1json/schema`,
    interaction.request.body?.content,
  );
  const declared = interaction.comments?.[BREAKS_COMMENT];
  const [declaredPointer, declaredKeyword] = typeof declared === "string" ? declared.split(" ") : [];
  const isDeclared = (p: SchemaProblem): boolean =>
    declaredPointer !== undefined && p.pointer === declaredPointer && p.schemaPointer.endsWith(`/${declaredKeyword}`);
  for (const p of requestProblems.filter((p) => !isDeclared(p))) {
    failures.push({
      rule,
      scenario,
      pointer: `request body ${p.pointer || "/"}`,
      expected: p.schemaPointer,
      actual: p.message,
    });
  }
  if (declared !== undefined && !requestProblems.some(isDeclared)) {
    failures.push({
      rule,
      scenario,
      pointer: `request body ${declaredPointer ?? ""}`,
      expected: `the declared violation "${String(declared)}"`,
      actual: "the request body does not break it (remove the declaration or fix the body)",
    });
  }
  const status = String(interaction.response.status);
  const responses = (operation as { responses?: Record<string, unknown> }).responses ?? {};
  if (!(status in responses)) {
    failures.push({
      rule,
      scenario,
      pointer: "response status",
      expected: `a status the spec lists for ${interaction.request.path} (${Object.keys(responses).join(", ")})`,
      actual: `HTTP ${status}`,
    });
    return failures;
  }
  // A gateway error response is a $ref to components/responses (shared by the gateway operations).
  const ref = (responses[status] as { $ref?: string }).$ref;
  const responsePointer = ref ?? `${operationPointer}/responses/${status}`;
  for (const p of validator.validate(
    `${responsePointer}/content/application~1json/schema`,
    interaction.response.body?.content,
  )) {
    failures.push({
      rule,
      scenario,
      pointer: `response body ${p.pointer || "/"}`,
      expected: p.schemaPointer,
      actual: p.message,
    });
  }
  return failures;
}

/**
 * The spec path a request path belongs to: itself, or the templated path whose `{name}` segments it fills (the
 * gateway's `/api/v3/find/proc/proc_template/id/7` belongs to `…/id/{process_template_id}`).
 */
export function findSpecPath(document: OpenApiDocument, path: string): string {
  if (path in document.paths) return path;
  return Object.keys(document.paths).find((template) => matchesTemplate(template, path)) ?? path;
}

/** A pact file's text in canonical form: interactions sorted by description and state, keys sorted, a final newline. */
export function normalizePactText(text: string): string {
  const pact = JSON.parse(text) as { interactions?: PactInteraction[] };
  const key = (i: PactInteraction): string => `${i.description}\u0000${i.providerStates?.[0]?.name ?? ""}`;
  pact.interactions = [...(pact.interactions ?? [])].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return `${JSON.stringify(sortKeys(pact), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
  );
}

/** True when a concrete path fits an OpenAPI path template whose `{name}` segments take one non-empty segment each. */
export function matchesTemplate(template: string, path: string): boolean {
  const parts = template.split("/");
  const given = path.split("/");
  return (
    parts.length === given.length && parts.every((p, i) => p === given[i] || (/^\{\w+\}$/.test(p) && given[i] !== ""))
  );
}
