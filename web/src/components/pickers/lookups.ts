/** The company's entities a form picks from, shared by the screens that pick them: tags, segments and lists
 * (searched on the server as the user types; the chosen one read by id to name it), numbers, a number's approved
 * templates, pipelines with their stages, active users and custom fields (a company has a handful of each: loaded
 * whole). */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { ComboboxResult } from "@/components/ui/combobox";
import { fetchAllPages } from "@/lib/api/all-pages";
import { api, unwrap } from "@/lib/api/client";

/** How many options a searched picker shows (it asks the server again as the user types). */
export const PICK = 20;
export const quick = { placeholderData: keepPreviousData, staleTime: 30_000 } as const;

type Named = { id: string; name: string; color?: string };
type NamedQuery = { q?: string; id?: string[]; limit: number };
const named = {
  tags: (query: NamedQuery): Promise<Named[]> => unwrap(api.GET("/v1/tags", { params: { query } })).then((p) => p.items),
  segments: (query: NamedQuery): Promise<Named[]> => unwrap(api.GET("/v1/segments", { params: { query } })).then((p) => p.items),
  lists: (query: NamedQuery): Promise<Named[]> => unwrap(api.GET("/v1/lists", { params: { query } })).then((p) => p.items),
};
export type NamedKind = keyof typeof named;

/** The first tags, segments or lists whose name has `q`, as a picker's options. */
export function useNamedOptions(kind: NamedKind, q: string): ComboboxResult {
  const found = useQuery({ queryKey: [kind, "search", "pick", q], queryFn: () => named[kind]({ q: q || undefined, limit: PICK }), ...quick });
  return { options: (found.data ?? []).map((o) => ({ id: o.id, label: o.name, color: o.color })), loading: found.isFetching, error: found.isError };
}

/** One tag, segment or list by id (to name the chosen one); null when deleted. */
export function useNamed(kind: NamedKind, id: string | null | undefined) {
  return useQuery({
    queryKey: [kind, "ids", "pick", id],
    queryFn: () => named[kind]({ id: [id!], limit: 1 }).then((items) => items[0] ?? null),
    enabled: Boolean(id),
    staleTime: 60_000,
  });
}

/** The numbers whose name or phone has `q`. */
export function useConnectionOptions(q: string): ComboboxResult {
  const found = useQuery({
    queryKey: ["connections", "search", "pick", q],
    queryFn: () => unwrap(api.GET("/v1/connections", { params: { query: { q: q || undefined, limit: PICK } } })),
    ...quick,
  });
  return {
    options: (found.data?.items ?? []).map((c) => ({ id: c.id, label: c.name, hint: c.display_phone_number ?? c.channel })),
    loading: found.isFetching,
    error: found.isError,
  };
}

/** Every number (a company has a handful). */
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
    staleTime: 30_000,
  });
}

/** A number's approved templates whose name has `q`. */
export function useTemplateOptions(connectionId: string, q: string): ComboboxResult {
  const found = useQuery({
    queryKey: ["connections", connectionId, "templates", "pick", q],
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

/** Every pipeline with its stages (a company has a few). */
export function usePipelines() {
  return useQuery({ queryKey: ["pipelines", "pick"], queryFn: () => unwrap(api.GET("/v1/pipelines")), staleTime: 60_000 });
}

/** The company's active users (a company has a team, not thousands). */
export function useActiveUsers() {
  return useQuery({
    queryKey: ["users", "pick"],
    queryFn: async () => (await unwrap(api.GET("/v1/users", { params: { query: { limit: 200 } } }))).items.filter((u) => u.is_active),
    staleTime: 60_000,
  });
}

/** Every custom field, page after page: a company's custom fields are its schema (a handful). */
export function useCustomFields() {
  return useQuery({
    queryKey: ["custom-fields", "all"],
    queryFn: () => fetchAllPages((cursor) => unwrap(api.GET("/v1/custom-fields", { params: { query: { cursor, limit: 200 } } }))),
    staleTime: 60_000,
  });
}
