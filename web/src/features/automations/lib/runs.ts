/** The run log: which realtime frames are about a rule's runs, and how a run reads (what matched, each action). */
import type { Schema } from "@/lib/api/types";

type Run = Schema<"RunRead">;
type ActionResult = Schema<"ActionResult">;

export const RUN_EVENTS = ["automation.ran"] as const;

export interface Frame {
  type: string;
  data: Record<string, unknown>;
}

/** The rule a frame is about (null: not a run frame). */
export function frameRule(frame: Frame): string | null {
  return (RUN_EVENTS as readonly string[]).includes(frame.type) && typeof frame.data.automation_id === "string" ? frame.data.automation_id : null;
}

export type Matched = { kind: "keyword" | "regex" | "hours" | "channel"; value: string } | { kind: "any" };

/** What of the event matched the trigger, as the log says it: the keyword, the regex's match, the hours… */
export function matchedOf(run: Pick<Run, "matched">): Matched {
  const m = run.matched;
  if (typeof m.keyword === "string") return { kind: "keyword", value: m.keyword };
  if (typeof m.regex === "string") return { kind: "regex", value: m.regex };
  if (typeof m.hours === "number") return { kind: "hours", value: String(m.hours) };
  if (typeof m.channel === "string") return { kind: "channel", value: m.channel };
  return { kind: "any" };
}

/** Counts of the actions' outcomes (done, skipped, failed, not run). */
export function outcomes(run: Pick<Run, "actions">): Record<ActionResult["outcome"], number> {
  const out = { done: 0, skipped: 0, failed: 0, not_run: 0 };
  for (const a of run.actions) out[a.outcome] += 1;
  return out;
}

/** Why an action did not do its work, as a catalogue key with its fallback text: the skip's reason or the failure's
 * code (with the API's message for codes the catalogue lacks). */
export function actionNote(result: ActionResult): { key: string; fallback: string } | null {
  if (result.outcome === "skipped" && result.reason) return { key: `runs.reasons.${result.reason}`, fallback: result.reason };
  if (result.outcome === "failed" && result.error) return { key: `runs.errors.${result.error.code}`, fallback: result.error.message };
  return null;
}
