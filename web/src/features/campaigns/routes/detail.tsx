import { ArrowLeft, Ban, Pause, Pencil, Play, Trash2 } from "lucide-react";
import { lazy, Suspense, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Confirm } from "@/components/ui/confirm";
import { Progress as Bar } from "@/components/ui/controls";
import { Skeleton, SkeletonRows } from "@/components/ui/skeleton";
import { ErrorState, PageHeader } from "@/components/ui/states";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { ApiError } from "@/lib/api/problem";
import { useIsAdmin } from "@/lib/auth/auth-provider";
import { useFormat } from "@/lib/i18n/format";
import {
  useCampaign,
  useCampaignAction,
  useConnection,
  useDeleteCampaign,
  useLiveProgress,
  useLocalTemplate,
  useProgress,
  useWhatsAppTemplate,
  type Action,
  type Campaign,
  type Progress,
} from "../api/campaigns";
import { RecipientsTable, type RecipientFilter } from "../components/recipients-table";
import { StatusBadge } from "../components/status-badge";
import { isSms } from "../lib/channel";
import { done, percentDone } from "../lib/progress";
import { isMetaCode, reasonKey, reasonRows, statusReason } from "../lib/reasons";
import { campaignMoment } from "../lib/when";

const ProgressChart = lazy(() => import("../components/progress-chart"));

function StatusReason({ reason }: { reason: string }) {
  const { t } = useTranslation("campaigns");
  const known = statusReason(reason);
  if (!known) return <span className="text-muted-foreground">{reason}</span>;
  const values = known.values?.reasonKey ? { code: known.values.code, reason: t(known.values.reasonKey) } : known.values;
  return (
    <span className="text-muted-foreground" title={reason}>
      {t(known.key, values)}
    </span>
  );
}

function Stat({ id, label, value, tone }: { id: string; label: string; value: string; tone?: string }) {
  return (
    <div role="group" aria-labelledby={id} className="rounded-md border p-3">
      <p id={id} className="text-xs font-medium text-muted-foreground">
        {label}
      </p>
      <p className={`text-xl font-semibold tabular-nums ${tone ?? ""}`}>{value}</p>
    </div>
  );
}

function Counts({ progress }: { progress: Progress }) {
  const { t } = useTranslation("campaigns");
  const format = useFormat();
  const stats: [keyof Progress, string?][] = [
    ["total"],
    ["queued"],
    ["sending"],
    ["sent"],
    ["delivered"],
    ["read", "text-green-700"],
    ["replied"],
    ["failed", "text-destructive"],
    ["skipped"],
  ];
  if (progress.unknown > 0) stats.splice(3, 0, ["unknown", "text-amber-700"]);
  return (
    <div className="grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-5">
      {stats.map(([key, tone]) => (
        <Stat key={key} id={`stat-${key}`} label={t(`counts.${key}`)} value={format.number(Number(progress[key]))} tone={tone} />
      ))}
    </div>
  );
}

function FailedReasons({ progress, onPick }: { progress: Progress; onPick: (f: RecipientFilter) => void }) {
  const { t } = useTranslation("campaigns");
  const format = useFormat();
  const isAdmin = useIsAdmin();
  const rows = reasonRows(progress.failed_by_reason);
  if (!rows.length) return <p className="text-sm text-muted-foreground">{t("reasonsCard.none")}</p>;
  return (
    <Table aria-label={t("reasonsCard.title")}>
      <THead>
        <TR>
          <TH>{t("reasonsCard.reason")}</TH>
          <TH>{t("reasonsCard.code")}</TH>
          <TH className="text-right">{t("reasonsCard.count")}</TH>
          <TH>
            <span className="sr-only">{t("common:actions")}</span>
          </TH>
        </TR>
      </THead>
      <TBody>
        {rows.map((row) => (
          <TR key={row.code}>
            <TD>{t(reasonKey(row.code))}</TD>
            <TD className="font-mono text-xs">{row.code}</TD>
            <TD className="text-right tabular-nums">{format.number(row.count)}</TD>
            <TD className="text-right">
              {row.code === "worker_error" && isAdmin ? (
                <Button asChild variant="link" size="sm">
                  <Link to="../dead-letters">{t("deadLetters.title")}</Link>
                </Button>
              ) : (
                <Button variant="link" size="sm" onClick={() => onPick({ status: "failed", errorCode: isMetaCode(row.code) ? row.code : "" })}>
                  {t("reasonsCard.show")}
                </Button>
              )}
            </TD>
          </TR>
        ))}
      </TBody>
    </Table>
  );
}

