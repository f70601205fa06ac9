import { ArrowLeft, RotateCcw, Skull } from "lucide-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/controls";
import { Label } from "@/components/ui/field";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState, ErrorState, LoadMore, PageHeader } from "@/components/ui/states";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useIsAdmin } from "@/lib/auth/auth-provider";
import { useFormat } from "@/lib/i18n/format";
import { useDeadLetters, useRetryDeadLetter } from "../api/campaigns";

/** The error's last line (what broke), and the whole traceback folded away beneath it. */
function ErrorCell({ error }: { error: string }) {
  const { t } = useTranslation("campaigns");
  const lines = error.trim().split("\n");
  const last = lines[lines.length - 1] ?? error;
  return (
    <div className="grid min-w-0 max-w-md gap-1">
      <p className="break-words font-mono text-xs">{last}</p>
      {lines.length > 1 ? (
        <details className="text-xs">
          <summary className="cursor-pointer text-muted-foreground">{t("deadLetters.trace")}</summary>
          <pre tabIndex={0} aria-label={t("deadLetters.trace")} className="mt-1 max-h-64 max-w-md overflow-auto whitespace-pre rounded-md bg-muted p-2 font-mono text-[11px] focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring">{error}</pre>
        </details>
      ) : null}
    </div>
  );
}

/** Recipients whose send broke the worker; an admin puts them back in their campaign's queue. */
export function DeadLetters() {
  const { t } = useTranslation("campaigns");
  const format = useFormat();
  const isAdmin = useIsAdmin();
  const [includeRetried, setIncludeRetried] = useState(false);
  const list = useDeadLetters(includeRetried, isAdmin);
  const retry = useRetryDeadLetter();
  return (
    <div className="p-4 md:p-6">
      <Button asChild variant="ghost" size="sm" className="-ml-2 mb-2">
        <Link to="..">
          <ArrowLeft aria-hidden="true" />
          {t("campaigns.title")}
        </Link>
      </Button>
      <PageHeader title={t("deadLetters.title")} description={t("deadLetters.description")} />
      {!isAdmin ? (
        <EmptyState icon={Skull} title={t("deadLetters.adminsOnly")} />
      ) : (
        <div className="grid gap-3">
          <div className="flex items-center gap-2">
            <Checkbox id="include-retried" checked={includeRetried} onCheckedChange={(v) => setIncludeRetried(v === true)} />
            <Label htmlFor="include-retried">{t("deadLetters.includeRetried")}</Label>
          </div>
          {list.isPending ? (
            <SkeletonRows rows={4} />
          ) : list.isError ? (
            <ErrorState error={list.error} onRetry={() => void list.refetch()} />
          ) : !list.items.length ? (
            <EmptyState icon={Skull} title={t("deadLetters.empty")} description={t("deadLetters.emptyHint")} />
          ) : (
            <>
              <Table aria-label={t("deadLetters.title")}>
                <THead>
                  <TR>
                    <TH>{t("deadLetters.when")}</TH>
                    <TH>{t("deadLetters.campaign")}</TH>
                    <TH>{t("deadLetters.error")}</TH>
                    <TH>
                      <span className="sr-only">{t("common:actions")}</span>
                    </TH>
                  </TR>
                </THead>
                <TBody>
                  {list.items.map((d) => (
                    <TR key={d.id}>
                      <TD className="whitespace-nowrap text-muted-foreground">{format.dateTime(d.created_at)}</TD>
                      <TD>
                        <Link className="text-primary underline-offset-4 hover:underline" to={`../${d.campaign_id}`}>
                          {t("deadLetters.open", { name: d.campaign_name, recipient: d.recipient_id })}
                        </Link>
                      </TD>
                      <TD>
                        <ErrorCell error={d.error} />
                      </TD>
                      <TD className="text-right">
                        {d.retried_at ? (
                          <span className="text-xs text-muted-foreground">{t("deadLetters.retriedAt", { when: format.dateTime(d.retried_at) })}</span>
                        ) : (
                          <Button
                            size="sm"
                            variant="outline"
                            disabled={retry.isPending}
                            onClick={() =>
                              retry.mutate(d.id, { onSuccess: () => toast.success(t("deadLetters.retried")), onError: (e) => toast.error(e.message) })
                            }
                          >
                            <RotateCcw aria-hidden="true" />
                            {t("deadLetters.retry")}
                          </Button>
                        )}
                      </TD>
                    </TR>
                  ))}
                </TBody>
              </Table>
              <LoadMore hasMore={Boolean(list.hasNextPage)} loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()} />
            </>
          )}
        </div>
      )}
    </div>
  );
}
