import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { Button } from "@/components/ui/button";
import { Popover, PopoverContent, PopoverTrigger } from "@/components/ui/popover";
import { SkeletonRows } from "@/components/ui/skeleton";
import { useLatest, useUnread } from "../api/notifications";
import { badgeText } from "../lib/links";
import { BellButton } from "./bell-button";
import { NotificationItem } from "./notification-item";

/** The bell with its popover of the latest notifications (loaded after the first screen). */
export default function BellMenu() {
  const { t } = useTranslation("notifications");
  const [open, setOpen] = useState(false);
  const unread = useUnread();
  const latest = useLatest(open);
  const count = unread.data?.count ?? 0;
  const text = badgeText(count, unread.data?.more ?? false);
  return (
    <Popover open={open} onOpenChange={setOpen}>
      <PopoverTrigger asChild>
        <BellButton count={count} text={text} />
      </PopoverTrigger>
      <PopoverContent className="w-[min(22rem,calc(100vw-1rem))] p-0" aria-label={t("notifications.title")}>
        <div className="flex items-center justify-between border-b px-3 py-2">
          <h2 className="text-sm font-semibold">{t("notifications.title")}</h2>
          <span className="text-xs text-muted-foreground">{count ? t("unreadCount", { count, text }) : t("allRead")}</span>
        </div>
        <div className="max-h-96 overflow-y-auto p-1">
          {latest.isPending ? (
            <SkeletonRows rows={3} />
          ) : latest.isError ? (
            <p className="p-3 text-sm text-destructive">{latest.error.message}</p>
          ) : latest.data.items.length === 0 ? (
            <p className="p-4 text-center text-sm text-muted-foreground">{t("empty")}</p>
          ) : (
            latest.data.items.map((n) => <NotificationItem key={n.id} notification={n} compact onNavigate={() => setOpen(false)} />)
          )}
        </div>
        <div className="border-t p-1">
          <Button asChild variant="ghost" className="w-full">
            <Link to="/notifications" onClick={() => setOpen(false)}>
              {t("seeAll")}
            </Link>
          </Button>
        </div>
      </PopoverContent>
    </Popover>
  );
}
