import { ArrowRightLeft, Bot, CalendarClock, MessageSquare, StickyNote, Trophy, XCircle } from "lucide-react";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input, NativeSelect, Textarea } from "@/components/ui/input";
import { SkeletonRows } from "@/components/ui/skeleton";
import { ErrorState } from "@/components/ui/states";
import { useFieldErrors } from "@/lib/hooks/use-field-errors";
import { useFormat } from "@/lib/i18n/format";
import { useQueryClient } from "@tanstack/react-query";
import { useRealtimeEvent, useTopic } from "@/lib/realtime/hooks";
import {
  pipelineKeys,
  useAddLeadNote,
  useCloseLead,
  useLead,
  useTags,
  useTimeline,
  useUpdateLead,
  useUsers,
} from "../api/pipelines";
import type { Lead, Stage } from "../lib/board";
import { AppointmentLine, Appointments } from "./lead-appointments";
import { ReasonDialog } from "./reason-dialog";

function Details({ lead }: { lead: Lead }) {
  const { t } = useTranslation("pipelines");
  const users = useUsers();
  const tags = useTags();
  const update = useUpdateLead(lead.id);
  const { errors, fail, clear } = useFieldErrors();
  const format = useFormat();
  const comma = format.number(1.5).includes(","); // the value as the user writes decimals (sent with a point)
  const [form, setForm] = useState({
    title: lead.title,
    value: (comma ? lead.value?.replace(".", ",") : lead.value) ?? "",
    currency: lead.currency,
    owner: lead.owner_id ?? "",
    tags: lead.tags.map((tag) => tag.id),
    nextStep: lead.next_step ?? "",
    due: lead.due_date ?? "",
  });
  const set = (patch: Partial<typeof form>) => setForm((f) => ({ ...f, ...patch }));
  const tagsLabel = useId();
  const allTags = [...(tags.data ?? [])];
  for (const tag of lead.tags) if (!allTags.some((x) => x.id === tag.id)) allTags.push(tag);
  return (
    <form
      className="grid gap-3"
      aria-label={t("lead.details")}
      onSubmit={(e) => {
        e.preventDefault();
        update.mutate(
          {
            version: lead.version,
            title: form.title.trim(),
            value: form.value.trim() ? form.value.trim().replace(",", ".") : null,
            currency: form.currency.trim().toUpperCase(),
            owner_id: form.owner || null,
            tag_ids: form.tags,
            next_step: form.nextStep.trim() || null,
            due_date: form.due || null,
          },
          {
            onSuccess: () => {
              clear();
              toast.success(t("lead.saved"));
            },
            onError: fail,
          },
        );
      }}
    >
      <Field label={t("lead.title")} error={errors.title}>
        <Input value={form.title} required maxLength={200} onChange={(e) => set({ title: e.target.value })} />
      </Field>
      <div className="grid grid-cols-[1fr_6rem] gap-3">
        <Field label={t("lead.value")} error={errors.value}>
          <Input inputMode="decimal" value={form.value} onChange={(e) => set({ value: e.target.value })} />
        </Field>
        <Field label={t("lead.currency")} error={errors.currency}>
          <Input value={form.currency} maxLength={3} onChange={(e) => set({ currency: e.target.value })} />
        </Field>
      </div>
      <Field label={t("lead.owner")} error={errors.owner_id}>
        <NativeSelect value={form.owner} onChange={(e) => set({ owner: e.target.value })}>
          <option value="">{t("card.unassigned")}</option>
          {(users.data ?? []).map((u) => (
            <option key={u.id} value={u.id}>
              {u.name || u.email}
            </option>
          ))}
        </NativeSelect>
      </Field>
      {allTags.length ? (
        <fieldset className="grid gap-1.5">
          <legend id={tagsLabel} className="mb-1.5 text-sm font-medium">
            {t("lead.tags")}
          </legend>
          <div className="flex flex-wrap gap-1.5">
            {allTags.map((tag) => {
              const on = form.tags.includes(tag.id);
              return (
                <button
                  key={tag.id}
                  type="button"
                  aria-pressed={on}
                  className={`rounded-full border px-2 py-0.5 text-xs ${on ? "bg-primary text-primary-foreground" : "bg-background"}`}
                  onClick={() => set({ tags: on ? form.tags.filter((id) => id !== tag.id) : [...form.tags, tag.id] })}
                >
                  {tag.name}
                </button>
              );
            })}
          </div>
          {errors.tag_ids ? <p className="text-xs text-destructive">{errors.tag_ids}</p> : null}
        </fieldset>
      ) : null}
      <Field label={t("lead.nextStep")} error={errors.next_step}>
        <Input value={form.nextStep} maxLength={500} onChange={(e) => set({ nextStep: e.target.value })} />
      </Field>
      <Field label={t("lead.due")} error={errors.due_date}>
        <Input type="date" value={form.due} onChange={(e) => set({ due: e.target.value })} />
      </Field>
      <Button type="submit" className="justify-self-start" disabled={update.isPending || !form.title.trim()}>
        {update.isPending ? t("common:saving") : t("common:save")}
      </Button>
    </form>
  );
}

