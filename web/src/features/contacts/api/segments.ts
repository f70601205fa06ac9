/** Segments: saved filters with a live count. `GET/POST /v1/segments`, `GET/PATCH/DELETE /v1/segments/{id}`,
 * `POST /v1/segments/preview` to count a filter before saving it. */
import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Schema } from "@/lib/api/types";
import type { SegmentFilter } from "../components/segment-filter-model";

export type Segment = Schema<"SegmentRead">;
export type SegmentCreate = Schema<"SegmentCreate">;
export type SegmentUpdate = Schema<"SegmentUpdate">;

export const segmentKeys = {
  all: ["segments"] as const,
  one: (id: string) => ["segments", id] as const,
  preview: (filter: SegmentFilter) => ["segments", "preview", filter] as const,
};

export const getSegments = () => unwrap(api.GET("/v1/segments"));
export const getSegment = (id: string) => unwrap(api.GET("/v1/segments/{segment_id}", { params: { path: { segment_id: id } } }));
export const createSegment = (body: SegmentCreate) => unwrap(api.POST("/v1/segments", { body }));
export const updateSegment = (id: string, body: SegmentUpdate) =>
  unwrap(api.PATCH("/v1/segments/{segment_id}", { params: { path: { segment_id: id } }, body }));
export const deleteSegment = (id: string) => unwrap(api.DELETE("/v1/segments/{segment_id}", { params: { path: { segment_id: id } } }));
export const previewSegment = (filter: SegmentFilter, signal?: AbortSignal) =>
  unwrap(api.POST("/v1/segments/preview", { body: { filter }, signal }));

export const segmentsQuery = () => queryOptions({ queryKey: segmentKeys.all, queryFn: getSegments });
export const segmentQuery = (id: string) => queryOptions({ queryKey: segmentKeys.one(id), queryFn: () => getSegment(id) });

export function useSegments() {
  return useQuery(segmentsQuery());
}

export function useSegment(id: string | undefined) {
  return useQuery({ ...segmentQuery(id ?? ""), enabled: Boolean(id) });
}

/**
 * How many contacts `filter` matches now. Give it the debounced filter: the previous count stays on
 * screen while the next one is counted, and a filter the API rejects is not retried.
 */
export function useSegmentPreview(filter: SegmentFilter) {
  return useQuery({
    queryKey: segmentKeys.preview(filter),
    queryFn: ({ signal }) => previewSegment(filter, signal),
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: 5_000,
  });
}

function useInvalidateSegments() {
  const client = useQueryClient();
  return () => void client.invalidateQueries({ queryKey: segmentKeys.all });
}

export function useCreateSegment() {
  const invalidate = useInvalidateSegments();
  return useMutation({ mutationFn: createSegment, onSuccess: invalidate });
}

export function useUpdateSegment() {
  const invalidate = useInvalidateSegments();
  return useMutation({ mutationFn: ({ id, body }: { id: string; body: SegmentUpdate }) => updateSegment(id, body), onSuccess: invalidate });
}

export function useDeleteSegment() {
  const invalidate = useInvalidateSegments();
  return useMutation({ mutationFn: deleteSegment, onSuccess: invalidate });
}
