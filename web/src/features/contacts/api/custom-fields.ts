/** Custom field definitions: `GET /v1/custom-fields`; `POST` and `DELETE /v1/custom-fields/{id}` (admin and up;
 * deleting one removes every contact's value). */
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Schema } from "@/lib/api/types";

export type CustomField = Schema<"CustomFieldRead">;
export type CustomFieldCreate = Schema<"CustomFieldCreate">;
export type CustomFieldType = CustomField["type"];

export const CUSTOM_FIELD_TYPES: readonly CustomFieldType[] = ["text", "number", "date", "boolean", "select"];

export const customFieldKeys = { all: ["custom-fields"] as const };

export const getCustomFields = () => unwrap(api.GET("/v1/custom-fields"));
export const createCustomField = (body: CustomFieldCreate) => unwrap(api.POST("/v1/custom-fields", { body }));
export const deleteCustomField = (id: string) =>
  unwrap(api.DELETE("/v1/custom-fields/{field_id}", { params: { path: { field_id: id } } }));

export const customFieldsQuery = () => queryOptions({ queryKey: customFieldKeys.all, queryFn: getCustomFields, staleTime: 30_000 });

export function useCustomFields() {
  return useQuery(customFieldsQuery());
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
