import { describe, expect, it } from "vitest";
import { advances, chronological, mergeNewest, upsertConversation, type Message, type Pages } from "./cache";
import { filtersToParams, matchesFilters, parseFilters, type Conversation } from "./filters";
import { failureReason, mediaOf } from "./message";

function conversation(id: string, over: Partial<Conversation> = {}): Conversation {
  return {
    id,
    assignee_id: null,
    channel: "whatsapp",
    connection_id: "c1",
    contact: { id: `k${id}`, name: `Contact ${id}`, phone: "+5511999990000" },
    created_at: "2026-11-01T00:00:00Z",
    last_inbound_at: null,
    last_message_at: "2026-11-01T10:00:00Z",
    status: "open",
    unread_count: 0,
    window_expires_at: null,
    window_open: false,
    ...over,
  };
}

function message(id: string, over: Partial<Message> = {}): Message {
  return {
    id,
    content: {},
    direction: "in",
    errors: [],
    reply_to_wamid: null,
    sent_at: "2026-11-01T10:00:00Z",
    status: "received",
    status_at: null,
    text: id,
    type: "text",
    wamid: `wamid.${id}`,
    ...over,
  };
}

function pages<T>(...lists: T[][]): Pages<T> {
  return { pages: lists.map((items, i) => ({ items, next_cursor: i < lists.length - 1 ? `c${i}` : null })), pageParams: lists.map((_, i) => (i ? `c${i - 1}` : undefined)) };
}

describe("filters", () => {
  it("round-trips through the URL and ignores junk", () => {
    const params = new URLSearchParams("status=open&assignee=me&channel=fax&unread=true&tag_id=t1");
    const filters = parseFilters(params);
    expect(filters).toEqual({ status: "open", assignee: "me", unread: true, tag_id: "t1" });
    expect(filtersToParams(filters).toString()).toBe("status=open&assignee=me&unread=true&tag_id=t1");
  });

  it("judges a live change against the list's filters", () => {
    const mine = conversation("1", { assignee_id: "u1", unread_count: 2 });
    expect(matchesFilters(mine, { assignee: "me", unread: true }, "u1")).toBe(true);
    expect(matchesFilters(mine, { assignee: "none" }, "u1")).toBe(false);
    expect(matchesFilters(mine, { status: "closed" }, "u1")).toBe(false);
    expect(matchesFilters({ ...mine, unread_count: 0 }, { unread: true }, "u1")).toBe(false);
    expect(matchesFilters(mine, { assignee: "u2" }, "u1")).toBe(false);
  });
});

describe("conversation lists", () => {
  it("moves a conversation with new activity to the top", () => {
    const data = pages([conversation("a"), conversation("b")], [conversation("c")]);
    const next = upsertConversation(data, conversation("c", { last_message_at: "2026-11-02T00:00:00Z", unread_count: 1 }), {}, "u1");
    expect(next.pages[0]!.items.map((c) => c.id)).toEqual(["c", "a", "b"]);
    expect(next.pages[1]!.items).toEqual([]);
  });

  it("patches in place when the activity did not change, and drops what no longer matches", () => {
    const data = pages([conversation("a"), conversation("b")]);
    const closed = conversation("b", { status: "closed" });
    expect(upsertConversation(data, closed, {}, "u1").pages[0]!.items[1]!.status).toBe("closed");
    expect(upsertConversation(data, closed, { status: "open" }, "u1").pages[0]!.items.map((c) => c.id)).toEqual(["a"]);
  });
});

describe("threads", () => {
  it("shows the oldest first and merges a newer page without repeats", () => {
    const data = pages([message("3"), message("2")], [message("1")]);
    expect(chronological(data).map((m) => m.id)).toEqual(["1", "2", "3"]);
    const merged = mergeNewest(data, { items: [message("4"), message("3", { text: "edited" })] });
    expect(chronological(merged).map((m) => m.id)).toEqual(["1", "2", "3", "4"]);
    expect(chronological(merged)[2]!.text).toBe("edited");
  });

  it("keeps a status a frame moved further than a late fetch", () => {
    const data = pages([message("9", { direction: "out", status: "read" })]);
    const merged = mergeNewest(data, { items: [message("9", { direction: "out", status: "delivered", text: "x" })] });
    expect(chronological(merged)[0]).toMatchObject({ status: "read", text: "x" });
  });

  it("only moves a status forward", () => {
    expect(advances("accepted", "sent")).toBe(true);
    expect(advances("sent", "delivered")).toBe(true);
    expect(advances("read", "delivered")).toBe(false);
    expect(advances("sent", "failed")).toBe(true);
  });

  it("finds the media and the failure reason", () => {
    const image = message("i", { type: "image", content: { image: { link: "https://x/y.jpg", caption: "Foto" } } });
    expect(mediaOf(image)).toMatchObject({ type: "image", url: "https://x/y.jpg", caption: "Foto", filename: null });
    const stored = message("s", { type: "audio", content: { audio: { id: "m" } }, media_url: "/v1/media/t" });
    expect(mediaOf(stored)?.url).toBe("/v1/media/t");
    const copying = message("c", { direction: "in", type: "image", content: { image: { id: "m" } }, media_url: null });
    expect(mediaOf(copying)?.pending).toBe(true); // still on its way from WhatsApp
    expect(mediaOf({ ...copying, content: { image: { id: "m" }, stored: { error: "gone" } } })?.pending).toBe(false);
    const failed = message("f", { status: "failed", errors: [{ code: 131026, title: "Undeliverable", error_data: { details: "not on WhatsApp" } }] });
    expect(failureReason(failed)).toEqual({ code: "131026", detail: "not on WhatsApp" });
    expect(failureReason(message("ok"))).toBeNull();
  });
});
