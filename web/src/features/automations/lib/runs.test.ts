import { describe, expect, it } from "vitest";
import { actionNote, frameRule, matchedOf, outcomes } from "./runs";
import { moved } from "./order";
import { triggerSummary } from "./summary";

describe("the run log", () => {
  it("takes only automation.ran frames with their rule", () => {
    expect(frameRule({ type: "automation.ran", data: { automation_id: "r1" } })).toBe("r1");
    expect(frameRule({ type: "cadence.enrolled", data: { automation_id: "r1" } })).toBeNull();
    expect(frameRule({ type: "automation.ran", data: {} })).toBeNull();
  });

  it("says what matched: the keyword, the regex's match, or the trigger alone", () => {
    expect(matchedOf({ matched: { keyword: "preço" } })).toEqual({ kind: "keyword", value: "preço" });
    expect(matchedOf({ matched: { regex: "promo10" } })).toEqual({ kind: "regex", value: "promo10" });
    expect(matchedOf({ matched: { tag_id: "t" } })).toEqual({ kind: "any" });
  });

  it("counts outcomes and explains a skip by its reason, a failure by its code", () => {
    const actions = [
      { index: 0, type: "add_tag", outcome: "done" as const },
      { index: 1, type: "assign", outcome: "skipped" as const, reason: "already_assigned" },
      { index: 2, type: "send_text", outcome: "failed" as const, error: { code: "window_closed", message: "only a template" } },
      { index: 3, type: "notify", outcome: "not_run" as const },
    ];
    expect(outcomes({ actions })).toEqual({ done: 1, skipped: 1, failed: 1, not_run: 1 });
    expect(actions.map(actionNote)).toEqual([null, { key: "runs.reasons.already_assigned", fallback: "already_assigned" }, { key: "runs.errors.window_closed", fallback: "only a template" }, null]);
  });
});

describe("the rules' order", () => {
  it("swaps a rule with its neighbour, and refuses past the ends", () => {
    expect(moved(["a", "b", "c"], 1, -1)).toEqual(["b", "a", "c"]);
    expect(moved(["a", "b", "c"], 1, 1)).toEqual(["a", "c", "b"]);
    expect(moved(["a", "b"], 0, -1)).toBeNull();
    expect(moved(["a", "b"], 1, 1)).toBeNull();
  });
});

describe("a rule in one line", () => {
  it("names its keywords (five at most), its regex or its hours", () => {
    expect(triggerSummary({ type: "message_received", keywords: ["a", "b", "c", "d", "e", "f"] })).toEqual({ key: "summary.keywords", values: { keywords: "a, b, c, d, e…" } });
    expect(triggerSummary({ type: "message_received", regex: "x+" })).toEqual({ key: "summary.regex", values: { regex: "x+" } });
    expect(triggerSummary({ type: "no_reply", hours: 24 })).toEqual({ key: "summary.no_reply", values: { count: 24 } });
    expect(triggerSummary({ type: "tag_added" })).toEqual({ key: "triggers.tag_added", values: {} });
  });
});
