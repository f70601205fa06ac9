/** In-app notifications: the latest, the list (all or unread), mark read. The unread count and the live updates are in ./unread. */
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Schema } from "@/lib/api/types";
import { useCursorList } from "@/lib/hooks/use-cursor-list";
import { notificationKeys } from "./unread";

export type Notification = Schema<"NotificationRead">;

export const latestQuery = queryOptions({
  queryKey: notificationKeys.latest,
  queryFn: () => unwrap(api.GET("/v1/notifications", { params: { query: { limit: 5 } } })),
});

export const useLatest = (enabled: boolean) => useQuery({ ...latestQuery, enabled });

export function useNotifications(unread: boolean) {
  return useCursorList(notificationKeys.list(unread), (cursor) => unwrap(api.GET("/v1/notifications", { params: { query: { unread, cursor, limit: 50 } } })));
}

export function useMarkRead() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.POST("/v1/notifications/{notification_id}/read", { params: { path: { notification_id: id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: notificationKeys.all }),
  });
}

/** Mark each of the given notifications read (the API marks one at a time). */
export function useMarkAllRead() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (ids: string[]) => {
      for (const id of ids) await unwrap(api.POST("/v1/notifications/{notification_id}/read", { params: { path: { notification_id: id } } }));
    },
    onSettled: () => client.invalidateQueries({ queryKey: notificationKeys.all }),
  });
}


export { notificationKeys, unreadQuery, useLiveNotifications, useUnread, UNREAD_CAP } from "./unread";
