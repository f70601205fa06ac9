import { ArrowLeft, PanelRight } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { ApiError } from "@/lib/api/problem";
import { useConversation, useMarkRead, usePrefetchMessages, type User } from "../api/inbox";
import type { Message } from "../lib/cache";
import type { Conversation } from "../lib/filters";
import { AiBadge, AiNotice, AiToggle } from "./ai-state";
import { Composer } from "./composer";
import { ConversationActions } from "./conversation-actions";
import { DetailsPane } from "./details-pane";
import { MessageList } from "./message-list";

/** Zero the unread count when the conversation is open with unread messages (again when more arrive). */
function useMarkReadWhileOpen(conversation: Conversation | undefined, meId: string | undefined) {
  const markRead = useMarkRead(conversation?.id ?? "", meId);
  const inFlight = useRef(false);
  const unread = conversation?.unread_count ?? 0;
  const { mutate } = markRead;
  useEffect(() => {
    if (!conversation || unread === 0 || inFlight.current) return;
    inFlight.current = true;
    mutate(undefined, { onSettled: () => (inFlight.current = false) });
  }, [conversation, unread, mutate]);
}

interface ThreadPaneProps {
  conversationId: string;
  backTo: string;
  meId: string | undefined;
  admin: boolean;
  users: User[] | undefined;
  wide: boolean;
  assigneeName: (id: string | null) => string | null;
  authorName: (id: string | null) => string;
}

export function ThreadPane({ conversationId, backTo, meId, admin, users, wide, assigneeName, authorName }: ThreadPaneProps) {
  const { t } = useTranslation("inbox");
  usePrefetchMessages(conversationId);
  const query = useConversation(conversationId);
  const conversation = query.data;
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [detailsOpen, setDetailsOpen] = useState(false);
  useMarkReadWhileOpen(conversation, meId);

  const back = (
    <Button asChild variant="ghost" size="icon" className="md:hidden">
      <Link to={backTo} aria-label={t("thread.back")}>
        <ArrowLeft aria-hidden="true" />
      </Link>
    </Button>
  );
  if (query.isPending)
    return (
      <div className="grid gap-3 p-4">
        {back}
        <Skeleton className="h-8 w-1/2" />
        <Skeleton className="h-40 w-full" />
      </div>
    );
  if (query.isError || !conversation) {
    const gone = query.error instanceof ApiError && (query.error.status === 404 || query.error.status === 403);
    return (
      <div className="grid gap-3 p-4">
        {back}
        {gone ? <EmptyState title={t("thread.gone")} description={t("thread.goneHint")} /> : <ErrorState error={query.error} onRetry={() => void query.refetch()} />}
      </div>
    );
  }
  const name = conversation.contact.name || conversation.contact.phone;
  return (
    <>
      <header className="flex flex-wrap items-center gap-2 border-b px-3 py-2">
        {back}
        <div className="min-w-0 flex-1">
          <h2 className="truncate text-base font-semibold">{name}</h2>
          <p className="flex flex-wrap items-center gap-1.5 text-xs text-muted-foreground">
            {conversation.contact.name ? <span>{conversation.contact.phone}</span> : null}
            <Badge variant={conversation.status === "closed" ? "secondary" : conversation.status === "pending" ? "warning" : "success"}>
              {t(`status.${conversation.status}`, { defaultValue: conversation.status })}
            </Badge>
            {conversation.channel === "sms" ? <Badge variant="outline">{t("channel.sms")}</Badge> : null}
            {conversation.channel !== "sms" && !conversation.window_open ? <Badge variant="outline">{t("details.windowClosed")}</Badge> : null}
            <AiBadge ai={conversation.ai} />
          </p>
        </div>
        <AiToggle conversation={conversation} meId={meId} />
        <ConversationActions conversation={conversation} meId={meId} users={users} admin={admin} />
        {!wide ? (
          <Button variant="ghost" size="icon" aria-label={t("details.open")} onClick={() => setDetailsOpen(true)}>
            <PanelRight aria-hidden="true" />
          </Button>
        ) : null}
      </header>
      <div className="flex min-h-0 flex-1">
        <div className="flex min-w-0 flex-1 flex-col">
          <AiNotice conversation={conversation} assigneeName={assigneeName} />
          <MessageList key={conversation.id} conversationId={conversation.id} onReply={setReplyTo} />
          <Composer key={conversation.id} conversation={conversation} replyTo={replyTo} onClearReply={() => setReplyTo(null)} />
        </div>
        {wide ? (
          <aside aria-label={t("details.title")} className="w-72 shrink-0 overflow-y-auto border-l">
            <DetailsPane conversation={conversation} assigneeName={assigneeName} authorName={authorName} />
          </aside>
        ) : null}
      </div>
      {!wide ? (
        <Dialog open={detailsOpen} onOpenChange={setDetailsOpen}>
          <DialogContent side="right" className="max-w-sm content-start gap-0 p-0">
            <DialogHeader className="p-4 pb-0">
              <DialogTitle>{t("details.title")}</DialogTitle>
              <DialogDescription>{name}</DialogDescription>
            </DialogHeader>
            <DetailsPane conversation={conversation} assigneeName={assigneeName} authorName={authorName} />
          </DialogContent>
        </Dialog>
      ) : null}
    </>
  );
}
