/** The pipelines' API calls: fetchers, query keys and options, hooks (the board, a lead, settings). */
import { queryOptions, useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { api, unwrap } from "@/lib/api/client";
import { ApiError } from "@/lib/api/problem";
import type { Schema } from "@/lib/api/types";
import { appendPage, findLead, placeLead, replaceLead, type Board, type Lead, type Neighbours } from "../lib/board";
import { boardIsStale, withoutSuggestion } from "../lib/suggestion";

export type Pipeline = Schema<"PipelineRead">;
export type AppointmentCreate = Schema<"AppointmentCreate">;
export type Appointment = Schema<"AppointmentRead">;
export type Timeline = Schema<"Timeline">;
export type LeadUpdate = Schema<"LeadUpdate">;
export type StageCreate = Schema<"StageCreate">;
export type StageUpdate = Schema<"StageUpdate">;
export type User = Schema<"UserRead">;
export type Tag = Schema<"TagRead">;
export type Source = Lead["source"];
export const SOURCES: Source[] = ["manual", "conversation", "campaign", "import", "api"];
export const SEMANTIC_TYPES = ["open", "meeting_scheduled", "won", "lost"] as const;

export const CARDS_PER_PAGE = 25;

export interface BoardFilters {
  owner?: string; // a user id, or "unassigned"
  tag?: string;
  valueMin?: string;
  valueMax?: string;
  dueFrom?: string;
  dueTo?: string;
  source?: Source;
}

export const pipelineKeys = {
  all: ["pipelines"] as const,
  list: () => ["pipelines", "list"] as const,
  boards: (pipelineId: string) => ["pipelines", "board", pipelineId] as const,
  board: (pipelineId: string, filters: BoardFilters) => ["pipelines", "board", pipelineId, filters] as const,
  lead: (id: string) => ["pipelines", "lead", id] as const,
  timeline: (id: string) => ["pipelines", "timeline", id] as const,
  appointments: (id: string) => ["pipelines", "appointments", id] as const,
  users: () => ["pipelines", "users"] as const,
  tags: () => ["pipelines", "tags"] as const,
};

function filterQuery(filters: BoardFilters) {
  return {
    owner_id: filters.owner && filters.owner !== "unassigned" ? filters.owner : undefined,
    unassigned: filters.owner === "unassigned" ? true : undefined,
    tag_id: filters.tag ? [filters.tag] : undefined,
    value_min: filters.valueMin || undefined,
    value_max: filters.valueMax || undefined,
    due_from: filters.dueFrom || undefined,
    due_to: filters.dueTo || undefined,
    source: filters.source ? [filters.source] : undefined,
  };
}

export const pipelinesQuery = () =>
  queryOptions({ queryKey: pipelineKeys.list(), queryFn: () => unwrap(api.GET("/v1/pipelines")) });

export function usePipelines() {
  return useQuery(pipelinesQuery());
}

export const boardQuery = (pipelineId: string, filters: BoardFilters) =>
  queryOptions({
    queryKey: pipelineKeys.board(pipelineId, filters),
    queryFn: () =>
      unwrap(api.GET("/v1/pipelines/{pipeline_id}/board", { params: { path: { pipeline_id: pipelineId }, query: { ...filterQuery(filters), limit: CARDS_PER_PAGE } } })),
  });

export function useBoard(pipelineId: string, filters: BoardFilters) {
  return useQuery(boardQuery(pipelineId, filters));
}

/** A column's next page, appended to the board in the cache. */
export async function loadMoreCards(client: QueryClient, pipelineId: string, filters: BoardFilters, stageId: string, cursor: string): Promise<void> {
  const page = await unwrap(
    api.GET("/v1/pipelines/{pipeline_id}/stages/{stage_id}/leads", {
      params: { path: { pipeline_id: pipelineId, stage_id: stageId }, query: { ...filterQuery(filters), cursor, limit: CARDS_PER_PAGE } },
    }),
  );
  client.setQueryData<Board>(pipelineKeys.board(pipelineId, filters), (board) => (board ? appendPage(board, stageId, page.items, page.next_cursor ?? null) : board));
}

export interface MoveVariables {
  lead: Lead;
  toStageId: string;
  /** Its index in the target column as shown. */
  index: number;
  neighbours: Neighbours;
  reason?: string;
  appointment?: AppointmentCreate;
}

/** A move, shown at once (optimistic) and put back when the server refuses it (a 409: the board as it is now). */
export function useMoveLead(pipelineId: string, filters: BoardFilters) {
  const client = useQueryClient();
  const key = pipelineKeys.board(pipelineId, filters);
  return useMutation({
    mutationFn: (v: MoveVariables) =>
      unwrap(
        api.POST("/v1/leads/{lead_id}/move", {
          params: { path: { lead_id: v.lead.id } },
          body: { to_stage_id: v.toStageId, version: v.lead.version, ...v.neighbours, reason: v.reason || undefined, appointment: v.appointment },
        }),
      ),
    onMutate: async (v) => {
      await client.cancelQueries({ queryKey: key });
      const before = client.getQueryData<Board>(key);
      if (before) client.setQueryData<Board>(key, placeLead(before, v.lead, v.toStageId, v.index));
      return { before };
    },
    onError: (error, v, context) => {
      if (context?.before) client.setQueryData(key, context.before);
      // a field error (an appointment's) is the dialog's to show; anything else is said here
      if (!(error instanceof ApiError && error.status === 422 && v.appointment)) toast.error(error.message);
      if (error instanceof ApiError && error.status === 409) void client.invalidateQueries({ queryKey: pipelineKeys.boards(pipelineId) });
    },
    onSuccess: (lead) => {
      client.setQueryData<Board>(key, (board) => (board ? replaceLead(board, lead) : board));
      client.setQueryData(pipelineKeys.lead(lead.id), lead);
      void client.invalidateQueries({ queryKey: pipelineKeys.timeline(lead.id) });
      void client.invalidateQueries({ queryKey: pipelineKeys.appointments(lead.id) });
    },
  });
}

/** Whether a live frame about a lead tells this board something it does not know yet. */
export function isNews(client: QueryClient, pipelineId: string, leadId: string, version: number): boolean {
  for (const [, board] of client.getQueriesData<Board>({ queryKey: pipelineKeys.boards(pipelineId) })) {
    const lead = board ? findLead(board, leadId) : undefined;
    if (lead && lead.version >= version) return false;
  }
  return true;
}

// ---- a lead

export function useLead(id: string | null) {
  return useQuery({
    queryKey: pipelineKeys.lead(id ?? ""),
    queryFn: () => unwrap(api.GET("/v1/leads/{lead_id}", { params: { path: { lead_id: id! } } })),
    enabled: !!id,
  });
}

export function useTimeline(id: string) {
  return useQuery({ queryKey: pipelineKeys.timeline(id), queryFn: () => unwrap(api.GET("/v1/leads/{lead_id}/timeline", { params: { path: { lead_id: id } } })) });
}

export function useAppointments(id: string) {
  return useQuery({
    queryKey: pipelineKeys.appointments(id),
    queryFn: () => unwrap(api.GET("/v1/leads/{lead_id}/appointments", { params: { path: { lead_id: id } } })),
  });
}

function useLeadChanged() {
  const client = useQueryClient();
  return (lead: Lead) => {
    client.setQueryData(pipelineKeys.lead(lead.id), lead);
    void client.invalidateQueries({ queryKey: pipelineKeys.boards(lead.pipeline_id) });
    void client.invalidateQueries({ queryKey: pipelineKeys.timeline(lead.id) });
  };
}

export function useUpdateLead(id: string) {
  const changed = useLeadChanged();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: LeadUpdate) => unwrap(api.PATCH("/v1/leads/{lead_id}", { params: { path: { lead_id: id } }, body })),
    onSuccess: changed,
    onError: (error) => {
      if (error instanceof ApiError && error.status === 409) void client.invalidateQueries({ queryKey: pipelineKeys.lead(id) });
    },
  });
}

