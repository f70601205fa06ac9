/** Campaigns: fetchers, query options and hooks (one place per call of the API). */
import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { fetchAllPages } from "@/lib/api/all-pages";
import { api, unwrap } from "@/lib/api/client";
import type { Schema } from "@/lib/api/types";
import { useCursorList } from "@/lib/hooks/use-cursor-list";
import { useRealtimeEvent } from "@/lib/realtime/hooks";
import { realtime } from "@/lib/realtime/socket";

export type Campaign = Schema<"CampaignRead">;
export type CampaignCreate = Schema<"CampaignCreate">;
export type CampaignUpdate = Schema<"CampaignUpdate">;
export type Progress = Schema<"Progress">;
export type Recipient = Schema<"RecipientRead">;
export type DeadLetter = Schema<"DeadLetterRead">;
export type Connection = Schema<"ConnectionRead">;
export type WhatsAppTemplate = Schema<"WhatsAppTemplateRead">;
export type LocalTemplate = Schema<"TemplateRead">;
export type Schedule = Schema<"Schedule">;
export type Pipeline = Schema<"PipelineRead">;

export const CAMPAIGN_STATUSES = ["draft", "scheduled", "running", "paused", "completed", "cancelled", "failed"] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
export const RECIPIENT_STATUSES = ["pending", "sending", "unknown", "sent", "delivered", "read", "failed", "skipped"] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];

export const keys = {
  all: ["campaigns"] as const,
  list: (status: CampaignStatus | "all") => ["campaigns", "list", status] as const,
  one: (id: string) => ["campaigns", "one", id] as const,
  progress: (id: string) => ["campaigns", "progress", id] as const,
  audience: (id: string) => ["campaigns", "audience", id] as const,
  recipients: (id: string, status: string, errorCode: string) => ["campaigns", "recipients", id, status, errorCode] as const,
  deadLetters: (includeRetried: boolean) => ["campaigns", "dead-letters", includeRetried] as const,
  connections: ["connections"] as const,
  templates: (connectionId: string) => ["connections", connectionId, "templates"] as const,
  pipelines: ["campaigns", "pipelines"] as const,
};

/** The company's pipelines with their stages (a campaign may open leads on one). */
export function usePipelines(enabled = true) {
  return useQuery({ queryKey: keys.pipelines, queryFn: () => unwrap(api.GET("/v1/pipelines")), enabled });
}

const PAGE = 20;

export function fetchCampaigns(status: CampaignStatus | "all", cursor: string | undefined) {
  return unwrap(api.GET("/v1/campaigns", { params: { query: { status: status === "all" ? undefined : status, cursor, limit: PAGE } } }));
}

export function useCampaigns(status: CampaignStatus | "all") {
  return useCursorList(keys.list(status), (cursor) => fetchCampaigns(status, cursor));
}

export const campaignQuery = (id: string) =>
  queryOptions({ queryKey: keys.one(id), queryFn: () => unwrap(api.GET("/v1/campaigns/{campaign_id}", { params: { path: { campaign_id: id } } })) });

export const progressQuery = (id: string) =>
  queryOptions({
    queryKey: keys.progress(id),
    queryFn: () => unwrap(api.GET("/v1/campaigns/{campaign_id}/progress", { params: { path: { campaign_id: id } } })),
    staleTime: 5_000,
  });

export function useCampaign(id: string, enabled = true) {
  return useQuery({ ...campaignQuery(id), enabled: enabled && Boolean(id) });
}

export function useProgress(id: string, enabled = true) {
  return useQuery({ ...progressQuery(id), enabled });
}

/** Is this frame's data a campaign's progress counts? */
export function isProgress(data: Record<string, unknown>): data is Progress & Record<string, unknown> {
  return typeof data.campaign_id === "string" && typeof data.total === "number" && typeof data.status === "string";
}

/** Put a `campaign.progress` frame into the cache: the counts as they are, and the campaign's state. */
export function applyProgressFrame(client: QueryClient, progress: Progress): boolean {
  client.setQueryData(keys.progress(progress.campaign_id), progress);
  const campaign = client.getQueryData<Campaign>(keys.one(progress.campaign_id));
  const moved = campaign !== undefined && campaign.status !== progress.status;
  if (campaign) client.setQueryData(keys.one(progress.campaign_id), { ...campaign, status: progress.status, total: progress.total });
  return moved;
}

/**
 * Follow a campaign's live progress while mounted: each `campaign.progress` frame patches the progress and the
 * campaign's state. The API sends at most one frame a second and drops the ones in between, so a quiet
 * moment after a frame is followed by one fresh read (the last statuses are never missed).
 */
