/** The inbox's API calls: fetchers, query keys and options, hooks. */
import { infiniteQueryOptions, keepPreviousData, queryOptions, useInfiniteQuery, useMutation, usePrefetchInfiniteQuery, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { ComboboxResult } from "@/components/ui/combobox";
import type { Schema } from "@/lib/api/types";
import { findConversation, mergeNewest, upsertConversation, type Message, type Page, type Pages } from "../lib/cache";
import type { Conversation, InboxFilters } from "../lib/filters";

export type Note = Schema<"NoteRead">;
export type Reply = Schema<"Reply">;
export type WhatsAppTemplate = Schema<"WhatsAppTemplateRead">;
export type WhatsAppPreview = Schema<"WhatsAppPreview">;
export type User = Schema<"UserRead">;
export type Tag = Schema<"TagRead">;

export const CONVERSATION_PAGE = 50;
export const MESSAGE_PAGE = 100;
export const NOTE_PAGE = 50;
export const TEMPLATE_PICK = 20;

export const inboxKeys = {
  all: ["inbox"] as const,
  lists: () => ["inbox", "conversations"] as const,
  list: (filters: InboxFilters) => ["inbox", "conversations", filters] as const,
  conversation: (id: string) => ["inbox", "conversation", id] as const,
  messages: (id: string) => ["inbox", "messages", id] as const,
  notes: (id: string) => ["inbox", "notes", id] as const,
  templates: (connectionId: string) => ["inbox", "templates", connectionId] as const,
  templateSearch: (connectionId: string, q: string) => ["inbox", "templates", connectionId, "search", q] as const,
  users: () => ["inbox", "users"] as const,
  tags: () => ["inbox", "tags"] as const,
};

// ---- fetchers

export function fetchConversations(filters: InboxFilters, cursor: string | undefined): Promise<Page<Conversation>> {
  return unwrap(api.GET("/v1/conversations", { params: { query: { ...filters, cursor, limit: CONVERSATION_PAGE } } }));
}

export function fetchConversation(id: string): Promise<Conversation> {
  return unwrap(api.GET("/v1/conversations/{conversation_id}", { params: { path: { conversation_id: id } } }));
}

export function fetchMessages(id: string, cursor: string | undefined, limit = MESSAGE_PAGE): Promise<Page<Message>> {
  return unwrap(api.GET("/v1/conversations/{conversation_id}/messages", { params: { path: { conversation_id: id }, query: { cursor, limit } } }));
}

/** Newest first (a page at a time); the pane shows them oldest at the top and loads older ones above. */
export function fetchNotes(id: string, cursor: string | undefined): Promise<Page<Note>> {
  return unwrap(api.GET("/v1/conversations/{conversation_id}/notes", { params: { path: { conversation_id: id }, query: { cursor, limit: NOTE_PAGE } } }));
}

/** The number's approved templates whose name has `q`, a few at a time (the picker asks again as the user types). */
export function fetchTemplates(connectionId: string, q: string): Promise<Page<WhatsAppTemplate>> {
  return unwrap(
    api.GET("/v1/connections/{connection_id}/templates", {
      params: { path: { connection_id: connectionId }, query: { q: q || undefined, status: ["APPROVED"], limit: TEMPLATE_PICK } },
    }),
  );
}

export function previewTemplate(templateId: string, contactId: string): Promise<WhatsAppPreview> {
  return unwrap(
    api.POST("/v1/whatsapp-templates/{whatsapp_template_id}/preview", {
      params: { path: { whatsapp_template_id: templateId } },
      body: { contact_id: contactId },
    }),
  );
}

// ---- queries

export function useConversations(filters: InboxFilters) {
  const query = useInfiniteQuery({
    queryKey: inboxKeys.list(filters),
    queryFn: ({ pageParam }) => fetchConversations(filters, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  return { ...query, items };
}

export const conversationQuery = (id: string) => queryOptions({ queryKey: inboxKeys.conversation(id), queryFn: () => fetchConversation(id) });

/** One conversation; while it loads, its row from a cached list stands in (opened from the list: no wait). */
export function useConversation(id: string) {
  const client = useQueryClient();
  return useQuery({
    ...conversationQuery(id),
    placeholderData: () => {
      for (const [, data] of client.getQueriesData<Pages<Conversation>>({ queryKey: inboxKeys.lists() })) {
        const found = findConversation(data, id);
        if (found) return found;
      }
      return undefined;
    },
  });
}

export const messagesQuery = (id: string) =>
  infiniteQueryOptions({
    queryKey: inboxKeys.messages(id),
    queryFn: ({ pageParam }) => fetchMessages(id, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    staleTime: Infinity, // kept fresh by the live frames
  });

export function useMessages(id: string) {
  return useInfiniteQuery(messagesQuery(id));
}

/** Start fetching a thread while its conversation loads (not one after the other). */
export function usePrefetchMessages(id: string) {
  usePrefetchInfiniteQuery(messagesQuery(id));
}

export function useNotes(id: string) {
  const query = useInfiniteQuery({
    queryKey: inboxKeys.notes(id),
    queryFn: ({ pageParam }) => fetchNotes(id, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  // oldest at the top, as a thread (the pages come newest first)
  const items = (query.data?.pages.flatMap((p) => p.items) ?? []).slice().reverse();
  return { ...query, items };
}

export function useTemplates(connectionId: string, q: string, enabled: boolean) {
  return useQuery({
    queryKey: inboxKeys.templateSearch(connectionId, q),
    queryFn: () => fetchTemplates(connectionId, q),
    enabled,
    staleTime: 60_000,
    placeholderData: keepPreviousData,
  });
}

/** The company's users (admins and owners only: agents may not list them). */
export function useUsers(enabled: boolean) {
  return useQuery({
    queryKey: inboxKeys.users(),
    queryFn: async () => (await unwrap(api.GET("/v1/users", { params: { query: { limit: 200 } } }))).items,
    enabled,
    staleTime: 60_000,
  });
}

/** The tag filter's choices, asked of the server as the user types (`GET /v1/tags?q=`, 20 at a time). */
export function useTagOptions(q: string): ComboboxResult {
  const found = useQuery({
    queryKey: [...inboxKeys.tags(), q],
    queryFn: async () => (await unwrap(api.GET("/v1/tags", { params: { query: { q: q || undefined, limit: 20 } } }))).items,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
  return { options: (found.data ?? []).map((t) => ({ id: t.id, label: t.name, color: t.color })), loading: found.isFetching, error: found.isError };
}

/** The chosen tag's name (the filter keeps only its id, in the URL). */
export function useTagName(id: string | undefined) {
  return useQuery({
    queryKey: [...inboxKeys.tags(), "id", id],
    queryFn: async () => (await unwrap(api.GET("/v1/tags", { params: { query: { id: [id!], limit: 1 } } }))).items[0]?.name ?? null,
    enabled: !!id,
    staleTime: 60_000,
  });
}

// ---- cache updates shared by mutations and live frames

/** Put a conversation's new state everywhere it is cached (the open one and every filtered list). */
export function storeConversation(client: QueryClient, conversation: Conversation, meId: string | undefined): void {
  client.setQueryData(inboxKeys.conversation(conversation.id), conversation);
  for (const [key, data] of client.getQueriesData<Pages<Conversation>>({ queryKey: inboxKeys.lists() })) {
    if (!data) continue;
    const filters = (key[2] ?? {}) as InboxFilters;
    client.setQueryData(key, upsertConversation(data, conversation, filters, meId));
  }
}

/**
 * Change the cached thread now, and once more when a fetch of it under way lands: a page of older messages is
 * built on the pages as they were when it was asked for, so it would drop what changed meanwhile (new messages,
 * a status). `update` must give the same result applied twice.
 */
export function patchThread(client: QueryClient, conversationId: string, update: (data: Pages<Message>) => Pages<Message>): void {
  const key = inboxKeys.messages(conversationId);
  const apply = () => client.setQueryData<Pages<Message>>(key, (data) => (data ? update(data) : data));
  apply();
  const query = client.getQueryCache().find({ queryKey: key, exact: true });
  if (query?.state.fetchStatus !== "fetching") return;
  const unsubscribe = client.getQueryCache().subscribe((event) => {
    if (event.query !== query || query.state.fetchStatus === "fetching") return;
    unsubscribe();
    apply();
  });
}

/**
 * Fetch the newest messages and merge them into the cached thread (new messages, a failure's reason), page
 * after page until the pages meet what is cached; a gap too long to walk refetches the thread.
 */
export async function refreshNewest(client: QueryClient, conversationId: string): Promise<void> {
  const key = inboxKeys.messages(conversationId);
  const cached = client.getQueryData<Pages<Message>>(key);
  if (!cached) return;
  const known = new Set(cached.pages.flatMap((p) => p.items.map((m) => m.id)));
  const items: Message[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 5; page++) {
    const newest = await fetchMessages(conversationId, cursor, 50);
    items.push(...newest.items);
    cursor = newest.next_cursor ?? undefined;
    if (!cursor || newest.items.some((m) => known.has(m.id))) {
      patchThread(client, conversationId, (data) => mergeNewest(data, { items }));
      return;
    }
  }
  await client.invalidateQueries({ queryKey: key });
}

// ---- mutations

function useConversationMutation<V>(meId: string | undefined, call: (v: V) => Promise<Conversation>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: call,
    onSuccess: (conversation) => storeConversation(client, conversation, meId),
  });
}

export function useAssign(id: string, meId: string | undefined) {
  return useConversationMutation(meId, (assigneeId: string | null) =>
    unwrap(api.PUT("/v1/conversations/{conversation_id}/assignee", { params: { path: { conversation_id: id } }, body: { assignee_id: assigneeId } })),
  );
}

export function useSetStatus(id: string, meId: string | undefined) {
  return useConversationMutation(meId, (target: "close" | "reopen") =>
    target === "close"
      ? unwrap(api.POST("/v1/conversations/{conversation_id}/close", { params: { path: { conversation_id: id } } }))
      : unwrap(api.POST("/v1/conversations/{conversation_id}/reopen", { params: { path: { conversation_id: id } } })),
  );
}

export function useMarkRead(id: string, meId: string | undefined) {
  return useConversationMutation(meId, () => unwrap(api.POST("/v1/conversations/{conversation_id}/read", { params: { path: { conversation_id: id } } })));
}

export function useReply(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: Reply) => unwrap(api.POST("/v1/conversations/{conversation_id}/messages", { params: { path: { conversation_id: id } }, body })),
    onSuccess: (message) => {
      patchThread(client, id, (data) => mergeNewest(data, { items: [message] }));
    },
  });
}

export function useAddNote(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: string) => unwrap(api.POST("/v1/conversations/{conversation_id}/notes", { params: { path: { conversation_id: id } }, body: { body } })),
    onSuccess: (note) =>
      client.setQueryData<Pages<Note>>(inboxKeys.notes(id), (data) =>
        data?.pages.length ? { ...data, pages: [{ ...data.pages[0]!, items: [note, ...data.pages[0]!.items] }, ...data.pages.slice(1)] } : data,
      ),
  });
}
