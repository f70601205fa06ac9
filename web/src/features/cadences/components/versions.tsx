/** A cadence's versions, newest first: when each was saved, its steps, and the enrollments still running on it
 * (they finish on it unless moved to the current version). */
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Confirm } from "@/components/ui/confirm";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState, ErrorState, LoadMore } from "@/components/ui/states";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useFormat } from "@/lib/i18n/format";
import { useMoveEnrollments, useVersions, type Cadence } from "../api/cadences";

export function Versions({ cadence, canEdit }: { cadence: Cadence; canEdit: boolean }) {
  const { t } = useTranslation("cadences");
  const format = useFormat();
  const versions = useVersions(cadence.id);
  const move = useMoveEnrollments(cadence.id);
  if (versions.isPending) return <SkeletonRows rows={3} />;
  if (versions.isError) return <ErrorState error={versions.error} onRetry={() => void versions.refetch()} />;
  if (!versions.items.length) return <EmptyState title={t("versions.none")} />;
  return (
    <div className="grid gap-3">
      <p className="text-sm text-muted-foreground">{t("versions.hint")}</p>
      <Table aria-label={t("versions.title")}>
        <THead>
          <TR>
            <TH>{t("versions.version")}</TH>
            <TH>{t("versions.saved")}</TH>
            <TH>{t("versions.steps")}</TH>
            <TH className="text-right">{t("versions.running")}</TH>
            <TH>
              <span className="sr-only">{t("common:actions")}</span>
            </TH>
          </TR>
        </THead>
        <TBody>
          {versions.items.map((v) => {
            const current = v.version === cadence.current_version;
            return (
              <TR key={v.version}>
                <TD className="font-medium">
                  <span className="flex items-center gap-2">
                    {t("versions.number", { n: v.version })}
                    {current ? <Badge variant="success">{t("versions.current")}</Badge> : null}
                  </span>
                </TD>
                <TD className="text-muted-foreground">{format.dateTime(v.created_at)}</TD>
                <TD className="max-w-md text-xs text-muted-foreground">{v.steps.map((s) => t(`kinds.${s.kind}`)).join(" → ")}</TD>
                <TD className="text-right tabular-nums">{format.number(v.live_enrollments)}</TD>
                <TD className="text-right">
                  {!current && canEdit && v.live_enrollments > 0 ? (
                    <Confirm
                      title={t("versions.moveTitle", { from: v.version, to: cadence.current_version })}
                      description={t("versions.moveDescription", { count: v.live_enrollments })}
                      action={t("versions.move")}
                      destructive={false}
                      onConfirm={() =>
                        move.mutate(v.version, {
                          onSuccess: (r) => toast.success(t("versions.moved", { count: r.moved, version: r.version })),
                          onError: (e) => toast.error(e.message),
                        })
                      }
                    >
                      <Button size="sm" variant="outline" disabled={move.isPending}>
                        {t("versions.move")}
                      </Button>
                    </Confirm>
                  ) : null}
                </TD>
              </TR>
            );
          })}
        </TBody>
      </Table>
      <LoadMore hasMore={Boolean(versions.hasNextPage)} loading={versions.isFetchingNextPage} onClick={() => void versions.fetchNextPage()} />
    </div>
  );
}
