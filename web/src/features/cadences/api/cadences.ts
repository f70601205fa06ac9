/** Cadences: the list, one cadence, its versions, and the changes (create, save, activate, pause, archive, delete). */
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Schema } from "@/lib/api/types";
import { useCursorList } from "@/lib/hooks/use-cursor-list";

export type Cadence = Schema<"CadenceRead">;
export type CadenceCreate = Schema<"CadenceCreate">;
export type CadenceUpdate = Schema<"CadenceUpdate">;
export type Version = Schema<"CadenceVersionRead">;

export const CADENCE_STATUSES = ["draft", "active", "paused", "archived"] as const;
export type CadenceStatus = (typeof CADENCE_STATUSES)[number];

export const cadenceKeys = {
  all: ["cadences"] as const,
  list: (status: CadenceStatus | "all") => ["cadences", "list", status] as const,
  search: (q: string) => ["cadences", "search", q] as const,
  one: (id: string) => ["cadences", "one", id] as const,
  versions: (id: string) => ["cadences", "versions", id] as const,
  enrollments: (id: string) => ["cadences", "enrollments", id] as const,
  enrollment: (id: string, enrollmentId: string) => ["cadences", "enrollments", id, "one", enrollmentId] as const,
  stats: (id: string, version: number | null) => ["cadences", "stats", id, version] as const,
  preview: (id: string, contactId: string, version: number | null) => ["cadences", "preview", id, contactId, version] as const,
};

const path = (id: string) => ({ params: { path: { cadence_id: id } } });

export function useCadences(status: CadenceStatus | "all") {
  return useCursorList(cadenceKeys.list(status), (cursor) =>
    unwrap(api.GET("/v1/cadences", { params: { query: { status: status === "all" ? undefined : status, cursor, limit: 20 } } })),
  );
}

export const cadenceQuery = (id: string) => queryOptions({ queryKey: cadenceKeys.one(id), queryFn: () => unwrap(api.GET("/v1/cadences/{cadence_id}", path(id))) });

export function useCadence(id: string) {
  return useQuery(cadenceQuery(id));
}

export function useVersions(id: string) {
  return useCursorList(cadenceKeys.versions(id), (cursor) =>
    unwrap(api.GET("/v1/cadences/{cadence_id}/versions", { params: { path: { cadence_id: id }, query: { cursor, limit: 20 } } })),
  );
}

/** One version (an enrollment's steps may be an older version's). */
export function useVersion(id: string, version: number | null) {
  return useQuery({
    queryKey: [...cadenceKeys.versions(id), "one", version],
    queryFn: () => unwrap(api.GET("/v1/cadences/{cadence_id}/versions/{version}", { params: { path: { cadence_id: id, version: version! } } })),
    enabled: version !== null,
    staleTime: Infinity, // a version never changes
  });
}

function useCadenceMutation<V>(fn: (vars: V) => Promise<Cadence>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (cadence) => {
      client.setQueryData(cadenceKeys.one(cadence.id), cadence);
      void client.invalidateQueries({ queryKey: ["cadences", "list"] });
      void client.invalidateQueries({ queryKey: cadenceKeys.versions(cadence.id) });
      void client.invalidateQueries({ queryKey: ["cadences", "stats", cadence.id] });
    },
  });
}

export function useCreateCadence() {
  return useCadenceMutation((body: CadenceCreate) => unwrap(api.POST("/v1/cadences", { body })));
}

export function useUpdateCadence() {
  return useCadenceMutation(({ id, body }: { id: string; body: CadenceUpdate }) => unwrap(api.PATCH("/v1/cadences/{cadence_id}", { ...path(id), body })));
}

export type CadenceAction = "activate" | "pause" | "archive";

export function useCadenceAction() {
  return useCadenceMutation(({ id, action }: { id: string; action: CadenceAction }) => {
    if (action === "activate") return unwrap(api.POST("/v1/cadences/{cadence_id}/activate", path(id)));
    if (action === "pause") return unwrap(api.POST("/v1/cadences/{cadence_id}/pause", path(id)));
    return unwrap(api.POST("/v1/cadences/{cadence_id}/archive", path(id)));
  });
}

export function useDeleteCadence() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/v1/cadences/{cadence_id}", path(id))),
    onSuccess: () => client.invalidateQueries({ queryKey: ["cadences", "list"] }),
  });
}

/** Move the live enrollments of an older version to the current one. */
export function useMoveEnrollments(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (fromVersion: number) => unwrap(api.POST("/v1/cadences/{cadence_id}/enrollments/move", { ...path(id), body: { from_version: fromVersion } })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: cadenceKeys.versions(id) });
      void client.invalidateQueries({ queryKey: cadenceKeys.enrollments(id) });
      void client.invalidateQueries({ queryKey: ["cadences", "stats", id] });
    },
  });
}
