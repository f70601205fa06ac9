/** Tags: `GET/POST /v1/tags` (a page by name, `q` searches), `PATCH/DELETE /v1/tags/{id}` (delete: admin and up). */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ComboboxResult } from "@/components/ui/combobox";
import { api, unwrap } from "@/lib/api/client";
import type { Schema } from "@/lib/api/types";
import { useCursorList } from "@/lib/hooks/use-cursor-list";

export type Tag = Schema<"TagRead">;
export type TagCreate = Schema<"TagCreate">;
export type TagUpdate = Schema<"TagUpdate">;

export const tagKeys = {
  all: ["tags"] as const,
  pages: (q: string) => ["tags", "pages", q] as const,
  search: (q: string) => ["tags", "search", q] as const,
  byIds: (ids: readonly string[]) => ["tags", "ids", [...ids].sort()] as const,
};

export interface NameQuery {
  q?: string;
  ids?: readonly string[];
  cursor?: string;
  limit?: number;
}

export const getTags = ({ q, ids, cursor, limit }: NameQuery = {}) =>
  unwrap(api.GET("/v1/tags", { params: { query: { q: q || undefined, id: ids?.length ? [...ids] : undefined, cursor, limit } } }));
export const createTag = (body: TagCreate) => unwrap(api.POST("/v1/tags", { body }));
export const updateTag = (id: string, body: TagUpdate) => unwrap(api.PATCH("/v1/tags/{tag_id}", { params: { path: { tag_id: id } }, body }));
export const deleteTag = (id: string) => unwrap(api.DELETE("/v1/tags/{tag_id}", { params: { path: { tag_id: id } } }));

/** The tags screen: 50 at a time in name order, `q` searched on the server. */
export function useTagPages(q: string) {
  return useCursorList<Tag>(tagKeys.pages(q), (cursor) => getTags({ q, cursor }));
}

/** A picker's options: the first tags whose name contains `q`. */
export function useTagSearch(q: string): ComboboxResult & { tags: Tag[] } {
  const found = useQuery({ queryKey: tagKeys.search(q), queryFn: () => getTags({ q, limit: 20 }), placeholderData: keepPreviousData, staleTime: 30_000 });
  const tags = found.data?.items ?? [];
  return { tags, options: tags.map((t) => ({ id: t.id, label: t.name, color: t.color })), loading: found.isFetching, error: found.isError };
}

/** The chosen tags by id (to name the chips of a filter); a deleted one is missing. */
export function useTagsByIds(ids: readonly string[]) {
  return useQuery({
    queryKey: tagKeys.byIds(ids),
    queryFn: () => getTags({ ids, limit: 200 }).then((page) => page.items),
    enabled: ids.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}

/** After a change to tags, contacts (which carry their tags) and segment counts may be stale too. */
function useInvalidateTags() {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: tagKeys.all });
    void client.invalidateQueries({ queryKey: ["contacts"] });
    void client.invalidateQueries({ queryKey: ["segments"] });
  };
}

export function useCreateTag() {
  const invalidate = useInvalidateTags();
  return useMutation({ mutationFn: createTag, onSuccess: invalidate });
}

export function useUpdateTag() {
  const invalidate = useInvalidateTags();
  return useMutation({ mutationFn: ({ id, body }: { id: string; body: TagUpdate }) => updateTag(id, body), onSuccess: invalidate });
}

export function useDeleteTag() {
  const invalidate = useInvalidateTags();
  return useMutation({ mutationFn: deleteTag, onSuccess: invalidate });
}
