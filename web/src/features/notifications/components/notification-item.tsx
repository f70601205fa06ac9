import { Check } from "lucide-react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { Button } from "@/components/ui/button";
import { useFormat } from "@/lib/i18n/format";
import { cn } from "@/lib/utils";
import { type Notification, useMarkRead } from "../api/notifications";
import { notificationLink } from "../lib/links";
import { bodyValues } from "../lib/texts";

/** One notification: title, body, when; unread ones are marked and offer "mark read". */
export function NotificationItem({ notification: n, compact = false, onNavigate }: { notification: Notification; compact?: boolean; onNavigate?: () => void }) {
  const { t } = useTranslation("notifications");
  const fmt = useFormat();
  const markRead = useMarkRead();
  const unread = n.read_at === null;
  const to = notificationLink(n.data);
  // Known kinds get a title in the user's language; the body is the server's, with the names and reasons in it.
  const title = t(`kinds.${n.kind.replace(/\./g, "_")}`, { defaultValue: n.title });
  // An appointment's body too, from its data (its time in its own timezone); the server's otherwise.
  const values = bodyValues(n.kind, n.data, fmt.dateTime);
  const body = values ? t(`bodies.${n.kind}`, { ...values, defaultValue: n.body }) : n.body;
  return (
    <article className={cn("flex gap-3 rounded-md p-2", unread && "bg-accent/50")} aria-label={title}>
      <span aria-hidden="true" className={cn("mt-1.5 size-2 shrink-0 rounded-full", unread ? "bg-primary" : "bg-transparent")} />
      <div className="min-w-0 flex-1">
        <p className="text-sm font-medium">
          {to ? (
            <Link to={to} onClick={onNavigate} className="underline-offset-4 hover:underline">
              {title}
            </Link>
          ) : (
            title
          )}
          {unread ? <span className="sr-only"> ({t("unread")})</span> : null}
        </p>
        <p className={cn("text-sm text-muted-foreground", compact && "line-clamp-2")}>{body}</p>
        <p className="mt-0.5 text-xs text-muted-foreground">
          <time dateTime={n.created_at} title={fmt.dateTime(n.created_at)}>
            {fmt.relative(n.created_at)}
          </time>
        </p>
      </div>
      {unread ? (
        <Button variant="ghost" size="sm" className="shrink-0" disabled={markRead.isPending} onClick={() => markRead.mutate(n.id)}>
          <Check aria-hidden="true" />
          <span className={compact ? "sr-only" : "sr-only sm:not-sr-only"}>{t("markRead")}</span>
          <span className="sr-only">: {title}</span>
        </Button>
      ) : null}
    </article>
  );
}
