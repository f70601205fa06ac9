/** How a text travels as SMS (POST /v1/sms/segments): encoding, segments and, for an SMS connection, the cost. */
import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Schema } from "@/lib/api/types";

export type SmsSegments = Schema<"SmsSegmentsRead">;

export const smsKeys = {
  segments: (text: string, connectionId: string | null) => ["sms", "segments", connectionId, text] as const,
};

export function fetchSegments(text: string, connectionId: string | null): Promise<SmsSegments> {
  return unwrap(api.POST("/v1/sms/segments", { body: { text, connection_id: connectionId } }));
}

export function segmentsQuery(text: string, connectionId: string | null) {
  return queryOptions({
    queryKey: smsKeys.segments(text, connectionId),
    queryFn: () => fetchSegments(text, connectionId),
    staleTime: Infinity, // the same text counts the same (a price change shows on the next text)
    placeholderData: keepPreviousData, // the last count stays on screen while the next one is asked
  });
}

export function useSegments(text: string, connectionId: string | null, enabled = true) {
  return useQuery({ ...segmentsQuery(text, connectionId), enabled });
}
