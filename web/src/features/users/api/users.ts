/** The users API (admin and up): the company's users, invitations, role and status changes; the audit log. */
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Schema } from "@/lib/api/types";
import { useCursorList } from "@/lib/hooks/use-cursor-list";

export type User = Schema<"UserRead">;
export type Invitation = Schema<"InvitationRead">;
export type AuditEntry = Schema<"AuditEntryRead">;

export const userKeys = {
  all: ["users"] as const,
  list: ["users", "list"] as const,
  directory: ["users", "directory"] as const,
  audit: ["audit-log"] as const,
};

export function useUsers() {
  return useCursorList(userKeys.list, (cursor) => unwrap(api.GET("/v1/users", { params: { query: { cursor, limit: 50 } } })));
}

/** Everyone's names by id, for the audit log's "who" (the first 200 users: a company's team fits). */
export const directoryQuery = queryOptions({
  queryKey: userKeys.directory,
  queryFn: async () => {
    const page = await unwrap(api.GET("/v1/users", { params: { query: { limit: 200 } } }));
    return new Map(page.items.map((u) => [u.id, u]));
  },
  staleTime: 60_000,
});
export const useDirectory = () => useQuery(directoryQuery);

export function useInvite() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: Schema<"UserInvite">) => unwrap(api.POST("/v1/users", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: userKeys.all }),
  });
}

export function useUpdateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: Schema<"UserUpdate"> & { id: string }) => unwrap(api.PATCH("/v1/users/{user_id}", { params: { path: { user_id: id } }, body })),
    onSuccess: () => client.invalidateQueries({ queryKey: userKeys.all }),
  });
}

export function useAuditLog() {
  return useCursorList(userKeys.audit, (cursor) => unwrap(api.GET("/v1/audit-log", { params: { query: { cursor, limit: 50 } } })));
}
