import { MessagesSquare } from "lucide-react";
import { useCallback, useMemo } from "react";
import { useTranslation } from "react-i18next";
import { Route, Routes, useParams, useSearchParams } from "react-router";
import { EmptyState } from "@/components/ui/states";
import { useAuth } from "@/lib/auth/auth-provider";
import { cn } from "@/lib/utils";
import { useUsers } from "../api/inbox";
import { useInboxLive } from "../api/live";
import { ConversationList } from "../components/conversation-list";
import { FiltersBar } from "../components/filters-bar";
import { ThreadPane } from "../components/thread-pane";
import { filtersToParams, parseFilters } from "../lib/filters";
import { useMediaQuery } from "../lib/use-media-query";

/**
 * The inbox in three panes (conversations, the thread, the contact and notes), live. On a phone one pane
 * at a time: `/inbox` is the list, `/inbox/:conversationId` the thread with a way back.
 */
function Inbox() {
  const { t } = useTranslation("inbox");
  const { conversationId } = useParams();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => parseFilters(params), [params]);
  const search = params.toString() ? `?${params.toString()}` : "";
  const { me, atLeast } = useAuth();
  const admin = atLeast("admin");
  const meId = me?.user.id;
  const users = useUsers(admin).data;
  const wide = useMediaQuery("(min-width: 1280px)");
  useInboxLive(conversationId, { id: meId, agent: !admin });

  const byId = useMemo(() => new Map((users ?? []).map((u) => [u.id, u.name])), [users]);
  const assigneeName = useCallback(
    (id: string | null) => {
      if (!id) return null;
      if (id === meId) return t("you");
      return byId.get(id) ?? t("teammate");
    },
    [byId, meId, t],
  );
  const authorName = useCallback((id: string | null) => assigneeName(id) ?? t("teammate"), [assigneeName, t]);

  return (
    <div className="flex h-full min-h-0">
      <section aria-labelledby="inbox-title" className={cn("min-h-0 w-full flex-col border-r md:flex md:w-72 xl:w-80", conversationId ? "hidden" : "flex")}>
        <div className="flex items-center justify-between px-3 pt-3">
          <h1 id="inbox-title" className="text-lg font-semibold tracking-tight">
            {t("inbox.title")}
          </h1>
        </div>
        <FiltersBar filters={filters} users={users} onChange={(next) => setParams(filtersToParams(next), { replace: true })} />
        <ConversationList filters={filters} selectedId={conversationId} search={search} assigneeName={assigneeName} />
      </section>
      <section aria-label={t("thread.pane")} className={cn("min-h-0 min-w-0 flex-1 flex-col", conversationId ? "flex" : "hidden md:flex")}>
        {conversationId ? (
          <ThreadPane
            key={conversationId}
            conversationId={conversationId}
            backTo={`/inbox${search}`}
            meId={meId}
            admin={admin}
            users={users}
            wide={wide}
            assigneeName={assigneeName}
            authorName={authorName}
          />
        ) : (
          <div className="m-auto p-6">
            <EmptyState icon={MessagesSquare} title={t("thread.none")} description={t("thread.noneHint")} />
          </div>
        )}
      </section>
    </div>
  );
}

export function Component() {
  return (
    <Routes>
      <Route index element={<Inbox />} />
      <Route path=":conversationId" element={<Inbox />} />
    </Routes>
  );
}
