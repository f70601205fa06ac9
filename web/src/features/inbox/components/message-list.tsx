import { useVirtualizer } from "@tanstack/react-virtual";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef } from "react";
import { useTranslation } from "react-i18next";
import { SkeletonRows } from "@/components/ui/skeleton";
import { ErrorState } from "@/components/ui/states";
import { useMessages } from "../api/inbox";
import { chronological, type Message } from "../lib/cache";
import { MessageBubble } from "./message-bubble";

const NEAR = 160;

/**
 * The thread, oldest at the top: virtualized (threads of thousands of messages), older pages fetched as the
 * user scrolls up with the view kept where it was, and kept at the bottom as new messages arrive.
 */
export function MessageList({ conversationId, onReply }: { conversationId: string; onReply: (message: Message) => void }) {
  const { t } = useTranslation("inbox");
  const query = useMessages(conversationId);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  const messages = useMemo(() => chronological(query.data), [query.data]);
  const byWamid = useMemo(() => new Map(messages.map((m) => [m.wamid, m])), [messages]);
  const parentRef = useRef<HTMLDivElement>(null);
  // TanStack Virtual re-renders through its own state; the React Compiler skips this component, as intended
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: messages.length,
    getScrollElement: () => parentRef.current,
    estimateSize: () => 64,
    getItemKey: (index) => messages[index]?.id ?? index,
    overscan: 8,
  });

  // Where the list stood at the last render: to keep the view still when older messages come in above it, and
  // at the bottom (as chat apps do) while the user is there. Scrolls are set directly, not with
  // `scrollToIndex`, whose retries would fight a user scrolling up while messages arrive.
  const edges = useRef<{ first?: string; last?: string; atBottom: boolean }>({ atBottom: true });
  const total = virtualizer.getTotalSize();
  useLayoutEffect(() => {
    const element = parentRef.current;
    const first = messages[0]?.id;
    const last = messages[messages.length - 1]?.id;
    const before = edges.current;
    if (element && messages.length) {
      // older messages came in above what was the first one (whatever happened at the bottom meanwhile: new
      // messages may arrive while an older page is on its way): move down by their height, to stay on what was shown
      const moved = before.first !== undefined && first !== before.first ? messages.findIndex((m) => m.id === before.first) : -1;
      if (moved > 0) element.scrollTop += virtualizer.measurementsCache[moved]?.start ?? 0;
      else if (before.atBottom || (last !== before.last && messages[messages.length - 1]?.direction === "out")) {
        element.scrollTop = element.scrollHeight;
        before.atBottom = true;
      }
    }
    edges.current = { ...before, first, last };
  }, [messages, total, virtualizer]);

  // Older pages are asked for whenever the view is near the top and nothing is being fetched: on a scroll, and
  // again when a fetch ends (a page that left the view near the top, a refetch of the thread that cancelled the
  // older page, a short thread with nothing to scroll), not only on the scroll that got there.
  const { isFetching, isFetchNextPageError } = query;
  const loadOlder = useCallback(
    (scrolled: boolean) => {
      const element = parentRef.current;
      // after a failed page, only the user's own scroll asks again (no loop of failing requests)
      if (!element || !hasNextPage || isFetching || (isFetchNextPageError && !scrolled)) return;
      if (element.scrollTop < NEAR * 2 || element.scrollHeight <= element.clientHeight) void fetchNextPage({ cancelRefetch: false });
    },
    [hasNextPage, isFetching, isFetchNextPageError, fetchNextPage],
  );
  useEffect(() => loadOlder(false), [loadOlder, messages.length]);
  const onScroll = () => {
    const element = parentRef.current;
    if (!element) return;
    edges.current.atBottom = element.scrollHeight - element.scrollTop - element.clientHeight < NEAR;
    loadOlder(true);
  };

  if (query.isPending) return <SkeletonRows className="flex-1 p-4" />;
  if (query.isError) return <div className="flex-1 p-4"><ErrorState error={query.error} onRetry={() => void query.refetch()} /></div>;
  return (
    <div
      ref={parentRef}
      onScroll={onScroll}
      role="log"
      aria-label={t("thread.label")}
      tabIndex={0}
      className="relative min-h-0 flex-1 overflow-y-auto bg-muted/30 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-ring"
    >
      <div className="flex min-h-full flex-col justify-end py-2">
        {isFetchingNextPage ? <p role="status" className="absolute inset-x-0 top-1 z-10 mx-auto w-fit rounded-full bg-background px-3 py-1 text-center text-xs text-muted-foreground shadow">{t("thread.loadingOlder")}</p> : null}
        {!messages.length ? <p className="p-6 text-center text-sm text-muted-foreground">{t("thread.empty")}</p> : null}
        {messages.length && !hasNextPage ? <p className="py-2 text-center text-xs text-muted-foreground">{t("thread.start")}</p> : null}
        <div className="relative w-full" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((row) => {
            const message = messages[row.index]!;
            return (
              <div key={row.key} data-index={row.index} ref={virtualizer.measureElement} className="absolute left-0 top-0 w-full" style={{ transform: `translateY(${row.start}px)` }}>
                <MessageBubble message={message} quoted={message.reply_to_wamid ? byWamid.get(message.reply_to_wamid) : undefined} onReply={onReply} />
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
