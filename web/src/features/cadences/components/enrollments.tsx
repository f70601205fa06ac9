/** A cadence's enrollments by state, each opening its step history (with each send's progress) and exiting by hand. */
import { useQueryClient } from "@tanstack/react-query";
import { LogOut, UserPlus, Users } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Confirm } from "@/components/ui/confirm";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { NativeSelect } from "@/components/ui/input";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState, ErrorState, LoadMore } from "@/components/ui/states";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useFormat } from "@/lib/i18n/format";
import { cadenceKeys, useVersion, type Cadence } from "../api/cadences";
import { ENROLLMENT_STATES, useEnrollment, useEnrollments, useExitEnrollment, type Enrollment, type EnrollmentState } from "../api/enrollments";
import { describeDetail, type Said } from "../lib/history";
import { EnrollmentStateBadge, OutcomeBadge } from "./badges";
import { EnrollDialog } from "./enroll-dialog";

const LIVE = new Set(["active", "sending"]);

function useStepName(cadenceId: string, version: number | null) {
  const { t } = useTranslation("cadences");
  const steps = useVersion(cadenceId, version).data?.steps;
  return {
    count: steps?.length ?? 0,
    name: (index: number, kind?: string) => t("enrollments.stepName", { n: index + 1, kind: t(`kinds.${kind ?? steps?.[index]?.kind ?? "unknown"}`, { defaultValue: kind ?? "—" }) }),
  };
}

function NextStep({ enrollment }: { enrollment: Enrollment }) {
  const { t } = useTranslation("cadences");
  const format = useFormat();
  const { name, count } = useStepName(enrollment.cadence_id, enrollment.version);
  if (!LIVE.has(enrollment.state)) return <span className="text-muted-foreground">{enrollment.exit_reason ? t(`exitReasons.${enrollment.exit_reason}`, { defaultValue: enrollment.exit_reason }) : "—"}</span>;
  if (count && enrollment.step_index >= count) return <span>{t("enrollments.finishing")}</span>;
  return (
    <span className="grid">
      <span>{name(enrollment.step_index)}</span>
      <span className="text-xs text-muted-foreground">{enrollment.state === "sending" ? t("enrollments.sendingNow") : format.dateTime(enrollment.next_due_at)}</span>
    </span>
  );
}

function History({ cadenceId, enrollmentId, onClose }: { cadenceId: string; enrollmentId: string; onClose: () => void }) {
  const { t } = useTranslation("cadences");
  const format = useFormat();
  const detail = useEnrollment(cadenceId, enrollmentId);
  const exit = useExitEnrollment(cadenceId);
  const e = detail.data;
  const { name, count } = useStepName(cadenceId, e?.version ?? null);
  // once the opened enrollment ends (read again while it runs), the table, the counts and the statistics follow
  const client = useQueryClient();
  const ended = e ? !LIVE.has(e.state) : null;
  const wasLive = useRef(false);
  useEffect(() => {
    if (ended === false) wasLive.current = true;
    if (ended && wasLive.current) {
      wasLive.current = false;
      void client.invalidateQueries({ queryKey: [...cadenceKeys.enrollments(cadenceId), "list"] });
      void client.invalidateQueries({ queryKey: cadenceKeys.one(cadenceId) });
      void client.invalidateQueries({ queryKey: ["cadences", "stats", cadenceId] });
    }
  }, [ended, client, cadenceId]);
  const sentence = (said: Said) => {
    const v = said.values ?? {};
    const reason = said.key === "history.skipped" ? t(`skipReasons.${v.reason}`, { defaultValue: String(v.raw || v.reason) }) : v.reason;
    return t(said.key, { ...v, reason, at: v.at ? format.dateTime(String(v.at)) : undefined });
  };
  return (
    <>
      <DialogHeader>
        <DialogTitle>{e ? (e.contact_name ?? e.contact_phone) : t("enrollments.detail")}</DialogTitle>
        <DialogDescription>{e ? t("enrollments.detailDescription", { version: e.version, source: t(`sources.${e.source}`), at: format.dateTime(e.enrolled_at) }) : ""}</DialogDescription>
      </DialogHeader>
      {detail.isPending ? (
        <SkeletonRows rows={3} />
      ) : detail.isError ? (
        <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />
      ) : e ? (
        <div className="grid gap-4">
          <dl className="grid grid-cols-2 gap-2 text-sm">
            <dt className="text-muted-foreground">{t("enrollments.state")}</dt>
            <dd>
              <EnrollmentStateBadge state={e.state} />
            </dd>
            <dt className="text-muted-foreground">{t("enrollments.phone")}</dt>
            <dd className="font-mono text-xs">{e.contact_phone}</dd>
            {e.exit_reason ? (
              <>
                <dt className="text-muted-foreground">{t("enrollments.exitReason")}</dt>
                <dd>{t(`exitReasons.${e.exit_reason}`, { defaultValue: e.exit_reason })}</dd>
              </>
            ) : null}
            {e.replied_at ? (
              <>
                <dt className="text-muted-foreground">{t("enrollments.replied")}</dt>
                <dd>{format.dateTime(e.replied_at)}</dd>
              </>
            ) : null}
            {LIVE.has(e.state) ? (
              <>
                <dt className="text-muted-foreground">{t("enrollments.next")}</dt>
                <dd>
                  <NextStep enrollment={e} />
                </dd>
              </>
            ) : null}
          </dl>
          <section aria-labelledby="history-title" className="grid gap-2">
            <h3 id="history-title" className="text-sm font-semibold">
              {t("enrollments.history")}
            </h3>
            {e.history.length ? (
              <ol aria-labelledby="history-title" className="grid gap-2">
                {e.history.map((h) => {
                  const said = describeDetail(h.kind, h.outcome, h.detail, count);
                  return (
                    <li key={h.step_index} className="grid gap-1 rounded-md border p-2 text-sm">
                      <div className="flex flex-wrap items-center justify-between gap-2">
                        <span className="font-medium">{name(h.step_index, h.kind)}</span>
                        <OutcomeBadge outcome={h.outcome} />
                      </div>
                      <span className="text-xs text-muted-foreground">{format.dateTime(h.at)}</span>
                      {said ? <span className="text-xs">{sentence(said)}</span> : null}
                      {h.send ? (
                        <span className="text-xs text-muted-foreground">
                          {t("enrollments.sendStatus", { status: t(`sendStatus.${h.send.status}`, { defaultValue: h.send.status }) })}
                          {h.send.delivered_at ? ` · ${t("enrollments.deliveredAt", { at: format.dateTime(h.send.delivered_at) })}` : ""}
                          {h.send.read_at ? ` · ${t("enrollments.readAt", { at: format.dateTime(h.send.read_at) })}` : ""}
                          {h.send.error_reason ? ` · ${h.send.error_reason}` : ""}
                        </span>
                      ) : null}
                    </li>
                  );
                })}
              </ol>
            ) : (
              <p className="text-sm text-muted-foreground">{t("enrollments.noHistory")}</p>
            )}
          </section>
          {LIVE.has(e.state) ? (
            <div className="flex justify-end">
              <Confirm
                title={t("enrollments.exitTitle")}
                description={t("enrollments.exitDescription", { name: e.contact_name ?? e.contact_phone })}
                action={t("enrollments.exit")}
                onConfirm={() =>
                  exit.mutate(e.id, {
                    onSuccess: () => {
                      toast.success(t("enrollments.exited"));
                      void detail.refetch();
                    },
                    onError: (error) => toast.error(error.message),
                  })
                }
              >
                <Button variant="outline" disabled={exit.isPending}>
                  <LogOut aria-hidden="true" />
                  {t("enrollments.exit")}
                </Button>
              </Confirm>
            </div>
          ) : (
            <div className="flex justify-end">
              <Button variant="ghost" onClick={onClose}>
                {t("common:close")}
              </Button>
            </div>
          )}
        </div>
      ) : null}
    </>
  );
}

