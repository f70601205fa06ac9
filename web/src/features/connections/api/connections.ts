/** WhatsApp numbers on Meta's Cloud API: list, connect, test, rename / replace secrets, delete. */
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Schema } from "@/lib/api/types";

export type Connection = Schema<"ConnectionRead">;
export type ConnectionCreated = Schema<"ConnectionCreated">;
export type ConnectionCreate = Schema<"ConnectionCreate">;
export type ConnectionUpdate = Schema<"ConnectionUpdate">;

export const connectionKeys = { all: ["connections"] as const };

export function listConnections(): Promise<Connection[]> {
  return unwrap(api.GET("/v1/connections"));
}

export const connectionsQuery = () => queryOptions({ queryKey: connectionKeys.all, queryFn: listConnections });

export function useConnections() {
  return useQuery(connectionsQuery());
}

/** Put one connection's fresh state in the cached list (after test or edit), without refetching the list. */
function useReplaceInList() {
  const client = useQueryClient();
  return (connection: Connection) =>
    client.setQueryData<Connection[]>(connectionKeys.all, (list) => list?.map((c) => (c.id === connection.id ? connection : c)));
}

export function useCreateConnection() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: ConnectionCreate) => unwrap(api.POST("/v1/connections", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: connectionKeys.all }),
  });
}

export function useUpdateConnection() {
  const replace = useReplaceInList();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: ConnectionUpdate }) =>
      unwrap(api.PATCH("/v1/connections/{connection_id}", { params: { path: { connection_id: id } }, body })),
    onSuccess: replace,
  });
}

export function useTestConnection() {
  const replace = useReplaceInList();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.POST("/v1/connections/{connection_id}/test", { params: { path: { connection_id: id } } })),
    onSuccess: replace,
  });
}

export function useDeleteConnection() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/v1/connections/{connection_id}", { params: { path: { connection_id: id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: connectionKeys.all }),
  });
}
