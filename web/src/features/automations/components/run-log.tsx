/** A rule's run log, newest first: when, the event, what matched, each condition, and each action's outcome (a
 * send's message as it is now). Followed live: a run appears as the rule runs. */
import { CircleCheck, CircleMinus, CircleX, History, Radio } from "lucide-react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { Badge } from "@/components/ui/badge";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState, ErrorState, LoadMore } from "@/components/ui/states";
import { useFormat } from "@/lib/i18n/format";
import { useRealtimeStatus } from "@/lib/realtime/hooks";
import { useRuns, type Run } from "../api/automations";
import { actionNote, matchedOf } from "../lib/runs";

const STATUS_VARIANT = { succeeded: "success", failed: "destructive", skipped: "secondary" } as const;
const OUTCOME_VARIANT = { done: "success", skipped: "secondary", failed: "destructive", not_run: "outline" } as const;

function Matched({ run }: { run: Run }) {
  const { t } = useTranslation("automations");
  const m = matchedOf(run);
  if (m.kind === "any") return <>{t("runs.matchedAny")}</>;
  return (
    <>
      {t(`runs.matched.${m.kind}`)} <mark className="rounded bg-amber-100 px-1 font-medium text-amber-950">{m.kind === "channel" ? t(`channels.${m.value}`, { defaultValue: m.value }) : m.value}</mark>
    </>
  );
}

function ActionOutcome({ result }: { result: Run["actions"][number] }) {
  const { t } = useTranslation("automations");
  const note = actionNote(result);
  const Icon = result.outcome === "done" ? CircleCheck : result.outcome === "failed" ? CircleX : CircleMinus;
  return (
    <li className="flex flex-wrap items-center gap-2 text-sm">
      <Icon className={result.outcome === "done" ? "size-4 text-green-700" : result.outcome === "failed" ? "size-4 text-destructive" : "size-4 text-muted-foreground"} aria-hidden="true" />
      <span>
        {result.index + 1}. {t(`actionTypes.${result.type}`, { defaultValue: result.type })}
      </span>
      <Badge variant={OUTCOME_VARIANT[result.outcome]}>{t(`runs.outcomes.${result.outcome}`)}</Badge>
      {note ? <span className="text-muted-foreground">{t(note.key, { defaultValue: note.fallback })}</span> : null}
      {result.send ? <span className="text-muted-foreground">{t("runs.send", { status: t(`runs.sendStatus.${result.send.status}`, { defaultValue: result.send.status }) })}</span> : null}
    </li>
  );
}

function RunItem({ run }: { run: Run }) {
  const { t } = useTranslation("automations");
  const format = useFormat();
  return (
    <li className="grid gap-2 rounded-md border p-3" aria-label={t("runs.itemLabel", { when: format.dateTime(run.created_at), status: t(`runs.status.${run.status}`) })}>
      <div className="flex flex-wrap items-center gap-2">
        <Badge variant={STATUS_VARIANT[run.status]}>{t(`runs.status.${run.status}`)}</Badge>
        <time dateTime={run.created_at} className="text-sm font-medium">
          {format.dateTime(run.created_at)}
        </time>
        <span className="text-sm text-muted-foreground">{t(`runs.events.${run.event_type.replace(/\./g, "_")}`, { defaultValue: run.event_type })}</span>
        {run.depth ? <span className="text-xs text-muted-foreground">{t("runs.depth", { count: run.depth })}</span> : null}
        {run.conversation_id ? (
          <Link to={`/inbox/${run.conversation_id}`} className="ml-auto text-sm text-primary underline-offset-4 hover:underline">
            {t("runs.openConversation")}
          </Link>
        ) : null}
      </div>
      <p className="text-sm">
        <Matched run={run} />
      </p>
      {run.status === "skipped" && run.reason ? <p className="text-sm text-muted-foreground">{t(`runs.skipReasons.${run.reason}`)}</p> : null}
      {run.conditions.length ? (
        <ul aria-label={t("runs.conditions")} className="flex flex-wrap gap-1.5">
          {run.conditions.map((c, i) => (
            <li key={i}>
              <Badge variant={c.held ? "outline" : "warning"}>
                {t(`conditionTypes.${c.type}`, { defaultValue: c.type })}: {c.held ? t("runs.held") : t("runs.notHeld")}
              </Badge>
            </li>
          ))}
        </ul>
      ) : null}
      {run.actions.length ? (
        <ol aria-label={t("runs.actions")} className="grid gap-1">
          {run.actions.map((a) => (
            <ActionOutcome key={a.index} result={a} />
          ))}
        </ol>
      ) : null}
    </li>
  );
}

export function RunLog({ ruleId }: { ruleId: string }) {
  const { t } = useTranslation("automations");
  const runs = useRuns(ruleId);
  const live = useRealtimeStatus() === "open";
  return (
    <section aria-labelledby="run-log-title" className="grid gap-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="run-log-title" className="text-base font-semibold">
          {t("runs.title")}
        </h2>
        <span className="flex items-center gap-1.5 text-xs text-muted-foreground">
          <Radio className={live ? "size-3.5 text-green-700" : "size-3.5"} aria-hidden="true" />
          {live ? t("runs.live") : t("runs.notLive")}
        </span>
      </div>
      {runs.isPending ? (
        <SkeletonRows />
      ) : runs.isError ? (
        <ErrorState error={runs.error} onRetry={() => void runs.refetch()} />
      ) : !runs.items.length ? (
        <EmptyState icon={History} title={t("runs.empty")} description={t("runs.emptyHint")} />
      ) : (
        <>
          <ol aria-label={t("runs.title")} aria-live="polite" className="grid gap-2">
            {runs.items.map((run) => (
              <RunItem key={run.id} run={run} />
            ))}
          </ol>
          <LoadMore hasMore={Boolean(runs.hasNextPage)} loading={runs.isFetchingNextPage} onClick={() => void runs.fetchNextPage()} />
        </>
      )}
    </section>
  );
}
