/** What the template screens look up elsewhere: the company's numbers, contacts to preview for, custom fields. */
import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Schema } from "@/lib/api/types";

export type Connection = Schema<"ConnectionRead">;
export type Contact = Schema<"ContactRead">;
export type CustomField = Schema<"CustomFieldRead">;

export const connectionsQuery = () => queryOptions({ queryKey: ["connections"], queryFn: () => unwrap(api.GET("/v1/connections")) });

export function useConnections() {
  return useQuery(connectionsQuery());
}

export function useCustomFields() {
  return useQuery({ queryKey: ["custom-fields"], queryFn: () => unwrap(api.GET("/v1/custom-fields")), staleTime: 60_000 });
}

/** The first contacts matching a search (name, phone or email), to pick one for a preview. */
export function useContactSearch(q: string) {
  return useQuery({
    queryKey: ["contacts", "pick", q],
    queryFn: () => unwrap(api.GET("/v1/contacts", { params: { query: { q: q || undefined, limit: 20 } } })),
    placeholderData: keepPreviousData,
  });
}
