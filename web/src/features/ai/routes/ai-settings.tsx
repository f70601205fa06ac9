import { CheckCircle2, KeyRound, PlugZap, XCircle } from "lucide-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Progress } from "@/components/ui/controls";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { SkeletonRows } from "@/components/ui/skeleton";
import { ErrorState, PageHeader } from "@/components/ui/states";
import { useIsAdmin } from "@/lib/auth/auth-provider";
import { useFieldErrors } from "@/lib/hooks/use-field-errors";
import { useFormat } from "@/lib/i18n/format";
import { cn } from "@/lib/utils";
import { useAiSettings, useCheckAiSettings, useSaveAiSettings, type AiSettings, type CheckResult } from "../api/settings";
import { UsageTables, useMonthUsage } from "../components/usage-tables";
import { budgetError, spendShare } from "../lib/budget";

export function Component() {
  const { t } = useTranslation("ai");
  const admin = useIsAdmin();
  const settings = useAiSettings();
  return (
    <div className="p-4 md:p-6">
      <PageHeader title={t("settings.title")} description={admin ? t("settings.description") : t("settings.readOnly")} />
      {settings.isPending ? (
        <SkeletonRows />
      ) : settings.isError ? (
        <ErrorState error={settings.error} onRetry={() => void settings.refetch()} />
      ) : (
        <div className="grid max-w-5xl gap-4 lg:grid-cols-2">
          <EndpointCard key={`endpoint-${settings.data.base_url ?? ""}-${settings.data.chat_model ?? ""}`} settings={settings.data} editable={admin} />
          <BudgetCard key={`budget-${settings.data.monthly_budget_usd ?? ""}`} settings={settings.data} editable={admin} />
          <div className="lg:col-span-2">
            <UsageTables />
          </div>
        </div>
      )}
    </div>
  );
}

function EndpointCard({ settings, editable }: { settings: AiSettings; editable: boolean }) {
  const { t } = useTranslation("ai");
  const save = useSaveAiSettings();
  const check = useCheckAiSettings();
  const { errors, fail, clear } = useFieldErrors();
  const [baseUrl, setBaseUrl] = useState(settings.base_url ?? "");
  const [model, setModel] = useState(settings.chat_model ?? "");
  const [key, setKey] = useState("");
  const [result, setResult] = useState<CheckResult | null>(null);
  const hostChanged = settings.has_api_key && !key.trim() && baseUrl.trim() !== (settings.base_url ?? "");
  // the saved key never goes to another host: a new base URL needs the key again (or the key removed)
  const keyHint = hostChanged ? t("settings.apiKeyAgain") : settings.has_api_key ? t("settings.apiKeyKeep") : t("settings.apiKeyHint");
  const dirty = baseUrl.trim() !== (settings.base_url ?? "") || model.trim() !== (settings.chat_model ?? "") || key.trim() !== "";
  const submit = () => {
    clear();
    const body: { base_url: string | null; chat_model: string | null; api_key?: string } = { base_url: baseUrl.trim() || null, chat_model: model.trim() || null };
    if (key.trim()) body.api_key = key.trim();
    save.mutate(body, {
      onSuccess: () => {
        setKey("");
        setResult(null);
        toast.success(t("settings.saved"));
      },
      onError: fail,
    });
  };
  const removeKey = () =>
    save.mutate(
      { api_key: null },
      {
        onSuccess: () => {
          setResult(null);
          toast.success(t("settings.keyRemoved"));
        },
        onError: fail,
      },
    );
  const runCheck = () => {
    setResult(null);
    check.mutate(undefined, { onSuccess: setResult, onError: (e) => toast.error(e.message) });
  };
  return (
    <Card>
      <CardHeader>
        <CardTitle>{t("settings.endpoint")}</CardTitle>
        <CardDescription>{settings.uses_platform_endpoint ? t("settings.platform", { model: settings.effective_chat_model }) : t("settings.own", { host: hostOf(settings.effective_base_url) })}</CardDescription>
      </CardHeader>
      <CardContent>
        <form
          className="grid gap-4"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <Field label={t("settings.baseUrl")} error={errors.base_url} hint={t("settings.baseUrlHint")}>
            <Input type="url" inputMode="url" readOnly={!editable} placeholder={t("settings.platformDefault")} value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} />
          </Field>
          <Field label={t("settings.model")} error={errors.chat_model} hint={t("settings.modelHint")}>
            <Input readOnly={!editable} placeholder={t("settings.platformModel", { model: settings.effective_chat_model })} value={model} maxLength={120} onChange={(e) => setModel(e.target.value)} />
          </Field>
          {editable ? (
            <Field label={t("settings.apiKey")} error={errors.api_key} hint={keyHint}>
              <Input type="password" autoComplete="off" spellCheck={false} maxLength={500} value={key} placeholder={settings.has_api_key ? t("settings.keyEnding", { hint: settings.api_key_hint ?? "" }) : ""} onChange={(e) => setKey(e.target.value)} />
            </Field>
          ) : null}
          <p className="flex flex-wrap items-center gap-2 text-sm" role="status">
            <KeyRound className="size-4 text-muted-foreground" aria-hidden="true" />
            {settings.has_api_key ? t("settings.keySaved", { hint: settings.api_key_hint ?? "…" }) : t("settings.noKey")}
            {editable && settings.has_api_key ? (
              <Button variant="link" className="h-auto p-0" disabled={save.isPending} onClick={removeKey}>
                {t("settings.removeKey")}
              </Button>
            ) : null}
          </p>
          {result ? <CheckOutcome result={result} /> : null}
          {editable && dirty ? <p className="text-right text-xs text-muted-foreground">{t("check.saveFirst")}</p> : null}
          <div className="flex flex-wrap justify-end gap-2">
            {editable ? (
              <>
                <Button variant="outline" disabled={check.isPending || dirty} onClick={runCheck}>
                  <PlugZap aria-hidden="true" />
                  {check.isPending ? t("check.checking") : t("check.open")}
                </Button>
                <Button type="submit" disabled={!dirty || save.isPending}>
                  {save.isPending ? t("common:saving") : t("common:save")}
                </Button>
              </>
            ) : null}
          </div>
        </form>
      </CardContent>
    </Card>
  );
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The check's outcome: ok, or what kind of failure (a key refused, a timeout…) and what to do about it. */
function CheckOutcome({ result }: { result: CheckResult }) {
  const { t } = useTranslation("ai");
  const fmt = useFormat();
  const category = result.category ?? "error";
  return (
    <div
      role={result.ok ? "status" : "alert"}
      className={cn("flex items-start gap-2 rounded-md border p-3 text-sm", result.ok ? "border-green-300 bg-green-50 text-green-950" : "border-destructive/40 bg-red-50 text-red-950")}
    >
      {result.ok ? <CheckCircle2 className="mt-0.5 size-4 shrink-0" aria-hidden="true" /> : <XCircle className="mt-0.5 size-4 shrink-0" aria-hidden="true" />}
      <div className="grid gap-0.5">
        <p className="font-medium">{result.ok ? t("check.ok") : t(`check.categories.${category}`, { defaultValue: t("check.categories.error") })}</p>
        <p>
          {result.ok
            ? t("check.okDetail", { host: result.host, model: result.model, ms: fmt.number(result.latency_ms) })
            : t(`check.hints.${category}`, { defaultValue: t("check.hints.error"), host: result.host, model: result.model, status: result.status ? ` (HTTP ${result.status})` : "" })}
        </p>
      </div>
    </div>
  );
}

