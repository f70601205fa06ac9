import { describe, expect, it } from "vitest";
import { arrangementOf, dragEnd, dragOver, neighbours, placeLead, type Board, type Lead } from "./board";
import { addMinutes, localInput, withOffset } from "./time";

function lead(id: string, stage: string, value: string | null = null, currency = "BRL"): Lead {
  return { id, stage_id: stage, value, currency, status: "open", version: 1, title: id } as Lead;
}

function board(): Board {
  const column = (id: string, leads: Lead[], count: number, values: { currency: string; value: string }[]) => ({
    stage: { id, name: id, color: "#000000", pipeline_id: "p", position: 0, wip_limit: null, semantic_type: null, archived_at: null },
    leads,
    next_cursor: null,
    totals: { count, values },
  });
  return {
    pipeline: { id: "p", name: "Sales", created_at: "", stages: [], ai_auto_apply_threshold: 0.8, ai_backward_threshold: 0.95, ai_may_close: false },
    columns: [
      column("new", [lead("a", "new", "100.50"), lead("b", "new"), lead("c", "new")], 3, [{ currency: "BRL", value: "100.50" }]),
      column("won", [lead("d", "won", "10.00", "USD")], 1, [{ currency: "USD", value: "10.00" }]),
    ],
  };
}

describe("neighbours", () => {
  it("goes right after the card above it", () => {
    expect(neighbours(["a", "x", "b"], "x")).toEqual({ after_id: "a" });
    expect(neighbours(["a", "b", "x"], "x")).toEqual({ after_id: "b" });
  });
  it("goes right before the card below it at the top", () => {
    expect(neighbours(["x", "a"], "x")).toEqual({ before_id: "a" });
  });
  it("names no neighbour alone in its column", () => {
    expect(neighbours(["x"], "x")).toEqual({});
  });
  it("refuses a card that is not there", () => {
    expect(() => neighbours(["a"], "x")).toThrow();
  });
});

describe("drag", () => {
  it("moves a card into another column at the card it is over, or at the end over the column", () => {
    const start = arrangementOf(board());
    expect(dragOver(start, "b", "d")).toEqual({ new: ["a", "c"], won: ["b", "d"] });
    expect(dragOver(start, "b", "d", true)).toEqual({ new: ["a", "c"], won: ["d", "b"] });
    expect(dragOver(start, "b", "column:won")).toEqual({ new: ["a", "c"], won: ["d", "b"] });
    expect(dragOver(start, "b", "a")).toBeNull();
  });
  it("reorders within a column at the drop", () => {
    const start = arrangementOf(board());
    expect(dragEnd(start, "a", "c")).toEqual({ new: ["b", "c", "a"], won: ["d"] });
    expect(dragEnd(start, "c", "a").new).toEqual(["c", "a", "b"]);
    expect(dragEnd(start, "a", "column:new")).toBe(start);
    expect(neighbours(dragEnd(start, "c", "a").new!, "c")).toEqual({ before_id: "a" });
  });
});

describe("placeLead", () => {
  it("moves the card and its value between the columns' totals", () => {
    const next = placeLead(board(), lead("a", "won", "100.50"), "won", 1);
    expect(next.columns[0]!.leads.map((l) => l.id)).toEqual(["b", "c"]);
    expect(next.columns[0]!.totals).toEqual({ count: 2, values: [{ currency: "BRL", value: "0.00" }] });
    expect(next.columns[1]!.leads.map((l) => l.id)).toEqual(["d", "a"]);
    expect(next.columns[1]!.leads[1]!.stage_id).toBe("won");
    expect(next.columns[1]!.totals).toEqual({
      count: 2,
      values: [
        { currency: "USD", value: "10.00" },
        { currency: "BRL", value: "100.50" },
      ],
    });
  });
  it("reorders within a column without touching its totals", () => {
    const before = board();
    const next = placeLead(before, lead("c", "new"), "new", 0);
    expect(next.columns[0]!.leads.map((l) => l.id)).toEqual(["c", "a", "b"]);
    expect(next.columns[0]!.totals).toBe(before.columns[0]!.totals);
    expect(next.columns[1]).toBe(before.columns[1]);
  });
});

describe("appointment times", () => {
  it("gives a wall time in its timezone its offset, across a DST change", () => {
    expect(withOffset("2026-12-02T14:00", "America/Sao_Paulo")).toBe("2026-12-02T14:00:00-03:00");
    expect(withOffset("2026-07-01T09:30", "Europe/Lisbon")).toBe("2026-07-01T09:30:00+01:00");
    expect(withOffset("2026-01-01T09:30", "Europe/Lisbon")).toBe("2026-01-01T09:30:00+00:00");
    expect(withOffset("2026-12-02T14:00", "Asia/Kolkata")).toBe("2026-12-02T14:00:00+05:30");
  });
  it("shows an instant in a timezone and adds minutes across midnight", () => {
    expect(localInput(new Date("2026-12-02T17:00:00Z"), "America/Sao_Paulo")).toBe("2026-12-02T14:00");
    expect(addMinutes("2026-12-31T23:45", 30)).toBe("2027-01-01T00:15");
  });
});
