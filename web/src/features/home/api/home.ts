/** What the home screen summarises: the inbox, the campaigns, the notifications (each with its live topic). */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { api, unwrap } from "@/lib/api/client";
import type { Schema } from "@/lib/api/types";
import { useRealtimeEvent, useTopic } from "@/lib/realtime/hooks";
import { realtime } from "@/lib/realtime/socket";

export type Campaign = Schema<"CampaignRead">;
export type Progress = Schema<"Progress">;
export type Notification = Schema<"NotificationRead">;

const OPEN_LIMIT = 200;
/** Home is where one looks to see what is going on: each visit reads again. */
const FRESH = { staleTime: 0, refetchOnMount: "always" } as const;

export const homeKeys = {
  unread: ["home", "unread"] as const,
  open: ["home", "open"] as const,
  campaigns: ["home", "campaigns"] as const,
  progress: (id: string) => ["home", "progress", id] as const,
  notifications: ["home", "notifications"] as const,
};

export function useUnread() {
  return useQuery({ ...FRESH, queryKey: homeKeys.unread, queryFn: () => unwrap(api.GET("/v1/conversations/unread")) });
}

/** Open conversations, counted up to 200 ("200+" past that). */
export function useOpenCount() {
  return useQuery({
    ...FRESH,
    queryKey: homeKeys.open,
    queryFn: async () => {
      const page = await unwrap(api.GET("/v1/conversations", { params: { query: { status: "open", limit: OPEN_LIMIT } } }));
      return { count: page.items.length, more: Boolean(page.next_cursor) };
    },
  });
}

/** The inbox's counts follow its frames. */
export function useLiveInbox() {
  const client = useQueryClient();
  useTopic("inbox");
  useRealtimeEvent(["conversation.updated", "message.created", "conversation.assigned"], () => {
    void client.invalidateQueries({ queryKey: homeKeys.unread });
    void client.invalidateQueries({ queryKey: homeKeys.open });
  });
}

/** Running and paused campaigns first, then the latest others (drafts left out). */
export function useHomeCampaigns() {
  return useQuery({
    ...FRESH,
    queryKey: homeKeys.campaigns,
    queryFn: async () => {
      const [running, paused, latest] = await Promise.all([
        unwrap(api.GET("/v1/campaigns", { params: { query: { status: "running", limit: 5 } } })),
        unwrap(api.GET("/v1/campaigns", { params: { query: { status: "paused", limit: 5 } } })),
        unwrap(api.GET("/v1/campaigns", { params: { query: { limit: 10 } } })),
      ]);
      const active = [...running.items, ...paused.items];
      const seen = new Set(active.map((c) => c.id));
      const recent = latest.items.filter((c) => !seen.has(c.id) && c.status !== "draft").slice(0, Math.max(0, 5 - active.length));
      return { active, recent };
    },
  });
}

export function useCampaignProgress(id: string) {
  return useQuery({
    ...FRESH,
    queryKey: homeKeys.progress(id),
    queryFn: () => unwrap(api.GET("/v1/campaigns/{campaign_id}/progress", { params: { path: { campaign_id: id } } })),
  });
}

function isProgress(data: Record<string, unknown>): data is Progress & Record<string, unknown> {
  return typeof data.campaign_id === "string" && typeof data.total === "number" && typeof data.status === "string";
}

/** Follow the running campaigns: each frame patches its progress; a change of state refreshes the card. */
export function useLiveCampaigns(ids: string[]) {
  const client = useQueryClient();
  const key = ids.join(",");
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => {
    if (!key) return;
    const leave = key.split(",").map((id) => realtime.follow(`campaign:${id}`));
    return () => leave.forEach((stop) => stop());
  }, [key]);
  useRealtimeEvent(["campaign.progress"], (frame) => {
    if (!isProgress(frame.data) || !key.split(",").includes(frame.data.campaign_id)) return;
    const progress = frame.data;
    const before = client.getQueryData<Progress>(homeKeys.progress(progress.campaign_id));
    client.setQueryData(homeKeys.progress(progress.campaign_id), progress);
    if (before && before.status !== progress.status) void client.invalidateQueries({ queryKey: homeKeys.campaigns });
    // frames come at most once a second and the ones in between are dropped: read once more when quiet
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void client.invalidateQueries({ queryKey: ["home", "progress"] }), 2_500);
  });
  useEffect(() => () => clearTimeout(timer.current), []);
}

export function useUnreadNotifications() {
  const client = useQueryClient();
  useTopic("notifications");
  useRealtimeEvent(["notification.created"], () => void client.invalidateQueries({ queryKey: homeKeys.notifications }));
  return useQuery({
    ...FRESH,
    queryKey: homeKeys.notifications,
    queryFn: () => unwrap(api.GET("/v1/notifications", { params: { query: { unread: true, limit: 5 } } })),
  });
}

export type Import = Schema<"ImportRead">;

export function useLastImports() {
  return useQuery({
    ...FRESH,
    queryKey: ["home", "imports"],
    queryFn: () => unwrap(api.GET("/v1/contacts/imports", { params: { query: { limit: 3 } } })),
  });
}
