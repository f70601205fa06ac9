import { BellOff, CheckCheck } from "lucide-react";
import { useTranslation } from "react-i18next";
import { Button } from "@/components/ui/button";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState, ErrorState, LoadMore, PageHeader } from "@/components/ui/states";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { useSearchParams } from "react-router";
import { useMarkAllRead, useNotifications, useUnread } from "../api/notifications";
import { NotificationItem } from "../components/notification-item";

function NotificationList({ unread }: { unread: boolean }) {
  const { t } = useTranslation("notifications");
  const list = useNotifications(unread);
  if (list.isPending) return <SkeletonRows />;
  if (list.isError) return <ErrorState error={list.error} onRetry={() => void list.refetch()} />;
  if (list.items.length === 0) return <EmptyState icon={BellOff} title={unread ? t("emptyUnread") : t("empty")} description={t("emptyHint")} />;
  return (
    <div className="rounded-lg border">
      <ul className="grid divide-y">
        {list.items.map((n) => (
          <li key={n.id} className="p-1">
            <NotificationItem notification={n} />
          </li>
        ))}
      </ul>
      <LoadMore hasMore={list.hasNextPage} loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()} />
    </div>
  );
}

export function Component() {
  const { t } = useTranslation("notifications");
  const [params, setParams] = useSearchParams();
  const filter = params.get("filter") === "unread" ? "unread" : "all";
  const unread = useUnread();
  const markAll = useMarkAllRead();
  const ids = unread.data?.items.map((n) => n.id) ?? [];
  return (
    <div className="p-4 md:p-6">
      <PageHeader
        title={t("notifications.title")}
        description={t("description")}
        actions={
          ids.length ? (
            <Button variant="outline" disabled={markAll.isPending} onClick={() => markAll.mutate(ids)}>
              <CheckCheck aria-hidden="true" />
              {t("markAllRead")}
            </Button>
          ) : null
        }
      />
      <Tabs value={filter} onValueChange={(v) => setParams(v === "unread" ? { filter: "unread" } : {}, { replace: true })}>
        <TabsList aria-label={t("filter")}>
          <TabsTrigger value="all">{t("tabs.all")}</TabsTrigger>
          <TabsTrigger value="unread">{unread.data?.count ? t("tabs.unreadCount", { count: unread.data.count }) : t("tabs.unread")}</TabsTrigger>
        </TabsList>
        <TabsContent value="all">
          <NotificationList unread={false} />
        </TabsContent>
        <TabsContent value="unread">
          <NotificationList unread />
        </TabsContent>
      </Tabs>
    </div>
  );
}