export function useLiveProgress(ids: string[], onStateChange?: (id: string) => void) {
  const client = useQueryClient();
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  const key = ids.join(",");
  useTopics(ids.map((id) => `campaign:${id}`));
  useRealtimeEvent(["campaign.progress"], (frame) => {
    if (!isProgress(frame.data) || !key.split(",").includes(frame.data.campaign_id)) return;
    const progress = frame.data;
    const moved = applyProgressFrame(client, progress);
    if (moved) {
      void client.invalidateQueries({ queryKey: keys.one(progress.campaign_id) });
      void client.invalidateQueries({ queryKey: ["campaigns", "list"] });
      onStateChange?.(progress.campaign_id);
    }
    const pending = timers.current;
    clearTimeout(pending.get(progress.campaign_id));
    pending.set(
      progress.campaign_id,
      setTimeout(() => {
        void client.invalidateQueries({ queryKey: keys.progress(progress.campaign_id) });
        void client.invalidateQueries({ queryKey: ["campaigns", "recipients", progress.campaign_id] });
      }, 2_500),
    );
  });
  useEffect(() => {
    const pending = timers.current;
    return () => pending.forEach((timer) => clearTimeout(timer));
  }, []);
}

/** `useTopic` for a changing set of topics. */
function useTopics(topics: string[]) {
  const key = topics.join(" ");
  useEffect(() => {
    if (!key) return;
    const leave = key.split(" ").map((topic) => realtime.follow(topic));
    return () => leave.forEach((stop) => stop());
  }, [key]);
}

export function useRecipients(id: string, status: string, errorCode: string) {
  return useCursorList(keys.recipients(id, status, errorCode), (cursor) =>
    unwrap(
      api.GET("/v1/campaigns/{campaign_id}/recipients", {
        params: {
          path: { campaign_id: id },
          query: {
            status: status ? (status as RecipientStatus) : undefined,
            error_code: errorCode && /^\d+$/.test(errorCode) ? Number(errorCode) : undefined,
            cursor,
            limit: 50,
          },
        },
      }),
    ),
  );
}

export function useDeadLetters(includeRetried: boolean, enabled: boolean) {
  return useCursorList(
    keys.deadLetters(includeRetried),
    (cursor) => unwrap(api.GET("/v1/campaigns/dead-letters", { params: { query: { include_retried: includeRetried, cursor, limit: 50 } } })),
    enabled,
  );
}

export function useRetryDeadLetter() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.POST("/v1/campaigns/dead-letters/{dead_letter_id}/retry", { params: { path: { dead_letter_id: id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.all }),
  });
}

function useCampaignMutation<V>(fn: (vars: V) => Promise<Campaign>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (campaign) => {
      client.setQueryData(keys.one(campaign.id), campaign);
      void client.invalidateQueries({ queryKey: ["campaigns", "list"] });
      void client.invalidateQueries({ queryKey: keys.progress(campaign.id) });
    },
  });
}

export function useCreateCampaign() {
  return useCampaignMutation((body: CampaignCreate) => unwrap(api.POST("/v1/campaigns", { body })));
}

export function useUpdateCampaign() {
  return useCampaignMutation(({ id, body }: { id: string; body: CampaignUpdate }) =>
    unwrap(api.PATCH("/v1/campaigns/{campaign_id}", { params: { path: { campaign_id: id } }, body })),
  );
}

export function useScheduleCampaign() {
  return useCampaignMutation(({ id, body }: { id: string; body: Schedule }) =>
    unwrap(api.POST("/v1/campaigns/{campaign_id}/schedule", { params: { path: { campaign_id: id } }, body })),
  );
}

export type Action = "pause" | "resume" | "cancel";

export function useCampaignAction() {
  return useCampaignMutation(({ id, action }: { id: string; action: Action }) => {
    const params = { params: { path: { campaign_id: id } } };
    if (action === "pause") return unwrap(api.POST("/v1/campaigns/{campaign_id}/pause", params));
    if (action === "resume") return unwrap(api.POST("/v1/campaigns/{campaign_id}/resume", params));
    return unwrap(api.POST("/v1/campaigns/{campaign_id}/cancel", params));
  });
}

export function useDeleteCampaign() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/v1/campaigns/{campaign_id}", { params: { path: { campaign_id: id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["campaigns", "list"] }),
  });
}

export function fetchAudienceCount(id: string) {
  return unwrap(api.GET("/v1/campaigns/{campaign_id}/audience", { params: { path: { campaign_id: id } } }));
}

// What the wizard picks from: numbers, their templates, and the audience's building blocks.

/** How many numbers or templates a wizard step shows for a search (it asks the server again as the user types). */
export const WIZARD_PICK = 20;

/** The first numbers whose name, Meta's name or phone has `q` (`next_cursor`: more match). */
export function useConnections(q = "") {
  return useQuery({
    queryKey: [...keys.connections, "wizard", q],
    queryFn: () => unwrap(api.GET("/v1/connections", { params: { query: { q: q || undefined, limit: WIZARD_PICK } } })),
    placeholderData: keepPreviousData,
  });
}

