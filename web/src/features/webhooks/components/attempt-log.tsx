import { RefreshCw, RotateCcw } from "lucide-react";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { Badge, type BadgeProps } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState, ErrorState, LoadMore } from "@/components/ui/states";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useFormat } from "@/lib/i18n/format";
import { type Attempt, useAttempts, useReplay } from "../api/webhooks";

const STATE: Record<string, BadgeProps["variant"]> = { succeeded: "success", failed: "destructive", pending: "warning" };

/** The delivery log, newest first; while `watching` (a test just sent) or a delivery is pending, it refreshes itself. */
export function AttemptLog({ endpointId, canReplay, watching, onReplayed }: { endpointId: string; canReplay: boolean; watching: boolean; onReplayed: () => void }) {
  const { t } = useTranslation("webhooks");
  const fmt = useFormat();
  const attempts = useAttempts(endpointId);
  const replay = useReplay(endpointId);
  const pending = attempts.items.some((a) => a.delivery_status === "pending");
  const { refetch } = attempts;
  useEffect(() => {
    if (!watching && !pending) return;
    const timer = setInterval(() => void refetch(), 2000);
    return () => clearInterval(timer);
  }, [watching, pending, refetch]);

  const replayOne = (attempt: Attempt) =>
    replay.mutate(
      { message_id: attempt.message_id },
      {
        onSuccess: (r) => {
          toast.success(t("log.replayed", { count: r.queued }));
          onReplayed();
        },
        onError: (e) => toast.error(e.message),
      },
    );

  return (
    <section aria-labelledby="attempt-log-title" className="grid gap-2">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="attempt-log-title" className="text-base font-semibold">
          {t("log.title")}
        </h2>
        <Button variant="outline" size="sm" onClick={() => void refetch()} disabled={attempts.isFetching}>
          <RefreshCw aria-hidden="true" className={attempts.isFetching ? "animate-spin" : undefined} />
          {t("log.refresh")}
        </Button>
      </div>
      {attempts.isPending ? (
        <SkeletonRows rows={4} />
      ) : attempts.isError ? (
        <ErrorState error={attempts.error} onRetry={() => void refetch()} />
      ) : attempts.items.length === 0 ? (
        <EmptyState title={t("log.empty")} description={canReplay ? t("log.emptyHint") : t("log.emptyAgent")} />
      ) : (
        <div className="rounded-lg border">
          <Table aria-labelledby="attempt-log-title">
            <THead>
              <TR>
                <TH scope="col">{t("log.time")}</TH>
                <TH scope="col">{t("log.event")}</TH>
                <TH scope="col">{t("log.status")}</TH>
                <TH scope="col">{t("log.duration")}</TH>
                <TH scope="col">{t("log.state")}</TH>
                <TH scope="col">{t("log.nextAttempt")}</TH>
                <TH scope="col">{t("log.error")}</TH>
                {canReplay ? <TH scope="col"><span className="sr-only">{t("common:actions")}</span></TH> : null}
              </TR>
            </THead>
            <TBody>
              {attempts.items.map((a) => (
                <TR key={a.id}>
                  <TD className="whitespace-nowrap">
                    <time dateTime={a.attempted_at}>{fmt.dateTime(a.attempted_at, { dateStyle: "short", timeStyle: "medium" })}</time>
                    <span className="block text-xs text-muted-foreground">{t("log.attemptNumber", { n: a.attempt })}</span>
                  </TD>
                  <TD className="font-mono text-xs">{a.event_type}</TD>
                  <TD>
                    <Badge variant={a.status_code !== null && a.status_code >= 200 && a.status_code < 300 ? "success" : "destructive"}>
                      {a.status_code ?? t("log.noStatus")}
                    </Badge>
                  </TD>
                  <TD className="whitespace-nowrap">{t("log.ms", { value: fmt.number(a.latency_ms) })}</TD>
                  <TD>
                    <Badge variant={STATE[a.delivery_status] ?? "secondary"}>{t(`log.states.${a.delivery_status}`, { defaultValue: a.delivery_status })}</Badge>
                  </TD>
                  <TD className="whitespace-nowrap">{a.next_attempt_at ? fmt.dateTime(a.next_attempt_at) : "—"}</TD>
                  <TD className="max-w-64">
                    {a.error ? <span className="text-destructive">{a.error}</span> : null}
                    {a.response ? (
                      <details className="text-xs">
                        <summary className="cursor-pointer text-primary">{t("log.response")}</summary>
                        <pre tabIndex={0} className="mt-1 max-h-32 overflow-auto whitespace-pre-wrap break-all rounded bg-muted p-2 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring">{a.response}</pre>
                        <p className="mt-1 break-all text-muted-foreground">{t("log.messageId", { id: a.message_id })}</p>
                      </details>
                    ) : !a.error ? (
                      "—"
                    ) : null}
                  </TD>
                  {canReplay ? (
                    <TD>
                      <Button variant="outline" size="sm" disabled={replay.isPending} onClick={() => replayOne(a)} aria-label={t("log.replayOne", { event: a.event_type, time: fmt.dateTime(a.attempted_at) })}>
                        <RotateCcw aria-hidden="true" />
                        {t("log.replay")}
                      </Button>
                    </TD>
                  ) : null}
                </TR>
              ))}
            </TBody>
          </Table>
          <LoadMore hasMore={attempts.hasNextPage} loading={attempts.isFetchingNextPage} onClick={() => void attempts.fetchNextPage()} />
        </div>
      )}
    </section>
  );
}
