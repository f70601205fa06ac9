/** Segments: saved filters with a live count. `GET/POST /v1/segments` (a page by name, `q` searches), `GET/PATCH/DELETE /v1/segments/{id}`,
 * `POST /v1/segments/preview` to count a filter before saving it. */
import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ComboboxResult } from "@/components/ui/combobox";
import { api, unwrap } from "@/lib/api/client";
import type { Schema } from "@/lib/api/types";
import { useCursorList } from "@/lib/hooks/use-cursor-list";
import type { NameQuery } from "./tags";
import type { SegmentFilter } from "../components/segment-filter-model";

export type Segment = Schema<"SegmentRead">;
export type SegmentCreate = Schema<"SegmentCreate">;
export type SegmentUpdate = Schema<"SegmentUpdate">;

export const segmentKeys = {
  all: ["segments"] as const,
  pages: (q: string) => ["segments", "pages", q] as const,
  search: (q: string) => ["segments", "search", q] as const,
  one: (id: string) => ["segments", id] as const,
  preview: (filter: SegmentFilter) => ["segments", "preview", filter] as const,
};

export const getSegments = ({ q, ids, cursor, limit }: NameQuery = {}) =>
  unwrap(api.GET("/v1/segments", { params: { query: { q: q || undefined, id: ids?.length ? [...ids] : undefined, cursor, limit } } }));
export const getSegment = (id: string) => unwrap(api.GET("/v1/segments/{segment_id}", { params: { path: { segment_id: id } } }));
export const createSegment = (body: SegmentCreate) => unwrap(api.POST("/v1/segments", { body }));
export const updateSegment = (id: string, body: SegmentUpdate) =>
  unwrap(api.PATCH("/v1/segments/{segment_id}", { params: { path: { segment_id: id } }, body }));
export const deleteSegment = (id: string) => unwrap(api.DELETE("/v1/segments/{segment_id}", { params: { path: { segment_id: id } } }));
export const previewSegment = (filter: SegmentFilter, signal?: AbortSignal) =>
  unwrap(api.POST("/v1/segments/preview", { body: { filter }, signal }));

export const segmentQuery = (id: string) => queryOptions({ queryKey: segmentKeys.one(id), queryFn: () => getSegment(id) });

/** The segments screen: 50 at a time in name order, `q` searched on the server. */
export function useSegmentPages(q: string) {
  return useCursorList<Segment>(segmentKeys.pages(q), (cursor) => getSegments({ q, cursor }));
}

/** A picker's options: the first segments whose name contains `q`. */
export function useSegmentSearch(q: string): ComboboxResult {
  const found = useQuery({ queryKey: segmentKeys.search(q), queryFn: () => getSegments({ q, limit: 20 }), placeholderData: keepPreviousData, staleTime: 30_000 });
  return { options: (found.data?.items ?? []).map((s) => ({ id: s.id, label: s.name })), loading: found.isFetching, error: found.isError };
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
