/** Custom field definitions: `GET /v1/custom-fields` (a page by label, `q` searches label and key); `POST` and
 * `DELETE /v1/custom-fields/{id}` (admin and up; deleting one removes every contact's value). */
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { fetchAllPages } from "@/lib/api/all-pages";
import { api, unwrap } from "@/lib/api/client";
import type { Schema } from "@/lib/api/types";
import { useCursorList } from "@/lib/hooks/use-cursor-list";

export type CustomField = Schema<"CustomFieldRead">;
export type CustomFieldCreate = Schema<"CustomFieldCreate">;
export type CustomFieldType = CustomField["type"];

export const CUSTOM_FIELD_TYPES: readonly CustomFieldType[] = ["text", "number", "date", "boolean", "select"];

export const customFieldKeys = {
  all: ["custom-fields"] as const,
  every: ["custom-fields", "all"] as const,
  pages: (q: string) => ["custom-fields", "pages", q] as const,
};

export const getCustomFields = ({ q, cursor, limit }: { q?: string; cursor?: string; limit?: number } = {}) =>
  unwrap(api.GET("/v1/custom-fields", { params: { query: { q: q || undefined, cursor, limit } } }));
/** Every definition, page after page: a company's custom fields are its schema (a handful, not thousands), and
 * the import mapping, a contact's form and the segment builder need them all to offer and type the fields. */
export const getAllCustomFields = () => fetchAllPages((cursor) => getCustomFields({ cursor, limit: 200 }));
export const createCustomField = (body: CustomFieldCreate) => unwrap(api.POST("/v1/custom-fields", { body }));
export const deleteCustomField = (id: string) =>
  unwrap(api.DELETE("/v1/custom-fields/{field_id}", { params: { path: { field_id: id } } }));

export const customFieldsQuery = () => queryOptions({ queryKey: customFieldKeys.every, queryFn: getAllCustomFields, staleTime: 30_000 });

/** Every custom field (see `getAllCustomFields`). */
export function useCustomFields() {
  return useQuery(customFieldsQuery());
}

/** The custom fields screen: 50 at a time by label, `q` searched on the server. */
export function useCustomFieldPages(q: string) {
  return useCursorList<CustomField>(customFieldKeys.pages(q), (cursor) => getCustomFields({ q, cursor }));
}

function useInvalidateCustomFields() {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: customFieldKeys.all });
    void client.invalidateQueries({ queryKey: ["contacts"] });
    void client.invalidateQueries({ queryKey: ["segments"] });
  };
}

export function useCreateCustomField() {
  const invalidate = useInvalidateCustomFields();
  return useMutation({ mutationFn: createCustomField, onSuccess: invalidate });
}

export function useDeleteCustomField() {
  const invalidate = useInvalidateCustomFields();
  return useMutation({ mutationFn: deleteCustomField, onSuccess: invalidate });
}
