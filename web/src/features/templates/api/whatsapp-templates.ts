/** WhatsApp templates of a connection: mirrored from Meta, submitted, mapped to contact fields, previewed. */
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Schema } from "@/lib/api/types";

export type WhatsAppTemplate = Schema<"WhatsAppTemplateRead">;
export type WhatsAppTemplateCreate = Schema<"WhatsAppTemplateCreate">;
export type WhatsAppPreview = Schema<"WhatsAppPreview">;
export type WhatsAppParameters = Schema<"WhatsAppParameters">;

export type WhatsAppTemplatePage = Schema<"Page_WhatsAppTemplateRead_">;

/** What the list asks the server for (empty: any). */
export interface WhatsAppFilters {
  q: string;
  status: string;
  category: string;
  language: string;
}

export const WA_PAGE = 50;

export const whatsappTemplateKeys = {
  all: ["templates", "whatsapp"] as const,
  list: (connectionId: string) => ["templates", "whatsapp", connectionId] as const,
  filtered: (connectionId: string, filters: WhatsAppFilters) => ["templates", "whatsapp", connectionId, filters] as const,
};

/** While a template waits for Meta's review, the list is asked again every few seconds (no live frame for it). */
const PENDING_POLL_MS = 3000;

/** One page of a number's templates by name, language; search and filters are applied on the server. */
export function listWhatsAppTemplates(connectionId: string, filters: WhatsAppFilters, cursor: string | undefined): Promise<WhatsAppTemplatePage> {
  const { q, status, category, language } = filters;
  return unwrap(
    api.GET("/v1/connections/{connection_id}/templates", {
      params: {
        path: { connection_id: connectionId },
        query: { q: q || undefined, status: status ? [status] : undefined, category: category || undefined, language: language || undefined, cursor, limit: WA_PAGE },
      },
    }),
  );
}

export function useWhatsAppTemplates(connectionId: string | undefined, filters: WhatsAppFilters) {
  const query = useInfiniteQuery({
    queryKey: whatsappTemplateKeys.filtered(connectionId ?? "", filters),
    queryFn: ({ pageParam }) => listWhatsAppTemplates(connectionId!, filters, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    enabled: !!connectionId,
    refetchInterval: (q) => (q.state.data?.pages.some((p) => p.items.some((t) => t.status.toUpperCase() === "PENDING")) ? PENDING_POLL_MS : false),
  });
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  return { ...query, items };
}

export function useSyncTemplates() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (connectionId: string) =>
      unwrap(api.POST("/v1/connections/{connection_id}/templates/sync", { params: { path: { connection_id: connectionId } } })),
    onSuccess: (_data, connectionId) => client.invalidateQueries({ queryKey: whatsappTemplateKeys.list(connectionId) }),
  });
}

export function useCreateWhatsAppTemplate() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ connectionId, body }: { connectionId: string; body: WhatsAppTemplateCreate }) =>
      unwrap(api.POST("/v1/connections/{connection_id}/templates", { params: { path: { connection_id: connectionId } }, body })),
    onSuccess: (_data, { connectionId }) => client.invalidateQueries({ queryKey: whatsappTemplateKeys.list(connectionId) }),
  });
}

export function useMapParameters() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: WhatsAppParameters }) =>
      unwrap(api.PUT("/v1/whatsapp-templates/{whatsapp_template_id}/parameters", { params: { path: { whatsapp_template_id: id } }, body })),
    onSuccess: (template) => client.invalidateQueries({ queryKey: whatsappTemplateKeys.list(template.connection_id) }),
  });
}

export function useDeleteWhatsAppTemplate() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (template: WhatsAppTemplate) =>
      unwrap(api.DELETE("/v1/whatsapp-templates/{whatsapp_template_id}", { params: { path: { whatsapp_template_id: template.id } } })),
    onSuccess: (_data, template) => client.invalidateQueries({ queryKey: whatsappTemplateKeys.list(template.connection_id) }),
  });
}

export function useWhatsAppPreview() {
  return useMutation({
    mutationFn: ({ id, contactId }: { id: string; contactId: string }) =>
      unwrap(api.POST("/v1/whatsapp-templates/{whatsapp_template_id}/preview", { params: { path: { whatsapp_template_id: id } }, body: { contact_id: contactId } })),
  });
}