export function useCloseLead(id: string) {
  const changed = useLeadChanged();
  return useMutation({
    mutationFn: (body: Schema<"LeadClose">) => unwrap(api.POST("/v1/leads/{lead_id}/close", { params: { path: { lead_id: id } }, body })),
    onSuccess: changed,
  });
}

export function useAddLeadNote(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: string) => unwrap(api.POST("/v1/leads/{lead_id}/notes", { params: { path: { lead_id: id } }, body: { body } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: pipelineKeys.timeline(id) }),
  });
}

export function useUsers() {
  return useQuery({
    queryKey: pipelineKeys.users(),
    queryFn: async () => (await unwrap(api.GET("/v1/users", { params: { query: { limit: 200 } } }))).items,
    staleTime: 60_000,
  });
}

export function useTags() {
  return useQuery({
    queryKey: pipelineKeys.tags(),
    queryFn: async () => (await unwrap(api.GET("/v1/tags", { params: { query: { limit: 100 } } }))).items,
    staleTime: 60_000,
  });
}

// ---- settings (admins and owners)

function useSettingsMutation<T>(fn: (body: T) => Promise<unknown>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => void client.invalidateQueries({ queryKey: pipelineKeys.all }),
  });
}

export const useCreatePipeline = () => useSettingsMutation((body: Schema<"PipelineCreate">) => unwrap(api.POST("/v1/pipelines", { body })));

