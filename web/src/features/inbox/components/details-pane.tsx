import { KanbanSquare, StickyNote } from "lucide-react";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Textarea } from "@/components/ui/input";
import { api, unwrap } from "@/lib/api/client";
import { ApiError } from "@/lib/api/problem";
import { SkeletonRows } from "@/components/ui/skeleton";
import { ErrorState } from "@/components/ui/states";
import { useFieldErrors } from "@/lib/hooks/use-field-errors";
import { useFormat } from "@/lib/i18n/format";
import { useAddNote, useNotes } from "../api/inbox";
import type { Conversation } from "../lib/filters";
import { AiDetails } from "./ai-state";

function Notes({ conversationId, authorName }: { conversationId: string; authorName: (id: string | null) => string }) {
  const { t } = useTranslation("inbox");
  const format = useFormat();
  const notes = useNotes(conversationId);
  const add = useAddNote(conversationId);
  const { errors, fail, clear } = useFieldErrors();
  const [body, setBody] = useState("");
  const heading = useId();
  return (
    <section aria-labelledby={heading} className="grid gap-3">
      <h3 id={heading} className="flex items-center gap-2 text-sm font-semibold">
        <StickyNote className="size-4" aria-hidden="true" />
        {t("notes.title")}
      </h3>
      <p className="text-xs text-muted-foreground">{t("notes.hint")}</p>
      {notes.isPending ? <SkeletonRows rows={2} className="p-0" /> : null}
      {notes.isError ? <ErrorState error={notes.error} onRetry={() => void notes.refetch()} /> : null}
      {notes.isSuccess && !notes.items.length ? <p className="text-sm text-muted-foreground">{t("notes.empty")}</p> : null}
      {notes.hasNextPage ? (
        <Button variant="ghost" size="sm" className="justify-self-start" disabled={notes.isFetchingNextPage} onClick={() => void notes.fetchNextPage()}>
          {notes.isFetchingNextPage ? t("common:loading") : t("notes.loadOlder")}
        </Button>
      ) : null}
      {notes.items.length ? (
        <ul className="grid gap-2" aria-label={t("notes.title")}>
          {notes.items.map((note) => (
            <li key={note.id} className="rounded-md border border-amber-200 bg-amber-50 p-2 text-sm">
              <p className="whitespace-pre-wrap break-words">{note.body}</p>
              <p className="mt-1 text-xs text-amber-900/80">
                {authorName(note.author_id)} · <time dateTime={note.created_at}>{format.dateTime(note.created_at)}</time>
              </p>
            </li>
          ))}
        </ul>
      ) : null}
      <form
        className="grid gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          if (!body.trim()) return;
          add.mutate(body.trim(), {
            onSuccess: () => {
              setBody("");
              clear();
            },
            onError: fail,
          });
        }}
      >
        <Field label={t("notes.new")} error={errors.body}>
          <Textarea value={body} rows={3} onChange={(e) => setBody(e.target.value)} />
        </Field>
        <Button type="submit" variant="secondary" size="sm" disabled={!body.trim() || add.isPending}>
          {t("notes.add")}
        </Button>
      </form>
    </section>
  );
}

/** "Create lead": a lead for the conversation's contact on the first pipeline, opened on its board (the
 * contact's open lead there when it has one). */
function CreateLead({ conversationId }: { conversationId: string }) {
  const { t } = useTranslation("inbox");
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const open = (lead: { id: string; pipeline_id: string }) => navigate(`/pipelines/${lead.pipeline_id}?lead=${lead.id}`);
  return (
    <Button
      variant="outline"
      size="sm"
      className="justify-self-start"
      disabled={busy}
      onClick={() => {
        setBusy(true);
        unwrap(api.POST("/v1/conversations/{conversation_id}/lead", { params: { path: { conversation_id: conversationId } }, body: {} }))
          .then(open, (error: unknown) => {
            const existing = error instanceof ApiError ? (error.problem.lead as { id: string; pipeline_id: string } | undefined) : undefined;
            if (existing) open(existing);
            toast.error(error instanceof Error ? error.message : String(error));
          })
          .finally(() => setBusy(false));
      }}
    >
      <KanbanSquare aria-hidden="true" />
      {t("details.createLead")}
    </Button>
  );
}

/** The third pane: who the contact is, who has the conversation, and the team's internal notes. */
export function DetailsPane({
  conversation,
  assigneeName,
  authorName,
}: {
  conversation: Conversation;
  assigneeName: (id: string | null) => string | null;
  authorName: (id: string | null) => string;
}) {
  const { t } = useTranslation("inbox");
  const format = useFormat();
  const heading = useId();
  return (
    <div className="grid gap-5 p-4">
      <section aria-labelledby={heading} className="grid gap-2">
        <h3 id={heading} className="text-sm font-semibold">
          {t("details.contact")}
        </h3>
        <dl className="grid gap-2 text-sm [&_dd]:[overflow-wrap:anywhere] [&_dt]:text-xs [&_dt]:text-muted-foreground">
          <div>
            <dt>{t("details.name")}</dt>
            <dd>{conversation.contact.name || "—"}</dd>
          </div>
          <div>
            <dt>{t("details.phone")}</dt>
            <dd>{conversation.contact.phone}</dd>
          </div>
          <div>
            <dt>{t("details.assignee")}</dt>
            <dd>{assigneeName(conversation.assignee_id) ?? t("filters.unassigned")}</dd>
          </div>
          <div>
            <dt>{t("filters.channel")}</dt>
            <dd>{t(`channel.${conversation.channel === "sms" ? "sms" : "whatsapp"}`)}</dd>
          </div>
          {conversation.channel !== "sms" ? (
            <div>
              <dt>{t("details.window")}</dt>
              <dd>{conversation.window_open ? t("details.windowUntil", { time: format.dateTime(conversation.window_expires_at) }) : t("details.windowClosed")}</dd>
            </div>
          ) : null}
          <div>
            <dt>{t("details.started")}</dt>
            <dd>{format.dateTime(conversation.created_at)}</dd>
          </div>
        </dl>
        <CreateLead conversationId={conversation.id} />
      </section>
      <AiDetails conversation={conversation} />
      <Notes conversationId={conversation.id} authorName={authorName} />
    </div>
  );
}
