import { describe, expect, it } from "vitest";
import { aiAction, aiAuthor, aiReasonKey, type ConversationAi } from "./ai";

const state = (status: ConversationAi["status"], reason: string | null = null): ConversationAi => ({
  status,
  reason,
  detail: null,
  persona_id: "p-1",
  assignee_id: null,
  since: "2026-12-01T12:00:00Z",
});

describe("aiAuthor", () => {
  it("reads the AI's mark on a message it sent", () => {
    const content = { text: { body: "Oi" }, ai: { persona_id: "p-1", persona_version: 3, part: 2, parts: 3 } };
    expect(aiAuthor({ direction: "out", content })).toEqual({ personaId: "p-1", personaVersion: 3, part: 2, parts: 3 });
  });

  it("is null for a person's reply, the contact's message and a malformed mark", () => {
    expect(aiAuthor({ direction: "out", content: { text: { body: "Oi" } } })).toBeNull();
    expect(aiAuthor({ direction: "in", content: { ai: { persona_id: "p-1" } } })).toBeNull();
    expect(aiAuthor({ direction: "out", content: { ai: "yes" } })).toBeNull();
  });

  it("takes a part of one when the mark has no parts", () => {
    expect(aiAuthor({ direction: "out", content: { ai: { persona_id: null } } })).toEqual({ personaId: null, personaVersion: null, part: 1, parts: 1 });
  });
});

describe("aiAction", () => {
  it("pauses an AI that answers and hands back one that stopped", () => {
    expect(aiAction(state("active"))).toBe("pause");
    expect(aiAction(state("paused", "human_reply"))).toBe("resume");
    expect(aiAction(state("handed_off", "customer_request"))).toBe("resume");
  });

  it("offers nothing where the AI has never been", () => {
    expect(aiAction(null)).toBeNull();
    expect(aiAction(undefined)).toBeNull();
  });
});

describe("aiReasonKey", () => {
  it("names a pause's reason and a handoff's trigger", () => {
    expect(aiReasonKey(state("paused", "assigned"))).toBe("paused.assigned");
    expect(aiReasonKey(state("handed_off", "low_confidence"))).toBe("trigger.low_confidence");
  });

  it("falls back on a general sentence for a reason it does not know, and says nothing while the AI answers", () => {
    expect(aiReasonKey(state("paused", "something_new"))).toBe("paused.other");
    expect(aiReasonKey(state("handed_off", null))).toBe("trigger.other");
    expect(aiReasonKey(state("active"))).toBeNull();
  });
});
