/** Static lists: `GET/POST /v1/lists` (a page by name, `q` searches), `GET/PATCH/DELETE /v1/lists/{id}`
 * (delete: admin and up; contacts stay); members through `GET /v1/contacts?list_id=`. */
import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ComboboxResult } from "@/components/ui/combobox";
import { api, unwrap } from "@/lib/api/client";
import type { Schema } from "@/lib/api/types";
import { useCursorList } from "@/lib/hooks/use-cursor-list";
import type { NameQuery } from "./tags";

export type ContactList = Schema<"ListRead">;
export type ListCreate = Schema<"ListCreate">;
export type ListUpdate = Schema<"ListUpdate">;
export type Contact = Schema<"ContactRead">;

export const listKeys = {
  all: ["lists"] as const,
  pages: (q: string) => ["lists", "pages", q] as const,
  search: (q: string) => ["lists", "search", q] as const,
  byIds: (ids: readonly string[]) => ["lists", "ids", [...ids].sort()] as const,
  one: (id: string) => ["lists", id] as const,
  members: (id: string, q: string) => ["contacts", "list-members", id, q] as const,
};

export const getLists = ({ q, ids, cursor, limit }: NameQuery = {}) =>
  unwrap(api.GET("/v1/lists", { params: { query: { q: q || undefined, id: ids?.length ? [...ids] : undefined, cursor, limit } } }));
export const getList = (id: string) => unwrap(api.GET("/v1/lists/{list_id}", { params: { path: { list_id: id } } }));
export const createList = (body: ListCreate) => unwrap(api.POST("/v1/lists", { body }));
export const updateList = (id: string, body: ListUpdate) => unwrap(api.PATCH("/v1/lists/{list_id}", { params: { path: { list_id: id } }, body }));
export const deleteList = (id: string) => unwrap(api.DELETE("/v1/lists/{list_id}", { params: { path: { list_id: id } } }));
export const getListMembers = (id: string, q: string, cursor: string | undefined) =>
  unwrap(api.GET("/v1/contacts", { params: { query: { list_id: id, q: q || undefined, cursor, limit: 50 } } }));

export const listQuery = (id: string) => queryOptions({ queryKey: listKeys.one(id), queryFn: () => getList(id) });

/** The lists screen: 50 at a time in name order, `q` searched on the server. */
export function useListPages(q: string) {
  return useCursorList<ContactList>(listKeys.pages(q), (cursor) => getLists({ q, cursor }));
}

/** A picker's options: the first lists whose name contains `q`. */
export function useListSearch(q: string): ComboboxResult {
  const found = useQuery({ queryKey: listKeys.search(q), queryFn: () => getLists({ q, limit: 20 }), placeholderData: keepPreviousData, staleTime: 30_000 });
  return { options: (found.data?.items ?? []).map((l) => ({ id: l.id, label: l.name })), loading: found.isFetching, error: found.isError };
}

/** The chosen lists by id (to name the chips of a filter); a deleted one is missing. */
export function useListsByIds(ids: readonly string[]) {
  return useQuery({
    queryKey: listKeys.byIds(ids),
    queryFn: () => getLists({ ids, limit: 200 }).then((page) => page.items),
    enabled: ids.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}

export function useList(id: string) {
  return useQuery(listQuery(id));
}

/** A list's members, 50 at a time, searched by name, phone or email. */
export function useListMembers(id: string, q: string) {
  return useCursorList<Contact>(listKeys.members(id, q), (cursor) => getListMembers(id, q, cursor));
}

function useInvalidateLists() {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: listKeys.all });
    void client.invalidateQueries({ queryKey: ["segments"] });
  };
}

export function useCreateList() {
  const invalidate = useInvalidateLists();
  return useMutation({ mutationFn: createList, onSuccess: invalidate });
}

export function useUpdateList() {
  const invalidate = useInvalidateLists();
  return useMutation({ mutationFn: ({ id, body }: { id: string; body: ListUpdate }) => updateList(id, body), onSuccess: invalidate });
}

export function useDeleteList() {
  const invalidate = useInvalidateLists();
  return useMutation({ mutationFn: deleteList, onSuccess: invalidate });
}
