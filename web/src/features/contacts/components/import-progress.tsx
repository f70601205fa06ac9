import { CheckCircle2, Download, XCircle } from "lucide-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Progress } from "@/components/ui/controls";
import { useFormat } from "@/lib/i18n/format";
import { downloadRejections, isRunning, type ContactImport } from "../api/imports";

export function ImportStatusBadge({ status }: { status: string }) {
  const { t } = useTranslation("contacts");
  const variant = status === "completed" ? "success" : status === "failed" ? "destructive" : isRunning(status) ? "warning" : "secondary";
  return <Badge variant={variant}>{t(`imports.status.${status}`, { defaultValue: status })}</Badge>;
}

function Count({ label, value, tone }: { label: string; value: number; tone?: string }) {
  const format = useFormat();
  return (
    <div className="rounded-md border p-3">
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className={`text-2xl font-semibold tabular-nums ${tone ?? ""}`}>{format.number(value)}</dd>
    </div>
  );
}

/** Step 3: live progress (frames patch the query), then the result with the rejected rows to download. */
export function ImportProgress({ row }: { row: ContactImport }) {
  const { t } = useTranslation("contacts");
  const format = useFormat();
  const [downloading, setDownloading] = useState(false);
  const running = isRunning(row.status);
  const percent = row.total ? Math.round((row.processed / row.total) * 100) : row.status === "completed" ? 100 : 0;

  const download = async () => {
    setDownloading(true);
    try {
      await downloadRejections(row.id);
    } catch (error) {
      toast.error(error instanceof Error ? error.message : String(error));
    } finally {
      setDownloading(false);
    }
  };

  return (
    <Card>
      <CardHeader>
        <div className="flex flex-wrap items-center justify-between gap-2">
          <CardTitle>{running ? t("imports.progress.title") : t("imports.result.title")}</CardTitle>
          <ImportStatusBadge status={row.status} />
        </div>
        <CardDescription>{row.filename}</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        {running ? (
          <div className="grid gap-1">
            <Progress value={percent} label={t("imports.progress.label")} />
            <p className="text-sm tabular-nums text-muted-foreground" role="status" aria-live="polite">
              {row.total ? t("imports.progress.rows", { processed: format.number(row.processed), total: format.number(row.total), percent }) : t("imports.progress.waiting")}
            </p>
          </div>
        ) : row.status === "completed" ? (
          <p role="status" className="flex items-center gap-2 text-sm font-medium text-green-800">
            <CheckCircle2 className="size-4" aria-hidden="true" />
            {t("imports.result.completed", { count: row.processed, formatted: format.number(row.processed) })}
            {row.finished_at ? <span className="font-normal text-muted-foreground">· {format.dateTime(row.finished_at)}</span> : null}
          </p>
        ) : (
          <p role="alert" className="flex items-center gap-2 text-sm font-medium text-destructive">
            <XCircle className="size-4" aria-hidden="true" />
            {t("imports.result.failed", { error: row.error ?? "—" })}
          </p>
        )}
        <dl className="grid grid-cols-3 gap-2">
          <Count label={t("imports.counts.inserted")} value={row.inserted} />
          <Count label={t("imports.counts.updated")} value={row.updated} />
          <Count label={t("imports.counts.rejected")} value={row.rejected} tone={row.rejected ? "text-destructive" : undefined} />
        </dl>
        {!running ? (
          <div className="flex flex-wrap justify-end gap-2">
            {row.rejected ? (
              <Button variant="outline" onClick={() => void download()} disabled={downloading}>
                <Download aria-hidden="true" />
                {t("imports.result.downloadRejected")}
              </Button>
            ) : null}
            <Button variant="outline" asChild>
              <Link to="/imports/new">{t("imports.result.another")}</Link>
            </Button>
            <Button asChild>
              <Link to="/contacts">{t("imports.result.seeContacts")}</Link>
            </Button>
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}
