/** What the enrollments and the preview pick beyond the shared pickers (`@/components/pickers`): contacts, searched
 * on the server as the user types. */
import { useQuery } from "@tanstack/react-query";
import { PICK, quick } from "@/components/pickers/lookups";
import type { ComboboxResult } from "@/components/ui/combobox";
import { api, unwrap } from "@/lib/api/client";
import type { Schema } from "@/lib/api/types";

export function useContactOptions(q: string): ComboboxResult & { byId: Map<string, Schema<"ContactRead">> } {
  const found = useQuery({
    queryKey: ["contacts", "search", "cadence-pick", q],
    queryFn: () => unwrap(api.GET("/v1/contacts", { params: { query: { q: q || undefined, limit: PICK } } })),
    ...quick,
  });
  const items = found.data?.items ?? [];
  return {
    options: items.map((c) => ({ id: c.id, label: c.name || c.phone, hint: c.name ? c.phone : undefined })),
    loading: found.isFetching,
    error: found.isError,
    byId: new Map(items.map((c) => [c.id, c])),
  };
}
