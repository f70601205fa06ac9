// @vitest-environment jsdom
import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it, vi } from "vitest";
import type { Conversation } from "../lib/filters";
import { inboxKeys } from "./inbox";
import { handleFrame, liveFetches } from "./live";

const since = "2026-11-01T10:00:00Z";

function conversation(ai: Conversation["ai"]): Conversation {
  return { id: "c1", status: "open", unread_count: 0, assignee_id: null, ai } as unknown as Conversation;
}

function updated(data: Record<string, unknown>) {
  return { v: 1 as const, type: "conversation.updated", cursor: "1", at: since, data: { conversation_id: "c1", ...data } };
}

describe("conversation.updated", () => {
  it("puts the AI's new state on the open conversation at once, with no fetch", () => {
    const client = new QueryClient();
    const fetches = { ...liveFetches(client, "me"), reload: vi.fn() };
    client.setQueryData(inboxKeys.conversation("c1"), conversation({ status: "active", reason: null, detail: null, persona_id: "p1", assignee_id: null, since }));
    const paused = { status: "paused", reason: "paused_by_user", detail: null, persona_id: "p1", assignee_id: null, since: "2026-11-01T10:05:00Z" };
    handleFrame(client, updated({ changed: ["ai"], ai: paused }), { id: "me", agent: false }, fetches);
    expect(client.getQueryData<Conversation>(inboxKeys.conversation("c1"))?.ai).toEqual(paused);
    expect(fetches.reload).not.toHaveBeenCalled();
  });

  it("leaves the AI's state alone when the frame is about something else", () => {
    const client = new QueryClient();
    const active = { status: "active" as const, reason: null, detail: null, persona_id: "p1", assignee_id: null, since };
    client.setQueryData(inboxKeys.conversation("c1"), conversation(active));
    handleFrame(client, updated({ changed: ["unread_count"], unread_count: 3 }), { id: "me", agent: false }, liveFetches(client, "me"));
    const shown = client.getQueryData<Conversation>(inboxKeys.conversation("c1"));
    expect([shown?.ai, shown?.unread_count]).toEqual([active, 3]);
  });
});
