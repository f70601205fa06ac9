import { useVirtualizer } from "@tanstack/react-virtual";
import { Inbox as InboxIcon, MessageSquare, Smartphone } from "lucide-react";
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { Badge } from "@/components/ui/badge";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { useFormat } from "@/lib/i18n/format";
import { cn } from "@/lib/utils";
import { useConversations } from "../api/inbox";
import { AiBadge } from "./ai-state";
import type { Conversation, InboxFilters } from "../lib/filters";

const ROW = 68;

function initials(conversation: Conversation): string {
  const name = conversation.contact.name?.trim();
  if (!name) return "#";
  return name
    .split(/\s+/)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase() ?? "")
    .join("");
}

function Row({ conversation, selected, search, assignee }: { conversation: Conversation; selected: boolean; search: string; assignee: string | null }) {
  const { t } = useTranslation("inbox");
  const format = useFormat();
  const name = conversation.contact.name || conversation.contact.phone;
  const unread = conversation.unread_count;
  const Channel = conversation.channel === "sms" ? Smartphone : MessageSquare;
  return (
    <Link
      to={{ pathname: `/inbox/${conversation.id}`, search }}
      aria-current={selected ? "page" : undefined}
      className={cn(
        "flex h-full items-center gap-3 border-b px-3 hover:bg-muted focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-ring",
        selected && "bg-accent",
      )}
    >
      <span aria-hidden="true" className="flex size-9 shrink-0 items-center justify-center rounded-full bg-primary/10 text-xs font-semibold text-foreground">
        {initials(conversation)}
      </span>
      <span className="grid min-w-0 flex-1 gap-0.5">
        <span className="flex items-center gap-2">
          <span className={cn("truncate text-sm", unread ? "font-semibold" : "font-medium")}>{name}</span>
          <span className="ml-auto shrink-0 text-xs text-muted-foreground">{format.relative(conversation.last_message_at ?? conversation.created_at)}</span>
        </span>
        <span className="flex items-center gap-1.5 text-xs text-muted-foreground">
          {conversation.channel === "sms" ? (
            <Badge variant="outline" className="gap-0.5 px-1.5 py-0 text-[10px]">
              <Channel className="size-3 shrink-0" aria-hidden="true" />
              {t("channel.sms")}
            </Badge>
          ) : (
            <Channel className="size-3.5 shrink-0" aria-label={t("channel.whatsapp")} />
          )}
          {conversation.contact.name ? <span className="truncate">{conversation.contact.phone}</span> : null}
          {conversation.status !== "open" ? (
            <Badge variant={conversation.status === "closed" ? "secondary" : "warning"} className="px-1.5 py-0 text-[10px]">
              {t(`status.${conversation.status}`, { defaultValue: conversation.status })}
            </Badge>
          ) : null}
          {assignee ? <span className="truncate">· {assignee}</span> : null}
          {conversation.ai ? <AiBadge ai={conversation.ai} compact /> : null}
          {unread ? (
            <span className="ml-auto flex min-w-5 shrink-0 items-center justify-center rounded-full bg-primary px-1.5 text-[11px] font-semibold text-primary-foreground">
              <span aria-hidden="true">{unread > 99 ? "99+" : unread}</span>
              <span className="sr-only">{t("list.unread", { count: unread })}</span>
            </span>
          ) : null}
        </span>
      </span>
    </Link>
  );
}

/** Conversations, most recent activity first: virtualized, a page fetched with the cursor as the user scrolls. */
export function ConversationList({
  filters,
  selectedId,
  search,
  assigneeName,
}: {
  filters: InboxFilters;
  selectedId: string | undefined;
  search: string;
  assigneeName: (id: string | null) => string | null;
}) {
  const { t } = useTranslation("inbox");
  const query = useConversations(filters);
  const { items, hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  const parentRef = useRef<HTMLDivElement>(null);
  // TanStack Virtual re-renders through its own state; the React Compiler skips this component, as intended
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => parentRef.current,
    estimateSize: () => ROW,
    getItemKey: (index) => items[index]?.id ?? index,
    overscan: 10,
  });
  const virtualItems = virtualizer.getVirtualItems();
  const last = virtualItems[virtualItems.length - 1]?.index ?? -1;
  useEffect(() => {
    if (last >= items.length - 10 && hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [last, items.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  if (query.isPending) return <SkeletonRows className="p-3" />;
  if (query.isError) return <div className="p-3"><ErrorState error={query.error} onRetry={() => void query.refetch()} /></div>;
  if (!items.length)
    return (
      <div className="p-3">
        <EmptyState icon={InboxIcon} title={t("list.empty")} description={t("list.emptyHint")} />
      </div>
    );
  return (
    <div ref={parentRef} className="min-h-0 flex-1 overflow-y-auto" aria-busy={isFetchingNextPage || undefined}>
      <div role="list" aria-label={t("list.label")} className="relative w-full" style={{ height: virtualizer.getTotalSize() }}>
        {virtualItems.map((row) => {
          const conversation = items[row.index]!;
          return (
            <div
              key={row.key}
              role="listitem"
              className="absolute left-0 top-0 w-full"
              style={{ height: row.size, transform: `translateY(${row.start}px)` }}
            >
              <Row conversation={conversation} selected={conversation.id === selectedId} search={search} assignee={assigneeName(conversation.assignee_id)} />
            </div>
          );
        })}
      </div>
      {isFetchingNextPage ? <p className="p-3 text-center text-xs text-muted-foreground">{t("common:loading")}</p> : null}
    </div>
  );
}
