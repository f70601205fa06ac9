/** WhatsApp templates of a connection: mirrored from Meta, submitted, mapped to contact fields, previewed. */
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Schema } from "@/lib/api/types";

export type WhatsAppTemplate = Schema<"WhatsAppTemplateRead">;
export type WhatsAppTemplateCreate = Schema<"WhatsAppTemplateCreate">;
export type WhatsAppPreview = Schema<"WhatsAppPreview">;
export type WhatsAppParameters = Schema<"WhatsAppParameters">;

export const whatsappTemplateKeys = {
  all: ["templates", "whatsapp"] as const,
  list: (connectionId: string) => ["templates", "whatsapp", connectionId] as const,
};

/** While a template waits for Meta's review, the list is asked again every few seconds (no live frame for it). */
const PENDING_POLL_MS = 3000;

export function listWhatsAppTemplates(connectionId: string): Promise<WhatsAppTemplate[]> {
  return unwrap(api.GET("/v1/connections/{connection_id}/templates", { params: { path: { connection_id: connectionId } } }));
}

export const whatsappTemplatesQuery = (connectionId: string) =>
  queryOptions({
    queryKey: whatsappTemplateKeys.list(connectionId),
    queryFn: () => listWhatsAppTemplates(connectionId),
    refetchInterval: (query) => (query.state.data?.some((t) => t.status.toUpperCase() === "PENDING") ? PENDING_POLL_MS : false),
  });

export function useWhatsAppTemplates(connectionId: string | undefined) {
  return useQuery({ ...whatsappTemplatesQuery(connectionId ?? ""), enabled: !!connectionId });
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
