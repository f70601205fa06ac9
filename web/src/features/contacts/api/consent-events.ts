/** A contact's consent history: `GET /v1/contacts/{id}/consent-events?channel=` (newest first, cursor pages). */
import { useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Schema } from "@/lib/api/types";
import { useCursorList } from "@/lib/hooks/use-cursor-list";

export type ConsentEvent = Schema<"ConsentEventRead">;
type Channel = ConsentEvent["channel"];

export const CONSENT_EVENTS_PAGE = 5;

export const consentEventKeys = {
  contact: (contactId: string) => ["contacts", "consent-events", contactId] as const,
  channel: (contactId: string, channel: Channel) => ["contacts", "consent-events", contactId, channel] as const,
};

export const getConsentEvents = (contactId: string, channel: Channel, cursor: string | undefined) =>
  unwrap(
    api.GET("/v1/contacts/{contact_id}/consent-events", {
      params: { path: { contact_id: contactId }, query: { channel, cursor, limit: CONSENT_EVENTS_PAGE } },
    }),
  );

/** One channel's history, growing with "load more". */
export function useConsentEvents(contactId: string, channel: Channel) {
  return useCursorList(consentEventKeys.channel(contactId, channel), (cursor) => getConsentEvents(contactId, channel, cursor));
}

/** After a consent change: the contact's history is read again (from its first page). */
export function useConsentEventsChanged() {
  const client = useQueryClient();
  return (contactId: string) => client.invalidateQueries({ queryKey: consentEventKeys.contact(contactId) });
}
