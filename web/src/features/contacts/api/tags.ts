/** Tags: `GET/POST /v1/tags`, `PATCH/DELETE /v1/tags/{id}` (delete: admin and up). */
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Schema } from "@/lib/api/types";

export type Tag = Schema<"TagRead">;
export type TagCreate = Schema<"TagCreate">;
export type TagUpdate = Schema<"TagUpdate">;

export const tagKeys = { all: ["tags"] as const };

export const getTags = () => unwrap(api.GET("/v1/tags"));
export const createTag = (body: TagCreate) => unwrap(api.POST("/v1/tags", { body }));
export const updateTag = (id: string, body: TagUpdate) => unwrap(api.PATCH("/v1/tags/{tag_id}", { params: { path: { tag_id: id } }, body }));
export const deleteTag = (id: string) => unwrap(api.DELETE("/v1/tags/{tag_id}", { params: { path: { tag_id: id } } }));

export const tagsQuery = () => queryOptions({ queryKey: tagKeys.all, queryFn: getTags, staleTime: 30_000 });

export function useTags() {
  return useQuery(tagsQuery());
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
