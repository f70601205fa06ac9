/** The webhooks API: the event catalogue, endpoints, secrets, tests, replays and the delivery log. */
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Schema } from "@/lib/api/types";
import { useCursorList } from "@/lib/hooks/use-cursor-list";

export type Endpoint = Schema<"EndpointRead">;
export type EndpointWithSecret = Schema<"EndpointWithSecret">;
export type EventType = Schema<"EventTypeRead">;
export type Attempt = Schema<"AttemptRead">;

export const webhookKeys = {
  all: ["webhooks"] as const,
  eventTypes: ["webhooks", "event-types"] as const,
  endpoints: ["webhooks", "endpoints"] as const,
  endpoint: (id: string) => ["webhooks", "endpoints", id] as const,
  attempts: (id: string) => ["webhooks", "attempts", id] as const,
};

export const eventTypesQuery = queryOptions({
  queryKey: webhookKeys.eventTypes,
  queryFn: () => unwrap(api.GET("/v1/webhooks/event-types")),
  staleTime: Infinity, // the catalogue changes with a deploy, not while the screen is open
});

export const endpointsQuery = queryOptions({
  queryKey: webhookKeys.endpoints,
  queryFn: () => unwrap(api.GET("/v1/webhooks/endpoints")),
});

export const endpointQuery = (id: string) =>
  queryOptions({
    queryKey: webhookKeys.endpoint(id),
    queryFn: () => unwrap(api.GET("/v1/webhooks/endpoints/{endpoint_id}", { params: { path: { endpoint_id: id } } })),
  });

export const useEventTypes = () => useQuery(eventTypesQuery);
export const useEndpoints = () => useQuery(endpointsQuery);
export const useEndpoint = (id: string) => useQuery(endpointQuery(id));

export function useAttempts(id: string) {
  return useCursorList(webhookKeys.attempts(id), (cursor) =>
    unwrap(api.GET("/v1/webhooks/endpoints/{endpoint_id}/attempts", { params: { path: { endpoint_id: id }, query: { cursor, limit: 50 } } })),
  );
}

function useInvalidate() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: webhookKeys.all });
}

export function useCreateEndpoint() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: Schema<"EndpointCreate">) => unwrap(api.POST("/v1/webhooks/endpoints", { body })),
    onSuccess: invalidate,
  });
}

export function useUpdateEndpoint(id: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: Schema<"EndpointUpdate">) => unwrap(api.PATCH("/v1/webhooks/endpoints/{endpoint_id}", { params: { path: { endpoint_id: id } }, body })),
    onSuccess: invalidate,
  });
}

export function useDeleteEndpoint(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.DELETE("/v1/webhooks/endpoints/{endpoint_id}", { params: { path: { endpoint_id: id } } })),
    onSuccess: () => {
      client.removeQueries({ queryKey: webhookKeys.endpoint(id) });
      return client.invalidateQueries({ queryKey: webhookKeys.endpoints, exact: true });
    },
  });
}

export function useRotateSecret(id: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: () => unwrap(api.POST("/v1/webhooks/endpoints/{endpoint_id}/rotate-secret", { params: { path: { endpoint_id: id } } })),
    onSuccess: invalidate,
  });
}

export function useSendTest(id: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: Schema<"TestEvent">) => unwrap(api.POST("/v1/webhooks/endpoints/{endpoint_id}/test", { params: { path: { endpoint_id: id } }, body })),
    onSuccess: invalidate,
  });
}

export function useReplay(id: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: Schema<"Replay">) => unwrap(api.POST("/v1/webhooks/endpoints/{endpoint_id}/replay", { params: { path: { endpoint_id: id } }, body })),
    onSuccess: invalidate,
  });
}
