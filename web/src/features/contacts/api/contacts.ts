/** Contacts: `GET/POST /v1/contacts`, `GET/PATCH/DELETE /v1/contacts/{id}`, tags, consent, bulk actions, the CSV
 * export, one contact's conversations; and the pickers the table's filters need (tags, lists, segments, custom
 * fields: same query keys and shapes as the screens that manage them, so the cache is shared). */
import { keepPreviousData, queryOptions, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, fetchWithAuth, unwrap } from "@/lib/api/client";
import { toApiError } from "@/lib/api/problem";
import type { Schema } from "@/lib/api/types";
import { toSearch, type ContactQuery, type SegmentFilterShape } from "../components/contact-filters";

export type Contact = Schema<"ContactRead">;
export type ContactCreate = Schema<"ContactCreate">;
export type ContactUpdate = Schema<"ContactUpdate">;
export type Consent = Schema<"ConsentRead">;
export type ConsentChange = Schema<"ConsentChange">;
export type Channel = Consent["channel"];
export type BulkAction = Schema<"BulkAction">;
export type Conversation = Schema<"ConversationRead">;
export type TagOption = Schema<"TagRead">;
export type CustomFieldDef = Schema<"CustomFieldRead">;
export type SegmentFilter = Schema<"SegmentFilter">;

export const CHANNELS: readonly Channel[] = ["whatsapp", "sms"];
export const PAGE_SIZE = 100;

export const contactKeys = {
  all: ["contacts"] as const,
  list: (query: ContactQuery) => ["contacts", "list", query] as const,
  one: (id: string) => ["contacts", "one", id] as const,
  conversations: (id: string) => ["contacts", "conversations", id] as const,
};

export const getContacts = (query: ContactQuery, cursor: string | undefined, signal?: AbortSignal) =>
  unwrap(api.GET("/v1/contacts", { params: { query: { ...query, cursor, limit: PAGE_SIZE } }, signal }));
export const getContact = (id: string) => unwrap(api.GET("/v1/contacts/{contact_id}", { params: { path: { contact_id: id } } }));
export const createContact = (body: ContactCreate) => unwrap(api.POST("/v1/contacts", { body }));
export const updateContact = (id: string, body: ContactUpdate) =>
  unwrap(api.PATCH("/v1/contacts/{contact_id}", { params: { path: { contact_id: id } }, body }));
export const deleteContact = (id: string) => unwrap(api.DELETE("/v1/contacts/{contact_id}", { params: { path: { contact_id: id } } }));
export const tagContact = (id: string, tagId: string) =>
  unwrap(api.PUT("/v1/contacts/{contact_id}/tags/{tag_id}", { params: { path: { contact_id: id, tag_id: tagId } } }));
export const untagContact = (id: string, tagId: string) =>
  unwrap(api.DELETE("/v1/contacts/{contact_id}/tags/{tag_id}", { params: { path: { contact_id: id, tag_id: tagId } } }));
export const setConsent = (id: string, channel: Channel, body: ConsentChange) =>
  unwrap(api.PUT("/v1/contacts/{contact_id}/consent/{channel}", { params: { path: { contact_id: id, channel } }, body }));
export const bulkContacts = (body: BulkAction) => unwrap(api.POST("/v1/contacts/bulk", { body }));
export const getContactConversations = (id: string) =>
  unwrap(api.GET("/v1/conversations", { params: { query: { contact_id: id, limit: 20 } } }));

/** How many contacts a filter matches (`POST /v1/segments/preview`), before a bulk action on all of them. */
export function useMatchCount(filter: SegmentFilterShape | null, enabled: boolean) {
  return useQuery({
    queryKey: ["contacts", "match-count", filter],
    queryFn: ({ signal }) => unwrap(api.POST("/v1/segments/preview", { body: { filter: filter as SegmentFilter }, signal })),
    enabled: enabled && filter !== null,
  });
}

/** The table's rows: cursor pages of 100, the next one fetched as the user scrolls near the end. */
export function useContacts(query: ContactQuery) {
  const result = useInfiniteQuery({
    queryKey: contactKeys.list(query),
    queryFn: ({ pageParam, signal }) => getContacts(query, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    placeholderData: keepPreviousData,
  });
  const items = result.data?.pages.flatMap((p) => p.items) ?? [];
  return { ...result, items };
}

export const contactQuery = (id: string) => queryOptions({ queryKey: contactKeys.one(id), queryFn: () => getContact(id) });

export function useContact(id: string) {
  return useQuery(contactQuery(id));
}

export function useContactConversations(id: string) {
  return useQuery({ queryKey: contactKeys.conversations(id), queryFn: () => getContactConversations(id) });
}

/** A changed contact: its own query gets the answer, the table's pages are refetched. */
function useContactChanged() {
  const client = useQueryClient();
  return (contact: Contact) => {
    client.setQueryData(contactKeys.one(contact.id), contact);
    void client.invalidateQueries({ queryKey: ["contacts", "list"] });
  };
}

export function useCreateContact() {
  const changed = useContactChanged();
  return useMutation({ mutationFn: createContact, onSuccess: changed });
}

export function useUpdateContact(id: string) {
  const changed = useContactChanged();
  return useMutation({ mutationFn: (body: ContactUpdate) => updateContact(id, body), onSuccess: changed });
}

export function useTagContact(id: string) {
  const changed = useContactChanged();
  return useMutation({
    mutationFn: ({ tagId, add }: { tagId: string; add: boolean }) => (add ? tagContact(id, tagId) : untagContact(id, tagId)),
    onSuccess: changed,
  });
}

export function useSetConsent(id: string) {
  const changed = useContactChanged();
  return useMutation({ mutationFn: ({ channel, body }: { channel: Channel; body: ConsentChange }) => setConsent(id, channel, body), onSuccess: changed });
}

export function useDeleteContact() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: deleteContact,
    onSuccess: (_, id) => {
      client.removeQueries({ queryKey: contactKeys.one(id) });
      void client.invalidateQueries({ queryKey: contactKeys.all });
      void client.invalidateQueries({ queryKey: ["lists"] });
    },
  });
}

export function useBulkContacts() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: bulkContacts,
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: contactKeys.all });
      void client.invalidateQueries({ queryKey: ["lists"] });
      void client.invalidateQueries({ queryKey: ["segments"] });
    },
  });
}

/** Save a response as a file (a blob URL clicked, then revoked). */
export async function saveResponse(response: Response, fallbackName: string): Promise<void> {
  if (!response.ok) {
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    throw toApiError(body, response);
  }
  const disposition = response.headers.get("Content-Disposition") ?? "";
  const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** `GET /v1/contacts/export.csv` with the table's filters, downloaded with the session's token. */
export async function exportContacts(query: ContactQuery): Promise<void> {
  const search = toSearch(query);
  await saveResponse(await fetchWithAuth(`/v1/contacts/export.csv${search ? `?${search}` : ""}`), "contacts.csv");
}