function TimelineSection({ leadId, stageName, userName }: { leadId: string; stageName: (id: string | null) => string; userName: (id: string | null) => string }) {
  const { t } = useTranslation("pipelines");
  const format = useFormat();
  const timeline = useTimeline(leadId);
  const add = useAddLeadNote(leadId);
  const { errors, fail, clear } = useFieldErrors();
  const [body, setBody] = useState("");
  const heading = useId();
  return (
    <section aria-labelledby={heading} className="grid gap-3">
      <h3 id={heading} className="text-sm font-semibold">
        {t("lead.timeline")}
      </h3>
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
        <Field label={t("lead.newNote")} error={errors.body}>
          <Textarea value={body} rows={2} onChange={(e) => setBody(e.target.value)} />
        </Field>
        <Button type="submit" variant="secondary" size="sm" className="justify-self-start" disabled={!body.trim() || add.isPending}>
          {t("lead.addNote")}
        </Button>
      </form>
      {timeline.isPending ? <SkeletonRows rows={3} className="p-0" /> : null}
      {timeline.isError ? <ErrorState error={timeline.error} onRetry={() => void timeline.refetch()} /> : null}
      {timeline.data ? (
        <ol className="grid gap-2 border-l pl-3" aria-label={t("lead.timeline")}>
          {timeline.data.entries.map((entry) => {
            const when = (
              <time className="text-xs text-muted-foreground" dateTime={entry.at}>
                {format.dateTime(entry.at)}
              </time>
            );
            if (entry.kind === "stage_change") {
              const c = entry.stage_change;
              const who = c.actor_kind === "user" ? userName(c.actor_id) : t(`actor.${c.actor_kind}`);
              return (
                <li key={`s${c.id}`} className="grid gap-0.5 text-sm">
                  <p className="flex items-start gap-1.5">
                    <ArrowRightLeft className="mt-0.5 size-3.5 shrink-0" aria-hidden="true" />
                    <span>
                      {c.from_stage_id
                        ? t("timeline.moved", { from: stageName(c.from_stage_id), to: stageName(c.to_stage_id), who })
                        : t("timeline.created", { to: stageName(c.to_stage_id), who })}
                      {c.reason ? <span className="text-muted-foreground"> — {c.reason}</span> : null}
                    </span>
                  </p>
                  {when}
                </li>
              );
            }
            if (entry.kind === "note") {
              return (
                <li key={`n${entry.note.id}`} className="grid gap-0.5 rounded-md border border-amber-200 bg-amber-50 p-2 text-sm">
                  <p className="flex items-start gap-1.5">
                    <StickyNote className="mt-0.5 size-3.5 shrink-0" aria-hidden="true" />
                    <span className="whitespace-pre-wrap [overflow-wrap:anywhere]">{entry.note.body}</span>
                  </p>
                  <p className="text-xs text-amber-900/80">
                    {userName(entry.note.author_id)} · {format.dateTime(entry.note.created_at)}
                  </p>
                </li>
              );
            }
            if (entry.kind === "ai_decision") {
              const d = entry.ai_decision;
              const refused = d.outcome === "invalid" && (d.kind === "stage_proposal" || d.kind === "lead_update");
              const said = t(`timeline.ai.${d.kind}${refused ? "_invalid" : ""}`, {
                persona: d.persona_name ?? t("timeline.ai.persona"),
                version: d.persona_version ?? "?",
                to: stageName(d.to_stage_id),
              });
              const facts = [
                d.confidence !== null ? t("timeline.ai.confidence", { value: format.percent(d.confidence) }) : null,
                d.model,
              ].filter(Boolean);
              return (
                <li key={`ai${d.id}`} className="grid gap-0.5 text-sm">
                  <p className="flex items-start gap-1.5">
                    <Bot className="mt-0.5 size-3.5 shrink-0" aria-hidden="true" />
                    <span>
                      {said}
                      {d.evidence ? <q className="text-muted-foreground [overflow-wrap:anywhere]"> {d.evidence}</q> : null}
                    </span>
                  </p>
                  {facts.length ? <p className="text-xs text-muted-foreground">{facts.join(" · ")}</p> : null}
                  {when}
                </li>
              );
            }
            return (
              <li key={`a${entry.appointment.id}`} className="flex items-start gap-1.5">
                <CalendarClock className="mt-0.5 size-3.5 shrink-0" aria-hidden="true" />
                <AppointmentLine appointment={entry.appointment} />
              </li>
            );
          })}
        </ol>
      ) : null}
    </section>
  );
}

