/**
 * Pure helpers that patch the cached pages of the inbox from live frames, instead of refetching
 * everything (a list of 10,000 conversations, a thread of 2,000 messages).
 */
import type { InfiniteData } from "@tanstack/react-query";
import type { Schema } from "@/lib/api/types";
import { matchesFilters, type Conversation, type InboxFilters } from "./filters";

export type Message = Schema<"MessageRead">;

export interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}

export type Pages<T> = InfiniteData<Page<T>, unknown>;

function mapPages<T>(data: Pages<T>, fn: (items: T[], index: number) => T[]): Pages<T> {
  return { ...data, pages: data.pages.map((page, index) => ({ ...page, items: fn(page.items, index) })) };
}

export function findConversation(data: Pages<Conversation> | undefined, id: string): Conversation | undefined {
  for (const page of data?.pages ?? []) {
    const found = page.items.find((c) => c.id === id);
    if (found) return found;
  }
  return undefined;
}

function newer(a: string | null, b: string | null): boolean {
  if (!a) return false;
  if (!b) return true;
  return new Date(a).getTime() > new Date(b).getTime();
}

/**
 * Put a conversation's new state into one cached list: replaced in place, moved to the top when its
 * activity is now the most recent, removed when it no longer matches the list's filters, added at the top
 * when it newly does.
 */
export function upsertConversation(
  data: Pages<Conversation>,
  conversation: Conversation,
  filters: InboxFilters,
  meId: string | undefined,
): Pages<Conversation> {
  const previous = findConversation(data, conversation.id);
  const keep = matchesFilters(conversation, filters, meId);
  const toTop = keep && (!previous || newer(conversation.last_message_at, previous.last_message_at));
  const without = (items: Conversation[]) => items.filter((c) => c.id !== conversation.id);
  if (!keep) return previous ? mapPages(data, without) : data;
  if (toTop) return mapPages(data, (items, index) => (index === 0 ? [conversation, ...without(items)] : without(items)));
  return mapPages(data, (items) => items.map((c) => (c.id === conversation.id ? conversation : c)));
}

/** Messages oldest first (the API gives them newest first, page after page), without repeats. */
export function chronological(data: Pages<Message> | undefined): Message[] {
  const seen = new Set<string>();
  const out: Message[] = [];
  for (const page of data?.pages ?? []) {
    for (const message of page.items) {
      if (seen.has(message.id)) continue;
      seen.add(message.id);
      out.push(message);
    }
  }
  return out.reverse();
}

/**
 * Merge a freshly fetched newest page: known messages are replaced (keeping a status a frame already moved
 * further than the fetch saw), new ones go in front of the first page.
 */
export function mergeNewest(data: Pages<Message>, newest: Page<Message>): Pages<Message> {
  const fresh = new Map(newest.items.map((m) => [m.id, m]));
  const known = new Set<string>();
  const replaced = mapPages(data, (items) =>
    items.map((m) => {
      known.add(m.id);
      const next = fresh.get(m.id);
      if (!next) return m;
      return advances(next.status, m.status) ? { ...next, status: m.status, status_at: m.status_at } : next;
    }),
  );
  const added = newest.items.filter((m) => !known.has(m.id));
  if (!added.length) return replaced;
  return mapPages(replaced, (items, index) => (index === 0 ? [...added, ...items] : items));
}

const RANK: Record<string, number> = { pending: 0, queued: 0, accepted: 0, sent: 1, delivered: 2, read: 3, failed: 4 };

/** Statuses only move forward (a late `delivered` after `read` changes nothing). */
export function advances(current: string, next: string): boolean {
  return (RANK[next] ?? -1) > (RANK[current] ?? -1);
}

export function patchMessage(data: Pages<Message>, id: string, patch: Partial<Message>): Pages<Message> {
  return mapPages(data, (items) => items.map((m) => (m.id === id ? { ...m, ...patch } : m)));
}
