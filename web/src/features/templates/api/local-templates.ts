/** Local templates: a text with {{variables}} (GET/POST /v1/templates, PATCH/DELETE /v1/templates/{id}, preview). */
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Schema } from "@/lib/api/types";

export type LocalTemplate = Schema<"TemplateRead">;
export type LocalTemplateCreate = Schema<"TemplateCreate">;
export type LocalTemplateUpdate = Schema<"TemplateUpdate">;
export type LocalPreview = Schema<"PreviewRead">;

export const localTemplateKeys = { all: ["templates", "local"] as const };

export function listLocalTemplates(): Promise<LocalTemplate[]> {
  return unwrap(api.GET("/v1/templates"));
}

export const localTemplatesQuery = () => queryOptions({ queryKey: localTemplateKeys.all, queryFn: listLocalTemplates });

export function useLocalTemplates() {
  return useQuery(localTemplatesQuery());
}

export function useSaveLocalTemplate() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id?: string; body: LocalTemplateCreate }) =>
      id
        ? unwrap(api.PATCH("/v1/templates/{template_id}", { params: { path: { template_id: id } }, body: body satisfies LocalTemplateUpdate }))
        : unwrap(api.POST("/v1/templates", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: localTemplateKeys.all }),
  });
}

export function useDeleteLocalTemplate() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/v1/templates/{template_id}", { params: { path: { template_id: id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: localTemplateKeys.all }),
  });
}

export function useLocalPreview() {
  return useMutation({
    mutationFn: ({ id, contactId }: { id: string; contactId: string }) =>
      unwrap(api.POST("/v1/templates/{template_id}/preview", { params: { path: { template_id: id } }, body: { contact_id: contactId } })),
  });
}
