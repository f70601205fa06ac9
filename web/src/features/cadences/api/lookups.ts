/** What the builder and the enrollments pick from: numbers, their templates, tags, stages, users, segments, lists,
 * contacts and custom fields (searched on the server as the user types; the chosen ones read by id to name them). */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { ComboboxResult } from "@/components/ui/combobox";
import { fetchAllPages } from "@/lib/api/all-pages";
import { api, unwrap } from "@/lib/api/client";
import type { Schema } from "@/lib/api/types";

export type Connection = Schema<"ConnectionRead">;
export type WhatsAppTemplate = Schema<"WhatsAppTemplateRead">;
export type Pipeline = Schema<"PipelineRead">;

const PICK = 20;
const quick = { placeholderData: keepPreviousData, staleTime: 30_000 } as const;

export function useConnectionOptions(q: string): ComboboxResult {
  const found = useQuery({
    queryKey: ["connections", "cadence-pick", q],
    queryFn: () => unwrap(api.GET("/v1/connections", { params: { query: { q: q || undefined, limit: PICK } } })),
    ...quick,
  });
  return {
    options: (found.data?.items ?? []).map((c) => ({ id: c.id, label: c.name, hint: c.display_phone_number ?? c.channel })),
    loading: found.isFetching,
    error: found.isError,
  };
}

/** Every number (a company has a handful), to name each cadence's in the list. */
export function useAllConnections() {
  return useQuery({
    queryKey: ["connections", "all"],
    queryFn: () => fetchAllPages((cursor) => unwrap(api.GET("/v1/connections", { params: { query: { cursor, limit: 200 } } }))),
    staleTime: 60_000,
  });
}

export function useConnection(id: string | null | undefined) {
  return useQuery({
    queryKey: ["connections", "one", id],
    queryFn: () => unwrap(api.GET("/v1/connections/{connection_id}", { params: { path: { connection_id: id! } } })),
    enabled: Boolean(id),
  });
}

/** A number's approved templates whose name has `q`. */
export function useTemplateOptions(connectionId: string, q: string): ComboboxResult {
  const found = useQuery({
    queryKey: ["connections", connectionId, "templates", "cadence-pick", q],
    queryFn: () => unwrap(api.GET("/v1/connections/{connection_id}/templates", { params: { path: { connection_id: connectionId }, query: { q: q || undefined, limit: PICK } } })),
    enabled: Boolean(connectionId),
    ...quick,
  });
  const approved = (found.data?.items ?? []).filter((t) => t.status.toUpperCase() === "APPROVED");
  return { options: approved.map((t) => ({ id: t.id, label: t.name, hint: t.language })), loading: found.isFetching, error: found.isError };
}

export function useTemplate(id: string | null | undefined) {
  return useQuery({
    queryKey: ["whatsapp-templates", id],
    queryFn: () => unwrap(api.GET("/v1/whatsapp-templates/{whatsapp_template_id}", { params: { path: { whatsapp_template_id: id! } } })),
    enabled: Boolean(id),
    staleTime: 60_000,
  });
}

type Named = { id: string; name: string; color?: string };
const named = {
  tags: (query: { q?: string; id?: string[]; limit: number }): Promise<Named[]> => unwrap(api.GET("/v1/tags", { params: { query } })).then((p) => p.items),
  segments: (query: { q?: string; id?: string[]; limit: number }): Promise<Named[]> => unwrap(api.GET("/v1/segments", { params: { query } })).then((p) => p.items),
  lists: (query: { q?: string; id?: string[]; limit: number }): Promise<Named[]> => unwrap(api.GET("/v1/lists", { params: { query } })).then((p) => p.items),
};
export type NamedKind = keyof typeof named;

/** The first tags, segments or lists whose name has `q`, as a picker's options. */
export function useNamedOptions(kind: NamedKind, q: string): ComboboxResult {
  const found = useQuery({ queryKey: [kind, "search", "cadence-pick", q], queryFn: () => named[kind]({ q: q || undefined, limit: PICK }), ...quick });
  return { options: (found.data ?? []).map((o) => ({ id: o.id, label: o.name, color: o.color })), loading: found.isFetching, error: found.isError };
}

/** One tag, segment or list by id (to name the chosen one); undefined while loading or when deleted. */
export function useNamed(kind: NamedKind, id: string | null | undefined) {
  return useQuery({
    queryKey: [kind, "ids", "cadence-pick", id],
    queryFn: () => named[kind]({ id: [id!], limit: 1 }).then((items) => items[0] ?? null),
    enabled: Boolean(id),
    staleTime: 60_000,
  });
}

/** Every pipeline with its stages (a company has a few). */
export function usePipelines() {
  return useQuery({ queryKey: ["pipelines", "cadence-pick"], queryFn: () => unwrap(api.GET("/v1/pipelines")), staleTime: 60_000 });
}

/** The company's users (a notification's recipient). */
export function useUsers() {
  return useQuery({
    queryKey: ["users", "cadence-pick"],
    queryFn: async () => (await unwrap(api.GET("/v1/users", { params: { query: { limit: 200 } } }))).items.filter((u) => u.is_active),
    staleTime: 60_000,
  });
}

export function useCustomFields() {
  return useQuery({
    queryKey: ["custom-fields", "all"],
    queryFn: () => fetchAllPages((cursor) => unwrap(api.GET("/v1/custom-fields", { params: { query: { cursor, limit: 200 } } }))),
    staleTime: 60_000,
  });
}

export function useContactOptions(q: string): ComboboxResult & { byId: Map<string, Schema<"ContactRead">> } {
  const found = useQuery({
    queryKey: ["contacts", "search", "cadence-pick", q],
    queryFn: () => unwrap(api.GET("/v1/contacts", { params: { query: { q: q || undefined, limit: PICK } } })),
    ...quick,
  });
  const items = found.data?.items ?? [];
  return {
    options: items.map((c) => ({ id: c.id, label: c.name || c.phone, hint: c.name ? c.phone : undefined })),
    loading: found.isFetching,
    error: found.isError,
    byId: new Map(items.map((c) => [c.id, c])),
  };
}