/** The first local text templates (an SMS campaign's message) whose name or text has `q`, by name. */
export function useLocalTemplates(q = "", enabled = true) {
  return useQuery({
    queryKey: ["templates", "local", "wizard", q],
    queryFn: () => unwrap(api.GET("/v1/templates", { params: { query: { q: q || undefined, limit: WIZARD_PICK } } })),
    enabled,
    placeholderData: keepPreviousData,
  });
}

export function useLocalTemplate(id: string | null | undefined) {
  return useQuery({
    queryKey: ["templates", "local", "one", id],
    queryFn: () => unwrap(api.GET("/v1/templates/{template_id}", { params: { path: { template_id: id! } } })),
    enabled: Boolean(id),
  });
}

/** The first templates of a number whose name has `q`, by name (`next_cursor`: more match). */
export function useTemplates(connectionId: string | undefined, q = "") {
  return useQuery({
    queryKey: [...keys.templates(connectionId ?? ""), q],
    queryFn: () =>
      unwrap(api.GET("/v1/connections/{connection_id}/templates", { params: { path: { connection_id: connectionId! }, query: { q: q || undefined, limit: WIZARD_PICK } } })),
    enabled: Boolean(connectionId),
    placeholderData: keepPreviousData,
  });
}

/** The template picked from a search is the one shown (and its parameters) without asking for it again. */
export function rememberTemplate(client: QueryClient, template: WhatsAppTemplate) {
  client.setQueryData(["whatsapp-templates", template.id], template);
}

export function useSyncTemplates() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (connectionId: string) =>
      unwrap(api.POST("/v1/connections/{connection_id}/templates/sync", { params: { path: { connection_id: connectionId } } })),
    onSuccess: (_, connectionId) => client.invalidateQueries({ queryKey: keys.templates(connectionId) }),
  });
}

// The audience's pickers: tags, lists and segments searched on the server (`q`, the first 20 by name), and the
// chosen ones fetched by id to name them.
const AUDIENCE_PICK = 20;
export type AudienceItem = { id: string; name: string; color?: string; count?: number };
type NameQuery = { q?: string; id?: string[]; limit: number };

const audienceFetchers = {
  tags: (query: NameQuery): Promise<AudienceItem[]> => unwrap(api.GET("/v1/tags", { params: { query } })).then((p) => p.items),
  lists: (query: NameQuery): Promise<AudienceItem[]> =>
    unwrap(api.GET("/v1/lists", { params: { query } })).then((p) => p.items.map((l) => ({ id: l.id, name: l.name, count: l.member_count }))),
  segments: (query: NameQuery): Promise<AudienceItem[]> =>
    unwrap(api.GET("/v1/segments", { params: { query } })).then((p) => p.items.map((s) => ({ id: s.id, name: s.name, count: s.count }))),
};
export type AudienceKind = keyof typeof audienceFetchers;

/** The first tags, lists or segments whose name contains `q` (with a list's or segment's count). */
export function useAudienceSearch(kind: AudienceKind, q: string) {
  return useQuery({
    queryKey: [kind, "search", "audience", q],
    queryFn: () => audienceFetchers[kind]({ q: q || undefined, limit: AUDIENCE_PICK }),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}

/** The chosen ones by id; a deleted one is missing. */
export function useAudienceChosen(kind: AudienceKind, ids: string[]) {
  return useQuery({
    queryKey: [kind, "ids", "audience", [...ids].sort()],
    queryFn: () => audienceFetchers[kind]({ id: ids, limit: 200 }),
    enabled: ids.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}

/** Every custom field, page after page: a company's custom fields are its schema (a handful), all offered for parameters. */
export function useCustomFields() {
  return useQuery({
    queryKey: ["custom-fields", "all"],
    queryFn: () => fetchAllPages((cursor) => unwrap(api.GET("/v1/custom-fields", { params: { query: { cursor, limit: 200 } } }))),
  });
}

export function useContactSearch(q: string) {
  return useQuery({
    queryKey: ["contacts", "search", q],
    queryFn: () => unwrap(api.GET("/v1/contacts", { params: { query: { q, limit: 10 } } })),
    enabled: q.trim().length > 0,
  });
}

export function useContact(id: string) {
  return useQuery({
    queryKey: ["contacts", "one", id],
    queryFn: () => unwrap(api.GET("/v1/contacts/{contact_id}", { params: { path: { contact_id: id } } })),
  });
}

export function useWhatsAppTemplate(id: string | null | undefined) {
  return useQuery({
    queryKey: ["whatsapp-templates", id],
    queryFn: () => unwrap(api.GET("/v1/whatsapp-templates/{whatsapp_template_id}", { params: { path: { whatsapp_template_id: id! } } })),
    enabled: Boolean(id),
  });
}

export function useConnection(id: string | null | undefined) {
  return useQuery({
    queryKey: ["connections", "one", id],
    queryFn: () => unwrap(api.GET("/v1/connections/{connection_id}", { params: { path: { connection_id: id! } } })),
    enabled: Boolean(id),
  });
}