export function Enrollments({ cadence }: { cadence: Cadence }) {
  const { t } = useTranslation("cadences");
  const format = useFormat();
  const [state, setState] = useState<EnrollmentState | "">("");
  const [open, setOpen] = useState<string | null>(null);
  const [enrolling, setEnrolling] = useState(false);
  const list = useEnrollments(cadence.id, state);
  const canEnroll = cadence.status === "active" || cadence.status === "paused";
  return (
    <div className="grid gap-3">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <Field label={t("enrollments.filter")} className="w-48">
          <NativeSelect value={state} onChange={(e) => setState(e.target.value as EnrollmentState | "")}>
            <option value="">{t("common:all")}</option>
            {ENROLLMENT_STATES.map((s) => (
              <option key={s} value={s}>
                {t(`state.${s}`)}
              </option>
            ))}
          </NativeSelect>
        </Field>
        <div className="grid justify-items-end gap-1">
          <Button onClick={() => setEnrolling(true)} disabled={!canEnroll}>
            <UserPlus aria-hidden="true" />
            {t("enroll.button")}
          </Button>
          {!canEnroll ? <p className="text-xs text-muted-foreground">{t(`enroll.notNow.${cadence.status}`)}</p> : null}
        </div>
      </div>
      {list.isPending ? (
        <SkeletonRows rows={4} />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : !list.items.length ? (
        <EmptyState icon={Users} title={state ? t("enrollments.noneInState", { state: t(`state.${state}`) }) : t("enrollments.none")} description={state ? undefined : t("enrollments.noneHint")} />
      ) : (
        <>
          <Table aria-label={t("enrollments.title")}>
            <THead>
              <TR>
                <TH>{t("enrollments.contact")}</TH>
                <TH>{t("enrollments.state")}</TH>
                <TH>{t("enrollments.nextOrEnd")}</TH>
                <TH className="hidden md:table-cell">{t("enrollments.version")}</TH>
                <TH className="hidden md:table-cell">{t("enrollments.enrolled")}</TH>
              </TR>
            </THead>
            <TBody>
              {list.items.map((e) => (
                <TR key={e.id}>
                  <TD>
                    <button type="button" className="text-left font-medium text-primary underline-offset-4 hover:underline" onClick={() => setOpen(e.id)}>
                      {e.contact_name ?? e.contact_phone}
                    </button>
                    {e.contact_name ? <div className="font-mono text-xs text-muted-foreground">{e.contact_phone}</div> : null}
                  </TD>
                  <TD>
                    <EnrollmentStateBadge state={e.state} />
                  </TD>
                  <TD>
                    <NextStep enrollment={e} />
                  </TD>
                  <TD className="hidden md:table-cell">{t("versions.number", { n: e.version })}</TD>
                  <TD className="hidden text-muted-foreground md:table-cell">
                    {format.dateTime(e.enrolled_at)}
                    <div className="text-xs">{t(`sources.${e.source}`)}</div>
                  </TD>
                </TR>
              ))}
            </TBody>
          </Table>
          <LoadMore hasMore={Boolean(list.hasNextPage)} loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()} />
        </>
      )}
      <Dialog open={open !== null} onOpenChange={(o) => (o ? undefined : setOpen(null))}>
        <DialogContent side="right" className="content-start">{open ? <History cadenceId={cadence.id} enrollmentId={open} onClose={() => setOpen(null)} /> : null}</DialogContent>
      </Dialog>
      <EnrollDialog cadence={cadence} open={enrolling} onOpenChange={setEnrolling} />
    </div>
  );
}
