import { useInfiniteQuery, type QueryKey } from "@tanstack/react-query";

interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}

/** A cursor-paginated list (`?cursor=` / `next_cursor`) as one growing array, with "load more". */
export function useCursorList<T>(queryKey: QueryKey, fetchPage: (cursor: string | undefined) => Promise<Page<T>>, enabled = true) {
  const query = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    enabled,
  });
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  return { ...query, items };
}