function Details({ campaign }: { campaign: Campaign }) {
  const { t } = useTranslation("campaigns");
  const format = useFormat();
  const template = useWhatsAppTemplate(campaign.whatsapp_template_id);
  const localTemplate = useLocalTemplate(campaign.local_template_id);
  const connection = useConnection(campaign.connection_id);
  const channel = t(`channel.${isSms(connection.data) ? "sms" : "whatsapp"}`);
  const rows: [string, string][] = [
    [t("details.number"), connection.data ? `${connection.data.name}${connection.data.display_phone_number ? ` · ${connection.data.display_phone_number}` : ""} (${channel})` : "—"],
    [t("details.template"), localTemplate.data ? localTemplate.data.name : template.data ? `${template.data.name} (${template.data.language})` : "—"],
    [
      t("details.rate"),
      campaign.current_rate < campaign.rate_per_second
        ? t("details.rateLowered", { rate: format.number(campaign.rate_per_second), current: format.number(campaign.current_rate) })
        : t("details.ratePerSecond", { rate: format.number(campaign.rate_per_second) }),
    ],
    [
      t("details.window"),
      campaign.window
        ? t("details.windowValue", { start: campaign.window.start.slice(0, 5), end: campaign.window.end.slice(0, 5), zone: t(`schedule.windowZone.${campaign.window.timezone ?? "company"}`) })
        : t("details.anyTime"),
    ],
    [t("details.timezone"), campaign.timezone],
    [t("details.scheduledAt"), campaignMoment(format.locale, campaign.scheduled_at, campaign.timezone)],
    [t("details.startedAt"), format.dateTime(campaign.started_at)],
    [t("details.finishedAt"), format.dateTime(campaign.finished_at)],
  ];
  return (
    <dl className="grid gap-x-4 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
      {rows.map(([label, value]) => (
        <div key={label} className="contents">
          <dt className="text-muted-foreground">{label}</dt>
          <dd className="break-words">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function Actions({ campaign }: { campaign: Campaign }) {
  const { t } = useTranslation("campaigns");
  const navigate = useNavigate();
  const action = useCampaignAction();
  const remove = useDeleteCampaign();
  const run = (which: Action) =>
    action.mutate(
      { id: campaign.id, action: which },
      {
        onSuccess: () => toast.success(t(`actions.${which}Done`)),
        onError: (error) => toast.error(error instanceof ApiError ? error.message : String(error)),
      },
    );
  const busy = action.isPending;
  const s = campaign.status;
  return (
    <>
      {s === "draft" ? (
        <>
          <Button asChild>
            <Link to={`../new?draft=${campaign.id}`}>
              <Pencil aria-hidden="true" />
              {t("actions.edit")}
            </Link>
          </Button>
          <Confirm
            title={t("actions.deleteTitle")}
            description={t("actions.deleteDescription", { name: campaign.name })}
            action={t("common:delete")}
            onConfirm={() => remove.mutate(campaign.id, { onSuccess: () => navigate("..", { replace: true }), onError: (e) => toast.error(e.message) })}
          >
            <Button variant="outline">
              <Trash2 aria-hidden="true" />
              {t("common:delete")}
            </Button>
          </Confirm>
        </>
      ) : null}
      {s === "running" ? (
        <Button variant="secondary" disabled={busy} onClick={() => run("pause")}>
          <Pause aria-hidden="true" />
          {t("actions.pause")}
        </Button>
      ) : null}
      {s === "paused" ? (
        <Button disabled={busy} onClick={() => run("resume")}>
          <Play aria-hidden="true" />
          {t("actions.resume")}
        </Button>
      ) : null}
      {s === "scheduled" || s === "running" || s === "paused" ? (
        <Confirm title={t("actions.cancelTitle")} description={t("actions.cancelDescription", { name: campaign.name })} action={t("actions.cancelConfirm")} onConfirm={() => run("cancel")}>
          <Button variant="outline" disabled={busy}>
            <Ban aria-hidden="true" />
            {t("actions.cancel")}
          </Button>
        </Confirm>
      ) : null}
    </>
  );
}

export function CampaignPage({ id }: { id: string }) {
  const { t } = useTranslation("campaigns");
  const format = useFormat();
  const isAdmin = useIsAdmin();
  const campaign = useCampaign(id);
  const started = campaign.data ? campaign.data.status !== "draft" && campaign.data.status !== "scheduled" : false;
  const progress = useProgress(id, started);
  const [filter, setFilter] = useState<RecipientFilter>({ status: "", errorCode: "" });
  useLiveProgress([id]);
  if (campaign.isPending) return <SkeletonRows className="p-6" />;
  if (campaign.isError) return <div className="p-4 md:p-6"><ErrorState error={campaign.error} onRetry={() => void campaign.refetch()} /></div>;
  const c = campaign.data;
  const p = progress.data;
  const percent = p ? percentDone(p) : 0;
  return (
    <div className="grid gap-4 p-4 md:p-6">
      <div>
        <Button asChild variant="ghost" size="sm" className="-ml-2">
          <Link to="..">
            <ArrowLeft aria-hidden="true" />
            {t("campaigns.title")}
          </Link>
        </Button>
      </div>
      <PageHeader title={c.name} actions={isAdmin ? <Actions campaign={c} /> : undefined} />
      <div role="status" aria-label={t("detail.state")} className="-mt-4 flex flex-wrap items-center gap-2 text-sm">
        <StatusBadge status={c.status} />
        {c.status_reason ? <StatusReason reason={c.status_reason} /> : null}
      </div>
      {started ? (
        <Card>
          <CardHeader>
            <CardTitle>{t("detail.progress")}</CardTitle>
            <CardDescription>
              {p ? t("list.doneOf", { done: format.number(done(p)), total: format.number(p.total), percent: format.number(percent) }) : t("common:loading")}
            </CardDescription>
          </CardHeader>
          <CardContent className="grid gap-4">
            {p ? (
              <>
                <Bar value={percent} label={t("detail.progress")} className="h-3" />
                <Counts progress={p} />
                <Suspense fallback={<Skeleton className="h-64 w-full" />}>
                  <ProgressChart counts={p} />
                </Suspense>
              </>
            ) : (
              <Skeleton className="h-40 w-full" />
            )}
          </CardContent>
        </Card>
      ) : (
        <Card>
          <CardHeader>
            <CardTitle>{c.status === "scheduled" ? t("detail.scheduledTitle", { when: campaignMoment(format.locale, c.scheduled_at, c.timezone) }) : t("detail.draftTitle")}</CardTitle>
            <CardDescription>{c.status === "scheduled" ? t("detail.scheduledDescription") : isAdmin ? t("detail.draftDescription") : t("detail.draftDescriptionAgent")}</CardDescription>
          </CardHeader>
        </Card>
      )}
      <div className="grid gap-4 lg:grid-cols-2">
        {started ? (
          <Card>
            <CardHeader>
              <CardTitle>{t("reasonsCard.title")}</CardTitle>
            </CardHeader>
            <CardContent>{p ? <FailedReasons progress={p} onPick={setFilter} /> : <Skeleton className="h-16 w-full" />}</CardContent>
          </Card>
        ) : null}
        <Card>
          <CardHeader>
            <CardTitle>{t("details.title")}</CardTitle>
          </CardHeader>
          <CardContent>
            <Details campaign={c} />
          </CardContent>
        </Card>
      </div>
      {started ? (
        <Card>
          <CardHeader>
            <CardTitle>{t("recipients.title")}</CardTitle>
          </CardHeader>
          <CardContent>
            <RecipientsTable campaignId={id} filter={filter} onFilter={setFilter} />
          </CardContent>
        </Card>
      ) : null}
    </div>
  );
}
