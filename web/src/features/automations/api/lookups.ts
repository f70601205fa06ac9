/** What a rule's trigger, conditions and actions pick from: users, tags, segments, pipelines with their stages,
 * numbers, their approved templates, campaigns, cadences and custom fields (searched on the server where the API
 * searches; the chosen ones read by id to name them). Cadences to pick come from the cadences feature. */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { ComboboxResult } from "@/components/ui/combobox";
import { fetchAllPages } from "@/lib/api/all-pages";
import { api, unwrap } from "@/lib/api/client";

const PICK = 20;
const quick = { placeholderData: keepPreviousData, staleTime: 30_000 } as const;

type Named = { id: string; name: string; color?: string };
type NamedQuery = { q?: string; id?: string[]; limit: number };
const named = {
  tags: (query: NamedQuery): Promise<Named[]> => unwrap(api.GET("/v1/tags", { params: { query } })).then((p) => p.items),
  segments: (query: NamedQuery): Promise<Named[]> => unwrap(api.GET("/v1/segments", { params: { query } })).then((p) => p.items),
};
export type NamedKind = keyof typeof named;

/** The first tags or segments whose name has `q`, as a picker's options. */
export function useNamedOptions(kind: NamedKind, q: string): ComboboxResult {
  const found = useQuery({ queryKey: [kind, "search", "automation-pick", q], queryFn: () => named[kind]({ q: q || undefined, limit: PICK }), ...quick });
  return { options: (found.data ?? []).map((o) => ({ id: o.id, label: o.name, color: o.color })), loading: found.isFetching, error: found.isError };
}

/** One tag or segment by id (to name the chosen one); null when deleted. */
export function useNamed(kind: NamedKind, id: string | null | undefined) {
  return useQuery({
    queryKey: [kind, "ids", "automation-pick", id],
    queryFn: () => named[kind]({ id: [id!], limit: 1 }).then((items) => items[0] ?? null),
    enabled: Boolean(id),
    staleTime: 60_000,
  });
}

/** The company's active users (a company has a team, not thousands). */
export function useUsers() {
  return useQuery({
    queryKey: ["users", "automation-pick"],
    queryFn: async () => (await unwrap(api.GET("/v1/users", { params: { query: { limit: 200 } } }))).items.filter((u) => u.is_active),
    staleTime: 60_000,
  });
}

/** Every pipeline with its stages (a company has a few). */
export function usePipelines() {
  return useQuery({ queryKey: ["pipelines", "automation-pick"], queryFn: () => unwrap(api.GET("/v1/pipelines")), staleTime: 60_000 });
}

/** Every number (a company has a handful). */
export function useConnections() {
  return useQuery({
    queryKey: ["connections", "all"],
    queryFn: () => fetchAllPages((cursor) => unwrap(api.GET("/v1/connections", { params: { query: { cursor, limit: 200 } } }))),
    staleTime: 60_000,
  });
}

/** A number's approved templates whose name has `q`. */
export function useTemplateOptions(connectionId: string, q: string): ComboboxResult {
  const found = useQuery({
    queryKey: ["connections", connectionId, "templates", "automation-pick", q],
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

/** The company's latest campaigns whose name has `q` (the API pages them newest first and has no search). */
export function useCampaignOptions(q: string): ComboboxResult {
  const found = useQuery({
    queryKey: ["campaigns", "automation-pick"],
    queryFn: () => unwrap(api.GET("/v1/campaigns", { params: { query: { limit: 200 } } })).then((p) => p.items),
    ...quick,
  });
  const needle = q.trim().toLocaleLowerCase();
  const options = (found.data ?? []).filter((c) => !needle || c.name.toLocaleLowerCase().includes(needle)).slice(0, PICK);
  return { options: options.map((c) => ({ id: c.id, label: c.name })), loading: found.isFetching, error: found.isError };
}

export function useCampaign(id: string | null | undefined) {
  return useQuery({
    queryKey: ["campaigns", "one", id],
    queryFn: () => unwrap(api.GET("/v1/campaigns/{campaign_id}", { params: { path: { campaign_id: id! } } })),
    enabled: Boolean(id),
    staleTime: 60_000,
  });
}

export function useCadenceName(id: string | null | undefined) {
  return useQuery({
    queryKey: ["cadences", "one", id],
    queryFn: () => unwrap(api.GET("/v1/cadences/{cadence_id}", { params: { path: { cadence_id: id! } } })),
    enabled: Boolean(id),
    staleTime: 60_000,
    select: (c) => c.name,
  });
}

export function useCustomFields() {
  return useQuery({
    queryKey: ["custom-fields", "all"],
    queryFn: () => fetchAllPages((cursor) => unwrap(api.GET("/v1/custom-fields", { params: { query: { cursor, limit: 200 } } }))),
    staleTime: 60_000,
  });
}
