/** The AI's pending stage suggestion on a card, as the board shows and decides it. Pure. */
import { ApiError } from "@/lib/api/problem";
import type { Board, Lead, Stage } from "./board";

export type Suggestion = NonNullable<Lead["suggestion"]>;

export interface SuggestionView {
  suggestion: Suggestion;
  /** the target stage's name ("" when the board no longer shows that stage) */
  stageName: string;
  /** 0.9 → 90 (whole percent, rounded down: 0.899 is not shown as 90) */
  percent: number;
  meeting: boolean;
  closing: boolean;
}

export function suggestionView(lead: Pick<Lead, "suggestion" | "stage_id">, stages: readonly Stage[]): SuggestionView | null {
  const suggestion = lead.suggestion;
  if (!suggestion || suggestion.to_stage_id === lead.stage_id) return null;
  const stage = stages.find((s) => s.id === suggestion.to_stage_id);
  if (!stage) return null; // archived since: nothing to accept
  return {
    suggestion,
    stageName: stage.name,
    percent: Math.floor(Math.round(suggestion.confidence * 1000) / 10),
    meeting: stage.semantic_type === "meeting_scheduled",
    closing: stage.semantic_type === "won" || stage.semantic_type === "lost",
  };
}

/** Accepting into a meeting stage with no time agreed (and no appointment ahead): the user is asked for one. */
export function needsAppointment(error: unknown): boolean {
  return error instanceof ApiError && error.status === 422 && (error.problem.errors ?? []).some((e) => e.code === "appointment_required");
}

/** The suggestion was decided elsewhere, went stale, or the move clashed (a full stage…): the board is read again. */
export function boardIsStale(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 409 || error.status === 404);
}

/** The board without the card's suggestion (rejected, or decided elsewhere). */
export function withoutSuggestion(board: Board, leadId: string): Board {
  return {
    ...board,
    columns: board.columns.map((column) =>
      column.leads.some((l) => l.id === leadId) ? { ...column, leads: column.leads.map((l) => (l.id === leadId ? { ...l, suggestion: null } : l)) } : column,
    ),
  };
}

/** Whether a live lead frame may change a card's suggestion (a new proposal, or one decided) though the lead's
 * version did not move. */
export function touchesSuggestion(frame: { type: string; data: Record<string, unknown> }): boolean {
  if (frame.type === "ai.stage_proposed") return true;
  return frame.type === "lead.updated" && Array.isArray(frame.data.changed) && frame.data.changed.includes("suggestion");
}
