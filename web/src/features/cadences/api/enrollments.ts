/** A cadence's enrollments: the list by state, one with its step history, enrolling (one, picked, a list or a
 * segment) and exiting by hand. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Schema } from "@/lib/api/types";
import { useCursorList } from "@/lib/hooks/use-cursor-list";
import { cadenceKeys } from "./cadences";

export type Enrollment = Schema<"EnrollmentRead">;
export type EnrollmentDetail = Schema<"EnrollmentDetail">;
export type BulkEnroll = Schema<"BulkEnroll">;

export const ENROLLMENT_STATES = ["active", "sending", "completed", "exited"] as const;
export type EnrollmentState = (typeof ENROLLMENT_STATES)[number];

export function useEnrollments(id: string, state: EnrollmentState | "") {
  return useCursorList([...cadenceKeys.enrollments(id), "list", state], (cursor) =>
    unwrap(
      api.GET("/v1/cadences/{cadence_id}/enrollments", {
        params: { path: { cadence_id: id }, query: { state: state || undefined, cursor, limit: 50 } },
      }),
    ),
  );
}

/** The steps the tick runs inline (a wait, a branch, a tag…) and a completion publish no event: an enrollment
 * opened while it runs is read again every few seconds. */
const LIVE_POLL_MS = 3_000;

export function useEnrollment(id: string, enrollmentId: string | null) {
  return useQuery({
    refetchInterval: (q) => (q.state.data?.state === "active" || q.state.data?.state === "sending" ? LIVE_POLL_MS : false),
    queryKey: cadenceKeys.enrollment(id, enrollmentId ?? ""),
    queryFn: () =>
      unwrap(api.GET("/v1/cadences/{cadence_id}/enrollments/{enrollment_id}", { params: { path: { cadence_id: id, enrollment_id: enrollmentId! } } })),
    enabled: Boolean(enrollmentId),
    placeholderData: keepPreviousData,
  });
}

/** After enrolling or exiting: the lists, the counts and the statistics. */
function useRefresh() {
  const client = useQueryClient();
  return (id: string) => {
    void client.invalidateQueries({ queryKey: cadenceKeys.enrollments(id) });
    void client.invalidateQueries({ queryKey: cadenceKeys.one(id) });
    void client.invalidateQueries({ queryKey: ["cadences", "list"] });
    void client.invalidateQueries({ queryKey: ["cadences", "stats", id] });
  };
}

export function useBulkEnroll() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: BulkEnroll }) => unwrap(api.POST("/v1/cadences/{cadence_id}/enrollments/bulk", { params: { path: { cadence_id: id } }, body })),
    onSuccess: (_, { id }) => refresh(id),
  });
}

export function useExitEnrollment(id: string) {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (enrollmentId: string) =>
      unwrap(api.POST("/v1/cadences/{cadence_id}/enrollments/{enrollment_id}/exit", { params: { path: { cadence_id: id, enrollment_id: enrollmentId } } })),
    onSuccess: () => refresh(id),
  });
}
