/** The mapping step: every CSV column → one target (`phone`, `name`, `email`, `language`, `notes`, `tags`,
 * `custom.<key>`, `ignore`). */

export const BASE_TARGETS = ["phone", "name", "email", "language", "notes", "tags"] as const;
export const IGNORE = "ignore";

/** The targets offered: the built-in ones, each custom field, and "ignore". */
export function targetsFor(customKeys: readonly string[]): string[] {
  return [...BASE_TARGETS, ...customKeys.map((k) => `custom.${k}`), IGNORE];
}

/** The suggested mapping completed: a column the API did not recognise (or whose target is unknown) is ignored. */
export function initialMapping(headers: readonly string[], suggested: Record<string, string>, targets: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const header of headers) {
    const target = suggested[header];
    out[header] = target && targets.includes(target) ? target : IGNORE;
  }
  return out;
}

export type MappingProblem = "noPhone" | "duplicate";

/** What stops the import from starting: no phone column, or one target (other than tags/ignore) used twice. */
export function mappingProblems(mapping: Record<string, string>): { problem: MappingProblem; target?: string }[] {
  const used = Object.values(mapping);
  const problems: { problem: MappingProblem; target?: string }[] = [];
  if (!used.includes("phone")) problems.push({ problem: "noPhone" });
  const seen = new Set<string>();
  for (const target of used) {
    if (target === IGNORE || target === "tags") continue;
    if (seen.has(target) && !problems.some((p) => p.target === target)) problems.push({ problem: "duplicate", target });
    seen.add(target);
  }
  return problems;
}
