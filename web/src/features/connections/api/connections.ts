/** The company's numbers (WhatsApp on Meta's Cloud API, SMS on AWS End User Messaging): list (a page at a time),
 * connect, test (WhatsApp), rename / replace secrets or change SMS settings, delete. */
import { useMutation, useQueryClient, type InfiniteData } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Schema } from "@/lib/api/types";
import { useCursorList } from "@/lib/hooks/use-cursor-list";

export type Connection = Schema<"ConnectionRead">;
export type ConnectionCreated = Schema<"ConnectionCreated">;
export type MetaConnectionCreate = Schema<"MetaConnectionCreate">;
export type SmsConnectionCreate = Schema<"SmsConnectionCreate">;
export type ConnectionCreate = MetaConnectionCreate | SmsConnectionCreate;
export type Provider = Connection["provider"];
export type ConnectionUpdate = Schema<"ConnectionUpdate">;

export type ConnectionPage = Schema<"Page_ConnectionRead_">;
export type ConnectionPages = InfiniteData<ConnectionPage, unknown>;

export interface ConnectionFilters {
  q: string;
  status: "" | "active" | "failing";
  channel: "" | "whatsapp" | "sms";
}

export const CONNECTION_PAGE = 50;

export const connectionKeys = {
  /** Every cached list or pick of numbers, whichever screen asked (after a number is added or deleted). */
  any: ["connections"] as const,
  all: ["connections", "screen"] as const,
  list: (filters: ConnectionFilters) => ["connections", "screen", filters] as const,
};

/** One page, oldest first; `q` (name, Meta's name, phone or SMS origination), status and channel are matched on the server. */
export function listConnections(filters: ConnectionFilters, cursor: string | undefined): Promise<ConnectionPage> {
  const query = { q: filters.q || undefined, status: filters.status || undefined, channel: filters.channel || undefined, cursor, limit: CONNECTION_PAGE };
  return unwrap(api.GET("/v1/connections", { params: { query } }));
}

export function useConnections(filters: ConnectionFilters) {
  return useCursorList(connectionKeys.list(filters), (cursor) => listConnections(filters, cursor));
}

/** Put one connection's fresh state in the cached pages (after test or edit), without refetching the list. */
function useReplaceInList() {
  const client = useQueryClient();
  return (connection: Connection) =>
    client.setQueriesData<ConnectionPages>({ queryKey: connectionKeys.all }, (data) =>
      data ? { ...data, pages: data.pages.map((p) => ({ ...p, items: p.items.map((c) => (c.id === connection.id ? connection : c)) })) } : data,
    );
}

export function useCreateConnection() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: ConnectionCreate) => unwrap(api.POST("/v1/connections", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: connectionKeys.any }),
  });
}

export function useUpdateConnection() {
  const replace = useReplaceInList();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: ConnectionUpdate }) =>
      unwrap(api.PATCH("/v1/connections/{connection_id}", { params: { path: { connection_id: id } }, body })),
    onSuccess: replace,
  });
}

export function useTestConnection() {
  const replace = useReplaceInList();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.POST("/v1/connections/{connection_id}/test", { params: { path: { connection_id: id } } })),
    onSuccess: replace,
  });
}

export function useDeleteConnection() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/v1/connections/{connection_id}", { params: { path: { connection_id: id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: connectionKeys.any }),
  });
}
