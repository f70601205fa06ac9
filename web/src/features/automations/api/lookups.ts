/** What a rule picks from beyond the shared pickers (`@/components/pickers`): campaigns (the API has no search by
 * name: the latest are filtered here) and the chosen cadence's name. Cadences to pick come from the cadences
 * feature. */
import { useQuery } from "@tanstack/react-query";
import { PICK, quick } from "@/components/pickers/lookups";
import type { ComboboxResult } from "@/components/ui/combobox";
import { api, unwrap } from "@/lib/api/client";

/** The company's latest campaigns whose name has `q` (the API pages them newest first and has no search). */
export function useCampaignOptions(q: string): ComboboxResult {
  const found = useQuery({
    queryKey: ["campaigns", "automation-pick"],
    queryFn: () => unwrap(api.GET("/v1/campaigns", { params: { query: { limit: 200 } } })).then((p) => p.items),
    ...quick,
  });
  const needle = q.trim().toLocaleLowerCase();
  const options = (found.data ?? []).filter((c) => !needle || c.name.toLocaleLowerCase().includes(needle)).slice(0, PICK);
  return { options: options.map((c) => ({ id: c.id, label: c.name })), loading: found.isFetching, error: found.isError };
}

export function useCampaign(id: string | null | undefined) {
  return useQuery({
    queryKey: ["campaigns", "one", id],
    queryFn: () => unwrap(api.GET("/v1/campaigns/{campaign_id}", { params: { path: { campaign_id: id! } } })),
    enabled: Boolean(id),
    staleTime: 60_000,
  });
}

export function useCadenceName(id: string | null | undefined) {
  return useQuery({
    queryKey: ["cadences", "one", id],
    queryFn: () => unwrap(api.GET("/v1/cadences/{cadence_id}", { params: { path: { cadence_id: id! } } })),
    enabled: Boolean(id),
    staleTime: 60_000,
    select: (c) => c.name,
  });
}
