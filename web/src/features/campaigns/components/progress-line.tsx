import { useTranslation } from "react-i18next";
import { Progress as Bar } from "@/components/ui/controls";
import { Skeleton } from "@/components/ui/skeleton";
import { useFormat } from "@/lib/i18n/format";
import { useProgress, type Campaign } from "../api/campaigns";
import { done, percentDone } from "../lib/progress";
import { campaignMoment } from "../lib/when";

/** A campaign's bar and "n of N" (drafts have no recipients yet: nothing to show). */
export function ProgressLine({ campaign }: { campaign: Campaign }) {
  const { t } = useTranslation("campaigns");
  const format = useFormat();
  const started = campaign.status !== "draft" && campaign.status !== "scheduled";
  const progress = useProgress(campaign.id, started);
  if (campaign.status === "scheduled")
    return <span className="text-xs text-muted-foreground">{t("list.startsAt", { when: campaignMoment(format.locale, campaign.scheduled_at, campaign.timezone) })}</span>;
  if (!started) return <span className="text-xs text-muted-foreground">{t("list.notStarted")}</span>;
  if (!progress.data) return <Skeleton className="h-2 w-full" />;
  const p = progress.data;
  if (p.total === 0) return <span className="text-xs text-muted-foreground">{t("list.nobody")}</span>;
  const value = percentDone(p);
  return (
    <div className="grid gap-1">
      <Bar value={value} label={t("list.progressOf", { name: campaign.name })} />
      <span className="text-xs text-muted-foreground">
        {t("list.doneOf", { done: format.number(done(p)), total: format.number(p.total), percent: format.number(value) })}
      </span>
    </div>
  );
}
