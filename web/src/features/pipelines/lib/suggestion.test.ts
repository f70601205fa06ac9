import { describe, expect, it } from "vitest";
import { ApiError } from "@/lib/api/problem";
import type { Board, Lead, Stage } from "./board";
import { boardIsStale, needsAppointment, suggestionView, touchesSuggestion, withoutSuggestion } from "./suggestion";

const stage = (id: string, name: string, semantic_type: Stage["semantic_type"]): Stage => ({
  id,
  name,
  semantic_type,
  color: "#000000",
  wip_limit: null,
  position: 0,
  archived_at: null,
  pipeline_id: "pl-1",
});
const STAGES = [stage("new", "New", "open"), stage("meet", "Meeting scheduled", "meeting_scheduled"), stage("won", "Won", "won")];
const suggestion = (to: string, confidence = 0.9, agreed: string | null = null) => ({ id: "s-1", to_stage_id: to, confidence, evidence: "pode ser amanhã às 15h?", agreed_time: agreed });

describe("suggestionView", () => {
  it("names the stage, the confidence in whole percents and what the stage means", () => {
    expect(suggestionView({ stage_id: "new", suggestion: suggestion("meet") }, STAGES)).toEqual({
      suggestion: suggestion("meet"),
      stageName: "Meeting scheduled",
      percent: 90,
      meeting: true,
      closing: false,
    });
    expect(suggestionView({ stage_id: "new", suggestion: suggestion("won", 0.899) }, STAGES)).toMatchObject({ percent: 89, meeting: false, closing: true });
    expect(suggestionView({ stage_id: "new", suggestion: suggestion("won", 0.95) }, STAGES)?.percent).toBe(95);
  });

  it("shows nothing without a suggestion, for the stage the lead is in, or for a stage the board no longer has", () => {
    expect(suggestionView({ stage_id: "new", suggestion: null }, STAGES)).toBeNull();
    expect(suggestionView({ stage_id: "meet", suggestion: suggestion("meet") }, STAGES)).toBeNull();
    expect(suggestionView({ stage_id: "new", suggestion: suggestion("archived") }, STAGES)).toBeNull();
  });
});

describe("the errors of a decision", () => {
  const problem = (status: number, extra: Record<string, unknown> = {}) => new ApiError({ status, title: "x", detail: "x", ...extra });

  it("asks for an appointment on a 422 appointment_required only", () => {
    expect(needsAppointment(problem(422, { errors: [{ field: "appointment", message: "required", code: "appointment_required" }] }))).toBe(true);
    expect(needsAppointment(problem(422, { errors: [{ field: "appointment.starts_at", message: "bad", code: "datetime_parsing" }] }))).toBe(false);
    expect(needsAppointment(problem(409, { code: "suggestion_stale" }))).toBe(false);
    expect(needsAppointment(new Error("offline"))).toBe(false);
  });

  it("reads the board again on a 409 (stale, decided elsewhere, a full stage) or a 404", () => {
    expect(boardIsStale(problem(409, { code: "suggestion_stale" }))).toBe(true);
    expect(boardIsStale(problem(409, { code: "suggestion_not_pending" }))).toBe(true);
    expect(boardIsStale(problem(404))).toBe(true);
    expect(boardIsStale(problem(422))).toBe(false);
    expect(boardIsStale(new Error("offline"))).toBe(false);
  });
});

describe("the board and live frames", () => {
  it("drops a card's suggestion and leaves the other cards as they were", () => {
    const lead = (id: string) => ({ id, suggestion: suggestion("meet") }) as unknown as Lead;
    const other = lead("b");
    const board = { pipeline: {}, columns: [{ stage: STAGES[0], leads: [lead("a")] }, { stage: STAGES[1], leads: [other] }] } as unknown as Board;
    const after = withoutSuggestion(board, "a");
    expect(after.columns[0]!.leads[0]!.suggestion).toBeNull();
    expect(after.columns[1]).toBe(board.columns[1]);
  });

  it("takes a proposal, or a lead update naming its suggestion, as news whatever the version", () => {
    expect(touchesSuggestion({ type: "ai.stage_proposed", data: {} })).toBe(true);
    expect(touchesSuggestion({ type: "lead.updated", data: { changed: ["suggestion"] } })).toBe(true);
    expect(touchesSuggestion({ type: "lead.updated", data: { changed: ["rank"] } })).toBe(false);
    expect(touchesSuggestion({ type: "lead.stage_changed", data: {} })).toBe(false);
  });
});
