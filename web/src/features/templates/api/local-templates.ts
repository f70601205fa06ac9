/** Local templates: a text with {{variables}} (GET/POST /v1/templates, a page at a time; PATCH/DELETE /v1/templates/{id}, preview). */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Schema } from "@/lib/api/types";
import { useCursorList } from "@/lib/hooks/use-cursor-list";

export type LocalTemplate = Schema<"TemplateRead">;
export type LocalTemplateCreate = Schema<"TemplateCreate">;
export type LocalTemplateUpdate = Schema<"TemplateUpdate">;
export type LocalPreview = Schema<"PreviewRead">;
export type LocalTemplatePage = Schema<"Page_TemplateRead_">;

export const LOCAL_PAGE = 50;

export const localTemplateKeys = {
  all: ["templates", "local"] as const,
  list: (q: string) => ["templates", "local", "list", q] as const,
};

/** One page by name (any case); `q` is a part of the name or the text, matched on the server. */
export function listLocalTemplates(q: string, cursor: string | undefined): Promise<LocalTemplatePage> {
  return unwrap(api.GET("/v1/templates", { params: { query: { q: q || undefined, cursor, limit: LOCAL_PAGE } } }));
}

export function useLocalTemplates(q: string) {
  return useCursorList(localTemplateKeys.list(q), (cursor) => listLocalTemplates(q, cursor));
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
