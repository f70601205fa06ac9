/** Live frames patch the inbox's cache: the lists, the open conversation and its thread. */
import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef } from "react";
import { useRealtimeEvent, useRealtimeStatus, useTopic, type EventFrame } from "@/lib/realtime/hooks";
import { advances, findConversation, patchMessage, type Message, type Pages } from "../lib/cache";
import { coalesce } from "../lib/coalesce";
import type { Conversation } from "../lib/filters";
import { fetchConversation, inboxKeys, patchThread, refreshNewest, storeConversation } from "./inbox";

function cachedConversation(client: QueryClient, id: string): Conversation | undefined {
  const single = client.getQueryData<Conversation>(inboxKeys.conversation(id));
  if (single) return single;
  for (const [, data] of client.getQueriesData<Pages<Conversation>>({ queryKey: inboxKeys.lists() })) {
    const found = findConversation(data, id);
    if (found) return found;
  }
  return undefined;
}

function removeConversation(client: QueryClient, id: string): void {
  for (const [key, data] of client.getQueriesData<Pages<Conversation>>({ queryKey: inboxKeys.lists() })) {
    if (!data || !findConversation(data, id)) continue;
    client.setQueryData(key, { ...data, pages: data.pages.map((p) => ({ ...p, items: p.items.filter((c) => c.id !== id) })) });
  }
}

/** The full conversation from the API, then everywhere it is cached (a new one, a changed window). */
async function reload(client: QueryClient, id: string, meId: string | undefined): Promise<void> {
  try {
    storeConversation(client, await fetchConversation(id), meId);
  } catch {
    removeConversation(client, id); // no longer ours to see (taken by another agent)
  }
}

interface Me {
  id: string | undefined;
  agent: boolean;
}

/** The fetches frames trigger, coalesced per conversation (a burst of frames costs two fetches). */
export function liveFetches(client: QueryClient, meId: string | undefined) {
  return {
    reload: coalesce((id) => reload(client, id, meId)),
    newest: coalesce((id) => refreshNewest(client, id)),
    // an edit, a deletion, a reaction or a call's end may change any message shown: the thread again
    thread: coalesce((id) => client.invalidateQueries({ queryKey: inboxKeys.messages(id) })),
  };
}

type Fetches = ReturnType<typeof liveFetches>;

export function handleFrame(client: QueryClient, frame: EventFrame, me: Me, fetches: Fetches): void {
  const data = frame.data;
  const id = typeof data.conversation_id === "string" ? data.conversation_id : null;
  if (!id) return;
  switch (frame.type) {
    case "conversation.updated": {
      const known = cachedConversation(client, id);
      if (!known) {
        fetches.reload(id);
        return;
      }
      const patch: Partial<Conversation> = {};
      if (typeof data.status === "string") patch.status = data.status;
      if (typeof data.unread_count === "number") patch.unread_count = data.unread_count;
      if (typeof data.last_message_at === "string") patch.last_message_at = data.last_message_at;
      // the AI's state changed (paused, handed back, stopped by a reply or an assignment, handed off): as it is now
      if (Array.isArray(data.changed) && data.changed.includes("ai") && "ai" in data) patch.ai = data.ai as Conversation["ai"];
      storeConversation(client, { ...known, ...patch }, me.id);
      return;
    }
    case "conversation.assigned": {
      const assignee = typeof data.assignee_id === "string" ? data.assignee_id : null;
      if (me.agent && assignee && assignee !== me.id) {
        removeConversation(client, id);
        void client.invalidateQueries({ queryKey: inboxKeys.conversation(id) });
        return;
      }
      const known = cachedConversation(client, id);
      if (known) storeConversation(client, { ...known, assignee_id: assignee }, me.id);
      else fetches.reload(id);
      return;
    }
    case "message.created": {
      if (client.getQueryData(inboxKeys.messages(id))) fetches.newest(id);
      // an inbound message opens the 24-hour window again: matters to a conversation someone has open
      if (data.direction === "in" && client.getQueryData(inboxKeys.conversation(id))) fetches.reload(id);
      return;
    }
    case "ai.replied": {
      // its messages came as message.created too; the conversation's AI state (the persona) may be new
      if (client.getQueryData(inboxKeys.messages(id))) fetches.newest(id);
      fetches.reload(id);
      return;
    }
    case "ai.handoff": {
      // handed off, assigned, and its notice to the customer in the thread
      fetches.reload(id);
      if (client.getQueryData(inboxKeys.messages(id))) fetches.newest(id);
      return;
    }
    case "message.updated": {
      if (client.getQueryData(inboxKeys.messages(id))) fetches.thread(id);
      return;
    }
    case "message.status": {
      const messageId = typeof data.message_id === "string" ? data.message_id : null;
      const status = typeof data.status === "string" ? data.status : null;
      if (!messageId || !status) return;
      const key = inboxKeys.messages(id);
      const thread = client.getQueryData<Pages<Message>>(key);
      if (!thread) return;
      const current = thread.pages.flatMap((p) => p.items).find((m) => m.id === messageId);
      if (!current) {
        fetches.newest(id);
        return;
      }
      if (!advances(current.status, status)) return;
      patchThread(client, id, (pages) => {
        const shown = pages.pages.flatMap((p) => p.items).find((m) => m.id === messageId);
        return shown && advances(shown.status, status) ? patchMessage(pages, messageId, { status, status_at: frame.at }) : pages;
      });
      if (status === "failed") fetches.newest(id); // the reason comes with the message
      return;
    }
  }
}

const TYPES = ["conversation.updated", "conversation.assigned", "message.created", "message.status", "message.updated", "ai.replied", "ai.handoff"];

/** Follow the inbox (and the open conversation) and keep the cache in step with the frames. */
export function useInboxLive(conversationId: string | undefined, me: Me): void {
  const client = useQueryClient();
  const fetches = useMemo(() => liveFetches(client, me.id), [client, me.id]);
  useTopic("inbox");
  useTopic(conversationId ? `conversation:${conversationId}` : null);
  useRealtimeEvent(TYPES, (frame) => handleFrame(client, frame, me, fetches));
  // A socket that opens after the lists were fetched (a page load, a reconnect) may have missed frames the
  // catch-up cannot give back on a first connection: fetch what is shown again, once.
  const status = useRealtimeStatus();
  const previous = useRef(status);
  useEffect(() => {
    const was = previous.current;
    previous.current = status;
    if (status !== "open" || was === "open") return;
    void client.invalidateQueries({ queryKey: inboxKeys.lists() });
    if (conversationId) {
      void client.invalidateQueries({ queryKey: inboxKeys.conversation(conversationId) });
      fetches.newest(conversationId);
    }
  }, [status, client, conversationId, fetches]);
}
