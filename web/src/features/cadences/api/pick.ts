/** Cadences to enroll contacts in, as a picker's options: the active and paused ones whose name has `q`. */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { ComboboxResult } from "@/components/ui/combobox";
import { api, unwrap } from "@/lib/api/client";
import { cadenceKeys } from "./cadences";

const fetchEnrollable = () =>
  Promise.all(
    (["active", "paused"] as const).map((status) => unwrap(api.GET("/v1/cadences", { params: { query: { status, limit: 200 } } })).then((p) => p.items)),
  ).then((pages) => pages.flat());

export function useCadenceOptions(q: string): ComboboxResult {
  // the API has no search by name: a company's running cadences are few, filtered here
  const found = useQuery({ queryKey: cadenceKeys.search("enrollable"), queryFn: fetchEnrollable, placeholderData: keepPreviousData, staleTime: 30_000 });
  const needle = q.trim().toLocaleLowerCase();
  const options = (found.data ?? []).filter((c) => !needle || c.name.toLocaleLowerCase().includes(needle)).map((c) => ({ id: c.id, label: c.name }));
  return { options, loading: found.isFetching, error: found.isError };
}