/** The lead's side panel: details to edit, close as won or lost, its conversation a click away, its
 * appointments and its timeline (stage changes, notes, appointments). */
export function LeadPanel({ leadId, stages, onClose }: { leadId: string | null; stages: Stage[]; onClose: () => void }) {
  const { t } = useTranslation("pipelines");
  const lead = useLead(leadId);
  const users = useUsers();
  const client = useQueryClient();
  // another user's change to this lead (an edit, a move, an appointment) shows here as it happens
  useTopic(leadId ? `lead:${leadId}` : null);
  useRealtimeEvent(["lead.updated", "lead.stage_changed", "lead.won", "lead.lost", "meeting.scheduled", "appointment.updated"], (frame) => {
    if (!leadId || frame.data.lead_id !== leadId) return;
    const version = typeof frame.data.version === "number" ? frame.data.version : null;
    if (frame.type.startsWith("lead.") && version !== null && (lead.data?.version ?? 0) >= version) return;
    for (const key of [pipelineKeys.lead(leadId), pipelineKeys.timeline(leadId), pipelineKeys.appointments(leadId)]) void client.invalidateQueries({ queryKey: key });
  });
  const [closing, setClosing] = useState<"won" | "lost" | null>(null);
  const close = useCloseLead(leadId ?? "");
  const stageName = (id: string | null) => stages.find((s) => s.id === id)?.name ?? t("timeline.archivedStage");
  const userName = (id: string | null) => (id ? (users.data?.find((u) => u.id === id)?.name ?? t("timeline.someone")) : t("timeline.someone"));
  const l = lead.data;
  return (
    <Dialog open={!!leadId} onOpenChange={(open) => !open && onClose()}>
      <DialogContent side="right" aria-describedby={undefined}>
        {lead.isPending ? <SkeletonRows rows={6} className="p-0" /> : null}
        {lead.isError ? <ErrorState error={lead.error} onRetry={() => void lead.refetch()} /> : null}
        {l ? (
          <div className="grid content-start gap-5">
            <DialogHeader>
              <DialogTitle className="pr-6 [overflow-wrap:anywhere]">{l.title}</DialogTitle>
              <DialogDescription>
                {l.contact.name || l.contact.phone} · {stageName(l.stage_id)} ·{" "}
                <Badge variant={l.status === "won" ? "success" : l.status === "lost" ? "destructive" : "secondary"}>{t(`status.${l.status}`)}</Badge>
              </DialogDescription>
            </DialogHeader>
            <div className="flex flex-wrap gap-2">
              {l.conversation_id ? (
                <Button asChild variant="outline" size="sm">
                  <Link to={`/inbox/${l.conversation_id}`}>
                    <MessageSquare aria-hidden="true" />
                    {t("lead.openConversation")}
                  </Link>
                </Button>
              ) : (
                <Button asChild variant="outline" size="sm">
                  <Link to={`/contacts/${l.contact.id}`}>
                    <MessageSquare aria-hidden="true" />
                    {t("lead.openContact")}
                  </Link>
                </Button>
              )}
              {l.status === "open" ? (
                <>
                  <Button variant="outline" size="sm" onClick={() => setClosing("won")}>
                    <Trophy aria-hidden="true" />
                    {t("close.won")}
                  </Button>
                  <Button variant="outline" size="sm" onClick={() => setClosing("lost")}>
                    <XCircle aria-hidden="true" />
                    {t("close.lost")}
                  </Button>
                </>
              ) : null}
            </div>
            {l.close_reason ? (
              <p className="text-sm">
                <span className="text-muted-foreground">{t("close.reason")}: </span>
                {l.close_reason}
              </p>
            ) : null}
            <Details key={`${l.id}:${l.version}`} lead={l} />
            <Appointments lead={l} />
            <TimelineSection leadId={l.id} stageName={stageName} userName={userName} />
          </div>
        ) : null}
        {closing && l ? (
          <ReasonDialog
            outcome={closing}
            title={l.title}
            pending={close.isPending}
            onCancel={() => setClosing(null)}
            onSubmit={(reason) =>
              close.mutate(
                { outcome: closing, reason, version: l.version },
                { onSuccess: () => setClosing(null), onError: (e) => toast.error(e.message) },
              )
            }
          />
        ) : null}
      </DialogContent>
    </Dialog>
  );
}
