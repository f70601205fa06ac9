/** What a cadence's page reads about how it runs: per-step statistics (followed live), the timeline preview for a
 * contact, and one contact enrolled by hand. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { api, unwrap } from "@/lib/api/client";
import type { Schema } from "@/lib/api/types";
import { useRealtimeEvent, useTopic } from "@/lib/realtime/hooks";
import { applyFrame, CADENCE_EVENTS, frameCadence } from "../lib/live";
import { cadenceKeys } from "./cadences";

export type CadenceStats = Schema<"CadenceStats">;
export type Preview = Schema<"CadencePreview">;

export function useStats(id: string, version: number | null) {
  return useQuery({
    queryKey: cadenceKeys.stats(id, version),
    queryFn: () => unwrap(api.GET("/v1/cadences/{cadence_id}/stats", { params: { path: { cadence_id: id }, query: { version: version ?? undefined } } })),
    placeholderData: keepPreviousData,
  });
}

export function usePreview(id: string, contactId: string, version: number | null, enabled: boolean) {
  return useQuery({
    queryKey: cadenceKeys.preview(id, contactId, version),
    queryFn: () =>
      unwrap(
        api.GET("/v1/cadences/{cadence_id}/preview", {
          params: { path: { cadence_id: id }, query: { contact_id: contactId || undefined, version: version ?? undefined } },
        }),
      ),
    enabled,
  });
}

/**
 * Follow a cadence while its page is open: each `cadence.enrolled`, `cadence.step_sent` and `cadence.exited` is
 * counted into the statistics in the cache at once, and a quiet moment after the last one brings a fresh read of
 * the statistics, the enrollments and the counts (delivered, read and replied are only in that read).
 */
export function useLiveCadence(id: string) {
  const client = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useTopic(`cadence:${id}`);
  useRealtimeEvent([...CADENCE_EVENTS], (frame) => {
    if (frameCadence(frame) !== id) return;
    for (const [key, stats] of client.getQueriesData<CadenceStats>({ queryKey: ["cadences", "stats", id] })) {
      if (stats) client.setQueryData(key, applyFrame(stats, frame));
    }
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      void client.invalidateQueries({ queryKey: ["cadences", "stats", id] });
      void client.invalidateQueries({ queryKey: cadenceKeys.enrollments(id) });
      void client.invalidateQueries({ queryKey: cadenceKeys.one(id) });
    }, 1_500);
  });
  useEffect(() => () => clearTimeout(timer.current), []);
}

/** One contact enrolled now (anyone may; picking many or a list or segment is the admins' bulk). */
export function useEnrollOne(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (contactId: string) => unwrap(api.POST("/v1/cadences/{cadence_id}/enrollments", { params: { path: { cadence_id: id } }, body: { contact_id: contactId } })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: cadenceKeys.enrollments(id) });
      void client.invalidateQueries({ queryKey: cadenceKeys.one(id) });
      void client.invalidateQueries({ queryKey: ["cadences", "stats", id] });
    },
  });
}