function BudgetCard({ settings, editable }: { settings: AiSettings; editable: boolean }) {
  const { t } = useTranslation("ai");
  const fmt = useFormat();
  const save = useSaveAiSettings();
  const { errors, fail, clear } = useFieldErrors();
  const saved = settings.monthly_budget_usd === null ? "" : String(Number(settings.monthly_budget_usd));
  const [budget, setBudget] = useState(saved);
  const [tried, setTried] = useState(false);
  const local = budgetError(budget);
  const error = (tried && local ? t(`budget.errors.${local}`) : undefined) ?? errors.monthly_budget_usd;
  const submit = () => {
    setTried(true);
    if (local) return;
    clear();
    const value = budget.trim() ? budget.trim().replace(",", ".") : null;
    save.mutate({ monthly_budget_usd: value }, { onSuccess: () => toast.success(value === null ? t("budget.cleared") : t("budget.saved")), onError: fail });
  };
  return (
    <Card>
      <CardHeader>
        <CardTitle>{t("budget.title")}</CardTitle>
        <CardDescription>{t("budget.description")}</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <MonthSpend />
        <form
          className="grid gap-4"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <Field label={t("budget.label")} error={error} hint={t("budget.hint")}>
            <Input inputMode="decimal" readOnly={!editable} placeholder={t("budget.none")} value={budget} onChange={(e) => setBudget(e.target.value)} />
          </Field>
          {settings.budget_spent_month ? (
            <p className="text-xs text-muted-foreground">{t("budget.spentSince", { month: fmt.dateTime(settings.budget_spent_month, { month: "long", year: "numeric", timeZone: "UTC" }) })}</p>
          ) : null}
          {editable ? (
            <div className="flex justify-end">
              <Button type="submit" disabled={save.isPending || budget.trim() === saved}>
                {save.isPending ? t("common:saving") : t("budget.save")}
              </Button>
            </div>
          ) : null}
        </form>
      </CardContent>
    </Card>
  );
}

/** This month's spend against the budget, from the usage report (it knows the company's month). */
function MonthSpend() {
  const { t } = useTranslation("ai");
  const fmt = useFormat();
  const usage = useMonthUsage();
  if (usage.isPending) return <SkeletonRows rows={1} />;
  if (usage.isError) return <ErrorState error={usage.error} onRetry={() => void usage.refetch()} />;
  const report = usage.data;
  const spent = Number(report.month_spend_usd);
  const budget = report.monthly_budget_usd === null ? null : Number(report.monthly_budget_usd);
  const share = spendShare(spent, budget);
  const usd = (v: number) => fmt.currency(v, "USD");
  return (
    <div className="grid gap-2 rounded-md border p-3">
      <p className="text-sm font-medium">{t("budget.thisMonth")}</p>
      <p className="text-2xl font-semibold tabular-nums">{usd(spent)}</p>
      {budget === null ? (
        <p className="text-sm text-muted-foreground">{t("budget.noLimit")}</p>
      ) : (
        <>
          <Progress value={share ?? 0} label={t("budget.progressLabel")} className={cn(report.budget_spent && "[&>div]:bg-destructive")} />
          <p className={cn("text-sm tabular-nums", report.budget_spent ? "font-medium text-destructive" : "text-muted-foreground")} role={report.budget_spent ? "alert" : undefined}>
            {report.budget_spent
              ? t("budget.spent", { budget: usd(budget) })
              : t("budget.ofBudget", { budget: usd(budget), percent: fmt.number(share ?? 0), remaining: usd(Number(report.budget_remaining_usd ?? 0)) })}
          </p>
        </>
      )}
    </div>
  );
}
