/** What the persona editor picks from elsewhere: the company's knowledge bases, its numbers, and the approved
 * WhatsApp templates of the numbers chosen (for when the 24-hour window is closed). A company has a handful of each:
 * they are loaded whole and searched here. */
import { useQueries, useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { fetchAllPages } from "@/lib/api/all-pages";
import { api, unwrap } from "@/lib/api/client";
import type { PickOption } from "../components/multi-pick";

export function useKnowledgeBaseOptions() {
  const query = useQuery({
    queryKey: ["knowledge-bases", "pick"],
    queryFn: () => fetchAllPages((cursor) => unwrap(api.GET("/v1/knowledge-bases", { params: { query: { cursor, limit: 200 } } }))),
    staleTime: 30_000,
  });
  const options = useMemo<PickOption[]>(() => (query.data ?? []).map((kb) => ({ id: kb.id, label: kb.name })), [query.data]);
  return { ...query, options };
}

export function useConnectionOptions() {
  const query = useQuery({
    queryKey: ["connections", "pick", "all"],
    queryFn: () => fetchAllPages((cursor) => unwrap(api.GET("/v1/connections", { params: { query: { cursor, limit: 200 } } }))),
    staleTime: 30_000,
  });
  const options = useMemo<PickOption[]>(
    () => (query.data ?? []).map((c) => ({ id: c.id, label: c.name, hint: c.display_phone_number ?? c.sms?.origination ?? undefined })),
    [query.data],
  );
  const channels = useMemo(() => new Map((query.data ?? []).map((c) => [c.id, c.channel])), [query.data]);
  return { ...query, options, channels };
}

/** The approved templates of the given WhatsApp numbers. */
export function useTemplateOptions(connectionIds: string[]) {
  const results = useQueries({
    queries: connectionIds.map((id) => ({
      queryKey: ["templates", "whatsapp", id, "approved"],
      queryFn: () =>
        fetchAllPages((cursor) =>
          unwrap(api.GET("/v1/connections/{connection_id}/templates", { params: { path: { connection_id: id }, query: { status: ["APPROVED"], cursor, limit: 100 } } })),
        ),
      staleTime: 30_000,
    })),
  });
  const options: PickOption[] = results.flatMap((r) => (r.data ?? []).map((t) => ({ id: t.id, label: t.name, hint: t.language })));
  return { options, isPending: results.some((r) => r.isPending) };
}
