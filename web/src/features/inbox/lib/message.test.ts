import { describe, expect, it } from "vitest";
import type { Message } from "./cache";
import { callOf, duration, unsupportedOf } from "./message";

function message(patch: Partial<Message>): Message {
  return {
    id: "m1", direction: "in", wamid: "w1", type: "text", text: "oi", content: {}, reply_to_wamid: null, status: "received",
    status_at: null, errors: [], sent_at: "2026-12-01T12:00:00Z", edited_at: null, deleted_at: null, reactions: [], media_url: null,
    ...patch,
  } as Message;
}

describe("calls", () => {
  it("says answered with its duration, missed, or ringing", () => {
    expect(callOf(message({ type: "call", content: { call: { status: "answered", duration: 70, direction: "user_initiated" } } }))).toEqual({ status: "answered", duration: 70, fromContact: true });
    expect(callOf(message({ type: "call", content: { call: { status: "missed" } } }))?.status).toBe("missed");
    expect(callOf(message({ type: "call", content: {} }))?.status).toBe("ringing");
    expect(callOf(message({}))).toBeNull();
  });
  it("formats a duration", () => {
    expect(duration(70)).toBe("1:10");
    expect(duration(5)).toBe("0:05");
    expect(duration(3725)).toBe("1:02:05");
  });
});

describe("unsupported", () => {
  it("names Meta's unsupported messages and types we do not show, with Meta's reason", () => {
    const meta = message({ type: "unsupported", text: null, errors: [{ code: 131051, title: "Message type unknown", error_data: { details: "Message type is currently not supported." } }] });
    expect(unsupportedOf(meta)).toEqual({ type: "unsupported", reason: "Message type is currently not supported." });
    expect(unsupportedOf(message({ type: "poll", text: null }))).toEqual({ type: "poll", reason: null });
    expect(unsupportedOf(message({}))).toBeNull();
    expect(unsupportedOf(message({ type: "call", text: null }))).toBeNull();
  });
});
