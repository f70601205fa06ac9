import { describe, expect, it } from "vitest";
import type { Schema } from "@/lib/api/types";
import { describeDetail, reasonCode } from "./history";
import { applyFrame, frameCadence } from "./live";
import { createBody, emptySettings, makesVersion, settingsFrom, settingsProblems, updateBody } from "./settings";
import { fromApi } from "./steps";
import { insertVariable, variableOptions } from "./variables";

const ID = "33333333-3333-3333-3333-333333333333";

const cadence: Schema<"CadenceRead"> = {
  id: ID,
  name: "Follow-up",
  description: null,
  status: "active",
  connection_id: ID,
  current_version: 2,
  exit_on_reply: true,
  exit_on_stage_change: false,
  goal_tag_id: null,
  allow_reenrollment: false,
  segment_id: null,
  segment_mode: "none",
  steps: [{ kind: "wait", duration_seconds: 3600, until_time: null }, { kind: "send_sms", text: "Oi" }],
  window: { timezone_mode: "company", days: [1, 2, 3, 4, 5], start_time: "09:00:00", end_time: "18:00:00", timezone: null },
  enrollments: { active: 1, sending: 0, completed: 0, exited: 0 },
  activated_at: null,
  archived_at: null,
  created_at: "2025-01-01T00:00:00Z",
  updated_at: "2025-01-01T00:00:00Z",
};

describe("settings", () => {
  it("changes nothing when nothing changed (the API's nulls and seconds included)", () => {
    expect(updateBody(cadence, settingsFrom(cadence), fromApi(cadence.steps))).toBeNull();
  });

  it("sends a changed setting alone: no new version", () => {
    const body = updateBody(cadence, { ...settingsFrom(cadence), exitOnReply: false }, fromApi(cadence.steps));
    expect(body).toEqual({ exit_on_reply: false });
    expect(makesVersion(body)).toBe(false);
  });

  it("sends new steps or a new window with the version read", () => {
    const steps = fromApi(cadence.steps).slice(1);
    const body = updateBody(cadence, { ...settingsFrom(cadence), days: [1, 2] }, steps);
    expect(body).toEqual({
      steps: [{ kind: "send_sms", text: "Oi" }],
      window: { timezone_mode: "company", days: [1, 2], start_time: "09:00", end_time: "18:00", timezone: null },
      version: 2,
    });
    expect(makesVersion(body)).toBe(true);
  });

  it("creates with the window all day when asked, and no segment with mode none", () => {
    const s = { ...emptySettings(), name: " Nova ", allDay: true, segmentId: ID, segmentMode: "none" as const };
    const body = createBody(s, fromApi(cadence.steps));
    expect(body.name).toBe("Nova");
    expect(body.window).toMatchObject({ start_time: null, end_time: null });
    expect(body.segment_id).toBeNull();
  });

  it("checks the name, the days, the hours and the segment", () => {
    expect(settingsProblems({ ...emptySettings(), days: [], startTime: "10:00", endTime: "10:00", segmentMode: "once" })).toEqual({
      name: "required",
      "window.days": "chooseDay",
      "window.end_time": "sameTimes",
      segment_id: "chooseSegment",
    });
  });
});

describe("live statistics", () => {
  const stats: Schema<"CadenceStats"> = {
    version: 2,
    enrolled: 1,
    states: { active: 1, sending: 0, completed: 0, exited: 0 },
    exit_reasons: {},
    steps: [0, 1].map((i) => ({ step_index: i, kind: "send_sms", ran: 0, sent: 0, delivered: 0, read: 0, failed: 0, skipped: 0, replied: 0, exited: 0, waiting: i === 0 ? 1 : 0 })),
  };
  const frame = (type: string, data: Record<string, unknown>) => ({ type, data: { cadence_id: ID, version: 2, ...data } });

  it("counts an enrollment, a send and an exit on their step", () => {
    let next = applyFrame(stats, frame("cadence.enrolled", { source: "manual" }));
    expect(next.enrolled).toBe(2);
    expect(next.steps[0]!.waiting).toBe(2);
    next = applyFrame(next, frame("cadence.step_sent", { step_index: 1 }));
    expect(next.steps[1]).toMatchObject({ sent: 1, ran: 1 });
    next = applyFrame(next, frame("cadence.exited", { step_index: 0, reason: "replied" }));
    expect(next.states).toMatchObject({ active: 1, exited: 1 });
    expect(next.exit_reasons).toEqual({ replied: 1 });
    expect(next.steps[0]).toMatchObject({ exited: 1, waiting: 1 });
  });

  it("ignores another version's frames and other frames", () => {
    expect(applyFrame(stats, { type: "cadence.enrolled", data: { cadence_id: ID, version: 1 } })).toBe(stats);
    expect(frameCadence({ type: "campaign.progress", data: { cadence_id: ID } })).toBeNull();
    expect(frameCadence(frame("cadence.exited", {}))).toBe(ID);
  });
});

describe("history", () => {
  it("says where a branch went and why a step was skipped", () => {
    expect(describeDetail("branch", "branched", { held: true, next_step: 3 }, 5)).toEqual({ key: "history.branchHeldTo", values: { n: 4 } });
    expect(describeDetail("branch", "branched", { held: false, next_step: 5 }, 5)).toEqual({ key: "history.branchNotHeldEnd" });
    expect(describeDetail("send_text", "skipped", { reason: "window closed" }, 5)).toEqual({ key: "history.skipped", values: { reason: "window_closed", raw: "window closed" } });
    expect(describeDetail("send_text", "failed", { error_reason: "worker_error" }, 5)).toEqual({ key: "history.failed", values: { reason: "worker_error" } });
    expect(describeDetail("send_sms", "sent", { send_id: 4 }, 5)).toBeNull();
    expect(reasonCode("Opted out!")).toBe("opted_out");
  });
});

describe("variables", () => {
  it("offers contact, custom and lead fields", () => {
    const options = variableOptions([{ key: "plan", label: "Plano" }]);
    expect(options.map((o) => o.value)).toContain("contact.custom.plan");
    expect(options.map((o) => o.value)).toContain("lead.value");
  });
  it("puts a variable at the caret", () => {
    expect(insertVariable("Oi !", "contact.first_name", 3)).toEqual({ text: "Oi {{contact.first_name}}!", caret: 25 });
    expect(insertVariable("Oi", "lead.value").text).toBe("Oi{{lead.value}}");
  });
});
