/** Per-step statistics of a version: who waits at each step, what ran, was sent, delivered, read, replied after it,
 * failed or was skipped, and who exited there; enrollments by state and exits by reason. Counted live (the page
 * follows the cadence's events) and read again after each burst. */
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { NativeSelect } from "@/components/ui/input";
import { SkeletonRows } from "@/components/ui/skeleton";
import { ErrorState } from "@/components/ui/states";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useFormat } from "@/lib/i18n/format";
import { useVersions, type Cadence } from "../api/cadences";
import { useStats } from "../api/insights";

const COLUMNS = ["waiting", "ran", "sent", "delivered", "read", "replied", "failed", "skipped", "exited"] as const;

function Stat({ id, label, value }: { id: string; label: string; value: string }) {
  return (
    <div role="group" aria-labelledby={id} className="rounded-md border p-3">
      <p id={id} className="text-xs font-medium text-muted-foreground">
        {label}
      </p>
      <p className="text-xl font-semibold tabular-nums">{value}</p>
    </div>
  );
}

export function Stats({ cadence }: { cadence: Cadence }) {
  const { t } = useTranslation("cadences");
  const format = useFormat();
  const [version, setVersion] = useState<number | null>(null);
  const versions = useVersions(cadence.id);
  const stats = useStats(cadence.id, version);
  const s = stats.data;
  return (
    <div className="grid grid-cols-1 gap-4">
      {versions.items.length > 1 ? (
        <Field label={t("stats.version")} className="w-56">
          <NativeSelect value={version ?? ""} onChange={(e) => setVersion(e.target.value ? Number(e.target.value) : null)}>
            <option value="">{t("stats.currentVersion", { n: cadence.current_version })}</option>
            {versions.items
              .filter((v) => v.version !== cadence.current_version)
              .map((v) => (
                <option key={v.version} value={v.version}>
                  {t("versions.number", { n: v.version })}
                </option>
              ))}
          </NativeSelect>
        </Field>
      ) : null}
      {stats.isPending ? (
        <SkeletonRows rows={4} />
      ) : stats.isError ? (
        <ErrorState error={stats.error} onRetry={() => void stats.refetch()} />
      ) : s ? (
        <>
          <div className="grid grid-cols-2 gap-2 sm:grid-cols-5">
            <Stat id="cadence-stat-enrolled" label={t("stats.enrolled")} value={format.number(s.enrolled)} />
            <Stat id="cadence-stat-active" label={t("state.active")} value={format.number(s.states.active ?? 0)} />
            <Stat id="cadence-stat-sending" label={t("state.sending")} value={format.number(s.states.sending ?? 0)} />
            <Stat id="cadence-stat-completed" label={t("state.completed")} value={format.number(s.states.completed ?? 0)} />
            <Stat id="cadence-stat-exited" label={t("state.exited")} value={format.number(s.states.exited ?? 0)} />
          </div>
          <Card>
            <CardHeader>
              <CardTitle>{t("stats.perStep", { n: s.version })}</CardTitle>
            </CardHeader>
            <CardContent className="overflow-x-auto">
              <Table aria-label={t("stats.perStepLabel")}>
                <THead>
                  <TR>
                    <TH>{t("stats.step")}</TH>
                    {COLUMNS.map((c) => (
                      <TH key={c} className="px-2 text-right">
                        {t(`stats.columns.${c}`)}
                      </TH>
                    ))}
                  </TR>
                </THead>
                <TBody>
                  {s.steps.map((step) => (
                    <TR key={step.step_index}>
                      <TD className="min-w-36 font-medium">{t("enrollments.stepName", { n: step.step_index + 1, kind: t(`kinds.${step.kind}`, { defaultValue: step.kind }) })}</TD>
                      {COLUMNS.map((c) => (
                        <TD key={c} className="px-2 text-right tabular-nums" data-column={c}>
                          {format.number(step[c])}
                        </TD>
                      ))}
                    </TR>
                  ))}
                </TBody>
              </Table>
            </CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>{t("stats.exitReasons")}</CardTitle>
            </CardHeader>
            <CardContent>
              {Object.keys(s.exit_reasons).length ? (
                <ul className="grid gap-1 text-sm">
                  {Object.entries(s.exit_reasons)
                    .sort(([, a], [, b]) => b - a)
                    .map(([reason, count]) => (
                      <li key={reason} className="flex justify-between gap-4 border-b py-1 last:border-0">
                        <span>{t(`exitReasons.${reason}`, { defaultValue: reason })}</span>
                        <span className="tabular-nums">{format.number(count)}</span>
                      </li>
                    ))}
                </ul>
              ) : (
                <p className="text-sm text-muted-foreground">{t("stats.noExits")}</p>
              )}
            </CardContent>
          </Card>
        </>
      ) : null}
    </div>
  );
}