export const useRenamePipeline = (pipelineId: string) =>
  useSettingsMutation((name: string) => unwrap(api.PATCH("/v1/pipelines/{pipeline_id}", { params: { path: { pipeline_id: pipelineId } }, body: { name } })));

export const useDeletePipeline = (pipelineId: string) =>
  useSettingsMutation(() => unwrap(api.DELETE("/v1/pipelines/{pipeline_id}", { params: { path: { pipeline_id: pipelineId } } })));

export const useAddStage = (pipelineId: string) =>
  useSettingsMutation((body: StageCreate) => unwrap(api.POST("/v1/pipelines/{pipeline_id}/stages", { params: { path: { pipeline_id: pipelineId } }, body })));

export const useUpdateStage = (pipelineId: string) =>
  useSettingsMutation(({ stageId, body }: { stageId: string; body: StageUpdate }) =>
    unwrap(api.PATCH("/v1/pipelines/{pipeline_id}/stages/{stage_id}", { params: { path: { pipeline_id: pipelineId, stage_id: stageId } }, body })),
  );

export const useReorderStages = (pipelineId: string) =>
  useSettingsMutation((stageIds: string[]) =>
    unwrap(api.PUT("/v1/pipelines/{pipeline_id}/stage-order", { params: { path: { pipeline_id: pipelineId } }, body: { stage_ids: stageIds } })),
  );

export const useArchiveStage = (pipelineId: string) =>
  useSettingsMutation(({ stageId, moveTo }: { stageId: string; moveTo: string }) =>
    unwrap(
      api.POST("/v1/pipelines/{pipeline_id}/stages/{stage_id}/archive", {
        params: { path: { pipeline_id: pipelineId, stage_id: stageId } },
        body: { move_to_stage_id: moveTo },
      }),
    ),
  );

export const useDeleteStage = (pipelineId: string) =>
  useSettingsMutation((stageId: string) =>
    unwrap(api.DELETE("/v1/pipelines/{pipeline_id}/stages/{stage_id}", { params: { path: { pipeline_id: pipelineId, stage_id: stageId } } })),
  );

// ---- a new lead, by hand

export type LeadCreate = Schema<"LeadCreate">;

/** Contacts matching `q` (name, phone, email), for the new lead's contact picker. */
export function useContactSearch(q: string) {
  return useQuery({
    queryKey: ["pipelines", "contacts", q],
    queryFn: async () => (await unwrap(api.GET("/v1/contacts", { params: { query: { q: q || undefined, limit: 20 } } }))).items,
    staleTime: 30_000,
  });
}

export function useCreateLead(pipelineId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: LeadCreate) => unwrap(api.POST("/v1/leads", { body })),
    onSuccess: (lead) => {
      client.setQueryData(pipelineKeys.lead(lead.id), lead);
      void client.invalidateQueries({ queryKey: pipelineKeys.boards(pipelineId) });
    },
  });
}

/** The contact's open lead that a 409 `open_lead_exists` names (its body carries it), if that is the error. */
export function existingOpenLead(error: unknown): Lead | null {
  if (!(error instanceof ApiError) || error.status !== 409 || error.problem.code !== "open_lead_exists") return null;
  const lead = error.problem.lead;
  return typeof lead === "object" && lead !== null && "id" in lead ? (lead as Lead) : null;
}

// ---- a lead's appointments

export type AppointmentUpdate = Schema<"AppointmentUpdate">;

function useAppointmentChanged(leadId: string) {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: pipelineKeys.appointments(leadId) });
    void client.invalidateQueries({ queryKey: pipelineKeys.timeline(leadId) });
  };
}

