/** The inbox's filters live in the URL (`?status=open&assignee=me`), so a link or a reload keeps them. */
import type { Schema } from "@/lib/api/types";

export type Conversation = Schema<"ConversationRead">;

export interface InboxFilters {
  status?: "open" | "pending" | "closed";
  /** `me`, `none`, or a user id */
  assignee?: string;
  channel?: "whatsapp" | "sms";
  unread?: boolean;
  tag_id?: string;
}

const STATUSES = new Set(["open", "pending", "closed"]);
const CHANNELS = new Set(["whatsapp", "sms"]);

export function parseFilters(params: URLSearchParams): InboxFilters {
  const filters: InboxFilters = {};
  const status = params.get("status");
  if (status && STATUSES.has(status)) filters.status = status as InboxFilters["status"];
  const assignee = params.get("assignee");
  if (assignee) filters.assignee = assignee;
  const channel = params.get("channel");
  if (channel && CHANNELS.has(channel)) filters.channel = channel as InboxFilters["channel"];
  if (params.get("unread") === "true") filters.unread = true;
  const tag = params.get("tag_id");
  if (tag) filters.tag_id = tag;
  return filters;
}

export function filtersToParams(filters: InboxFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.status) params.set("status", filters.status);
  if (filters.assignee) params.set("assignee", filters.assignee);
  if (filters.channel) params.set("channel", filters.channel);
  if (filters.unread) params.set("unread", "true");
  if (filters.tag_id) params.set("tag_id", filters.tag_id);
  return params;
}

/** How many filters besides the status are on (the count shown on the "Filters" button). */
export function extraFilterCount(filters: InboxFilters): number {
  return [filters.assignee, filters.channel, filters.tag_id].filter(Boolean).length;
}

/**
 * Whether a conversation still belongs in a list filtered this way, after a live change. The tag filter
 * cannot be judged here (a conversation carries no tags): it is taken as matching.
 */
export function matchesFilters(conversation: Conversation, filters: InboxFilters, meId: string | undefined): boolean {
  if (filters.status && conversation.status !== filters.status) return false;
  if (filters.channel && conversation.channel !== filters.channel) return false;
  if (filters.unread && conversation.unread_count === 0) return false;
  if (filters.assignee === "none" && conversation.assignee_id !== null) return false;
  if (filters.assignee === "me" && conversation.assignee_id !== meId) return false;
  if (filters.assignee && filters.assignee !== "me" && filters.assignee !== "none" && conversation.assignee_id !== filters.assignee) return false;
  return true;
}
