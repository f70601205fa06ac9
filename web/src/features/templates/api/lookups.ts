/** What the template screens look up elsewhere: the company's numbers, contacts to preview for, custom fields. */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { fetchAllPages } from "@/lib/api/all-pages";
import { api, unwrap } from "@/lib/api/client";
import type { Schema } from "@/lib/api/types";

export type Connection = Schema<"ConnectionRead">;
export type Contact = Schema<"ContactRead">;
export type CustomField = Schema<"CustomFieldRead">;

/** How many numbers a picker shows for a search (it asks the server again as the user types). */
export const PICK_LIMIT = 20;

/** The WhatsApp numbers matching a search (name, Meta's name or phone), for the number picker (WhatsApp templates are a WhatsApp number's: an SMS sender has none). */
export function useConnectionSearch(q: string) {
  return useQuery({
    queryKey: ["connections", "pick", "whatsapp", q],
    queryFn: () => unwrap(api.GET("/v1/connections", { params: { query: { q: q || undefined, channel: "whatsapp", limit: PICK_LIMIT } } })),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}

/** One number (the one chosen). */
export function useConnection(id: string | undefined) {
  return useQuery({
    queryKey: ["connections", "one", id],
    queryFn: () => unwrap(api.GET("/v1/connections/{connection_id}", { params: { path: { connection_id: id! } } })),
    enabled: !!id,
    staleTime: 30_000,
  });
}

/** Every custom field, page after page: a company's custom fields are its schema (a handful), all offered as variables. */
export function useCustomFields() {
  return useQuery({
    queryKey: ["custom-fields", "all"],
    queryFn: () => fetchAllPages((cursor) => unwrap(api.GET("/v1/custom-fields", { params: { query: { cursor, limit: 200 } } }))),
    staleTime: 60_000,
  });
}

/** The first contacts matching a search (name, phone or email), to pick one for a preview. */
export function useContactSearch(q: string) {
  return useQuery({
    queryKey: ["contacts", "pick", q],
    queryFn: () => unwrap(api.GET("/v1/contacts", { params: { query: { q: q || undefined, limit: 20 } } })),
    placeholderData: keepPreviousData,
  });
}
