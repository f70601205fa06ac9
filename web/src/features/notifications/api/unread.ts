/** What the top bar's bell needs, kept apart so the shell's first load carries no list or popover code. */
import { queryOptions, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { useRealtimeEvent, useTopic } from "@/lib/realtime/hooks";

/** The bell counts up to this many unread; beyond it shows "99+". */
export const UNREAD_CAP = 100;

export const notificationKeys = {
  all: ["notifications"] as const,
  list: (unread: boolean) => ["notifications", "list", { unread }] as const,
  unread: ["notifications", "unread"] as const,
  latest: ["notifications", "latest"] as const,
};

export const unreadQuery = queryOptions({
  queryKey: notificationKeys.unread,
  queryFn: () => unwrap(api.GET("/v1/notifications", { params: { query: { unread: true, limit: UNREAD_CAP } } })),
  select: (page) => ({ count: page.items.length, more: Boolean(page.next_cursor), items: page.items }),
});

export const useUnread = () => useQuery(unreadQuery);

/** Follow the `notifications` topic: a new notification refreshes the count and the lists. */
export function useLiveNotifications() {
  const client = useQueryClient();
  useTopic("notifications");
  useRealtimeEvent(["notification.created"], () => void client.invalidateQueries({ queryKey: notificationKeys.all }));
}
