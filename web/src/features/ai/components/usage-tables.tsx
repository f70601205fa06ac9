/** This month's model calls: tokens and estimated cost by persona and by day (the API sums its usage rows). */
import { BarChart3 } from "lucide-react";
import { useTranslation } from "react-i18next";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useFormat } from "@/lib/i18n/format";
import { useAiUsage, type GroupBy, type UsageReport } from "../api/settings";

export function useMonthUsage(groupBy: GroupBy = "persona") {
  return useAiUsage(groupBy);
}

export function UsageTables() {
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <UsageCard groupBy="persona" />
      <UsageCard groupBy="day" />
    </div>
  );
}

function UsageCard({ groupBy }: { groupBy: "persona" | "day" }) {
  const { t } = useTranslation("ai");
  const usage = useMonthUsage(groupBy);
  const title = t(`usage.by.${groupBy}`);
  return (
    <Card>
      <CardHeader>
        <CardTitle>{title}</CardTitle>
        <CardDescription>{t("usage.description")}</CardDescription>
      </CardHeader>
      <CardContent>
        {usage.isPending ? (
          <SkeletonRows rows={3} />
        ) : usage.isError ? (
          <ErrorState error={usage.error} onRetry={() => void usage.refetch()} />
        ) : usage.data.groups.length === 0 ? (
          <EmptyState icon={BarChart3} title={t("usage.empty")} description={t("usage.emptyHint")} />
        ) : (
          <UsageTable report={usage.data} groupBy={groupBy} label={title} />
        )}
      </CardContent>
    </Card>
  );
}

function UsageTable({ report, groupBy, label }: { report: UsageReport; groupBy: "persona" | "day"; label: string }) {
  const { t } = useTranslation("ai");
  const fmt = useFormat();
  const usd = (v: string | number) => fmt.currency(Number(v), "USD");
  const costly = (v: string | number) => fmt.number(Number(v), { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 4 });
  const rows = groupBy === "day" ? [...report.groups].sort((a, b) => (b.key ?? "").localeCompare(a.key ?? "")) : report.groups;
  const name = (key: string | null, fallback: string | null) =>
    groupBy === "day" ? (key ? fmt.dateTime(`${key}T12:00:00Z`, { dateStyle: "medium", timeZone: "UTC" }) : "—") : (fallback ?? (key ? t("usage.deletedPersona") : t("usage.noPersona")));
  return (
    <Table aria-label={label}>
      <THead>
        <TR>
          <TH scope="col">{groupBy === "day" ? t("usage.day") : t("usage.persona")}</TH>
          <TH scope="col" className="text-right">
            {t("usage.calls")}
          </TH>
          <TH scope="col" className="text-right">
            {t("usage.tokens")}
          </TH>
          <TH scope="col" className="text-right">
            {t("usage.cost")}
          </TH>
        </TR>
      </THead>
      <TBody>
        {rows.map((g) => (
          <TR key={g.key ?? "none"}>
            <TD className="max-w-48 truncate">{name(g.key, g.label)}</TD>
            <TD className="text-right tabular-nums">{fmt.number(g.calls)}</TD>
            <TD className="text-right tabular-nums" title={t("usage.tokensSplit", { prompt: fmt.number(g.prompt_tokens), completion: fmt.number(g.completion_tokens) })}>
              {fmt.number(g.prompt_tokens + g.completion_tokens)}
            </TD>
            <TD className="text-right tabular-nums">{costly(g.cost_usd)}</TD>
          </TR>
        ))}
        <TR className="font-medium">
          <TD>{t("usage.total")}</TD>
          <TD className="text-right tabular-nums">{fmt.number(report.calls)}</TD>
          <TD className="text-right tabular-nums">{fmt.number(report.prompt_tokens + report.completion_tokens)}</TD>
          <TD className="text-right tabular-nums">{usd(report.cost_usd)}</TD>
        </TR>
      </TBody>
      {report.unpriced_calls ? (
        <caption className="mt-2 text-left text-xs text-muted-foreground">{t("usage.unpriced", { count: report.unpriced_calls })}</caption>
      ) : null}
    </Table>
  );
}
