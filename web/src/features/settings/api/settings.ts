/** Settings: the contacts' opt-out / opt-in keywords and the company's defaults. */
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Schema } from "@/lib/api/types";
import { meQuery } from "@/lib/auth/auth-provider";

export type KeywordSettings = Schema<"ContactSettingsRead">;

export const keywordsQuery = queryOptions({
  queryKey: ["contacts", "settings"],
  queryFn: () => unwrap(api.GET("/v1/contacts/settings")),
});
export const useKeywordSettings = () => useQuery(keywordsQuery);

export function useSaveKeywords() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: Schema<"ContactSettingsUpdate">) => unwrap(api.PUT("/v1/contacts/settings", { body })),
    onSuccess: (saved) => client.setQueryData(keywordsQuery.queryKey, saved),
  });
}

export function useUpdateCompany() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: Schema<"CompanyUpdate">) => unwrap(api.PATCH("/v1/company", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: meQuery.queryKey }),
  });
}