export function useCreateAppointment(leadId: string) {
  const changed = useAppointmentChanged(leadId);
  return useMutation({
    mutationFn: (body: AppointmentCreate) => unwrap(api.POST("/v1/leads/{lead_id}/appointments", { params: { path: { lead_id: leadId } }, body })),
    onSuccess: changed,
  });
}

/** A change to an appointment with the version seen; a 409 (it changed since) refreshes the list. */
export function useUpdateAppointment(leadId: string) {
  const changed = useAppointmentChanged(leadId);
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: AppointmentUpdate }) =>
      unwrap(api.PATCH("/v1/appointments/{appointment_id}", { params: { path: { appointment_id: id } }, body })),
    onSuccess: changed,
    onError: (error) => {
      if (error instanceof ApiError && error.status === 409) changed();
    },
  });
}

// ---- the AI's stage suggestions on the board

export interface SuggestionVariables {
  lead: Lead;
  suggestionId: string;
}

function useSuggestionDecided(pipelineId: string, filters: BoardFilters) {
  const client = useQueryClient();
  const key = pipelineKeys.board(pipelineId, filters);
  return {
    decided: (lead: Lead, moved: boolean) => {
      // an accepted suggestion moves the card to the top of its new stage (where the server puts it)
      client.setQueryData<Board>(key, (board) => (board ? (moved ? placeLead(board, lead, lead.stage_id, 0) : replaceLead(board, lead)) : board));
      client.setQueryData(pipelineKeys.lead(lead.id), lead);
      void client.invalidateQueries({ queryKey: pipelineKeys.boards(pipelineId) });
      void client.invalidateQueries({ queryKey: pipelineKeys.timeline(lead.id) });
      void client.invalidateQueries({ queryKey: pipelineKeys.appointments(lead.id) });
    },
    // decided elsewhere, stale, or the move clashed: the board as it is now
    refresh: (error: Error) => {
      if (boardIsStale(error)) void client.invalidateQueries({ queryKey: pipelineKeys.boards(pipelineId) });
    },
  };
}

/** Accept: the lead moves to the suggested stage as the user (into a meeting stage, with `appointment` when the
 * customer named no time: a 422 `appointment_required` first says so). */
export function useAcceptSuggestion(pipelineId: string, filters: BoardFilters) {
  const { decided, refresh } = useSuggestionDecided(pipelineId, filters);
  return useMutation({
    mutationFn: (v: SuggestionVariables & { appointment?: AppointmentCreate }) =>
      unwrap(
        api.POST("/v1/leads/{lead_id}/suggestions/{suggestion_id}/accept", {
          params: { path: { lead_id: v.lead.id, suggestion_id: v.suggestionId } },
          body: v.appointment ? { appointment: v.appointment } : {},
        }),
      ),
    onSuccess: (result) => decided(result.lead, true),
    onError: refresh,
  });
}

/** Reject (with an optional reason): the lead stays, the card loses its suggestion at once. */
export function useRejectSuggestion(pipelineId: string, filters: BoardFilters) {
  const client = useQueryClient();
  const key = pipelineKeys.board(pipelineId, filters);
  const { decided, refresh } = useSuggestionDecided(pipelineId, filters);
  return useMutation({
    mutationFn: (v: SuggestionVariables & { reason?: string }) =>
      unwrap(
        api.POST("/v1/leads/{lead_id}/suggestions/{suggestion_id}/reject", {
          params: { path: { lead_id: v.lead.id, suggestion_id: v.suggestionId } },
          body: v.reason ? { reason: v.reason } : {},
        }),
      ),
    onMutate: (v) => {
      const before = client.getQueryData<Board>(key);
      if (before) client.setQueryData<Board>(key, withoutSuggestion(before, v.lead.id));
      return { before };
    },
    onSuccess: (result) => decided(result.lead, false),
    onError: (error, _v, context) => {
      if (context?.before && !boardIsStale(error)) client.setQueryData(key, context.before);
      refresh(error);
    },
  });
}

/** How far the pipeline trusts the AI (admins and owners): its thresholds, and whether it may close leads. */
export const useUpdatePipelineAi = (pipelineId: string) =>
  useSettingsMutation((body: Pick<Schema<"PipelineUpdate">, "ai_auto_apply_threshold" | "ai_backward_threshold" | "ai_may_close">) =>
    unwrap(api.PATCH("/v1/pipelines/{pipeline_id}", { params: { path: { pipeline_id: pipelineId } }, body })),
  );
