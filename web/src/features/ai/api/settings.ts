/** The company's model endpoint and budget (`GET/PUT /v1/ai/settings`; the key is write-only, shown by its last
 * characters), a check of the endpoint (`POST /v1/ai/settings/check`) and the usage (`GET /v1/ai/usage`). */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Schema } from "@/lib/api/types";

export type AiSettings = Schema<"AiSettingsRead">;
export type AiSettingsUpdate = Schema<"AiSettingsUpdate">;
export type CheckResult = Schema<"CheckResult">;
export type UsageReport = Schema<"UsageReport">;
export type UsageGroup = Schema<"UsageGroup">;
export type GroupBy = UsageReport["group_by"];

export const aiKeys = {
  settings: ["ai", "settings"] as const,
  usage: ["ai", "usage"] as const,
  usageBy: (groupBy: GroupBy) => ["ai", "usage", groupBy] as const,
};

export function useAiSettings() {
  return useQuery({ queryKey: aiKeys.settings, queryFn: () => unwrap(api.GET("/v1/ai/settings")) });
}

export function useSaveAiSettings() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: AiSettingsUpdate) => unwrap(api.PUT("/v1/ai/settings", { body })),
    onSuccess: (saved) => {
      client.setQueryData(aiKeys.settings, saved);
      void client.invalidateQueries({ queryKey: aiKeys.usage });
    },
  });
}

export function useCheckAiSettings() {
  return useMutation({ mutationFn: () => unwrap(api.POST("/v1/ai/settings/check")) });
}

/** This month's usage so far (the company's month, in its timezone: the API's default period), grouped by persona,
 * conversation or day, with the month's spend against the budget. */
export function useAiUsage(groupBy: GroupBy) {
  return useQuery({
    queryKey: aiKeys.usageBy(groupBy),
    queryFn: () => unwrap(api.GET("/v1/ai/usage", { params: { query: { group_by: groupBy } } })),
    placeholderData: keepPreviousData,
  });
}
