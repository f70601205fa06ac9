import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input, NativeSelect } from "@/components/ui/input";
import { SkeletonRows } from "@/components/ui/skeleton";
import { ErrorState, PageHeader } from "@/components/ui/states";
import type { Schema } from "@/lib/api/types";
import { useAuth, useIsAdmin } from "@/lib/auth/auth-provider";
import { useFieldErrors } from "@/lib/hooks/use-field-errors";
import { useFormat } from "@/lib/i18n/format";
import { type KeywordSettings, useKeywordSettings, useSaveKeywords, useUpdateCompany } from "../api/settings";
import { KeywordInput } from "../components/keyword-input";
import { listError } from "../lib/keywords";
import { regions, timezones } from "../lib/regions";

export function Component() {
  const { t } = useTranslation("settings");
  const admin = useIsAdmin();
  const { me } = useAuth();
  const keywords = useKeywordSettings();
  return (
    <div className="p-4 md:p-6">
      <PageHeader title={t("settings.title")} description={admin ? t("settings.description") : t("settings.readOnly")} />
      <div className="grid max-w-3xl gap-4">
        <Card>
          <CardHeader>
            <CardTitle>{t("keywords.title")}</CardTitle>
            <CardDescription>{t("keywords.description")}</CardDescription>
          </CardHeader>
          <CardContent>
            {keywords.isPending ? (
              <SkeletonRows rows={2} />
            ) : keywords.isError ? (
              <ErrorState error={keywords.error} onRetry={() => void keywords.refetch()} />
            ) : (
              <KeywordsForm key={JSON.stringify(keywords.data)} saved={keywords.data} editable={admin} />
            )}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>{t("company.title")}</CardTitle>
            <CardDescription>{t("company.description")}</CardDescription>
          </CardHeader>
          <CardContent>{me ? <CompanyForm key={JSON.stringify(me.company)} company={me.company} editable={admin} /> : <SkeletonRows rows={3} />}</CardContent>
        </Card>
      </div>
    </div>
  );
}

function KeywordsForm({ saved, editable }: { saved: KeywordSettings; editable: boolean }) {
  const { t } = useTranslation("settings");
  const save = useSaveKeywords();
  const { errors, fail } = useFieldErrors();
  const [stop, setStop] = useState(saved.stop_keywords);
  const [optIn, setOptIn] = useState(saved.opt_in_keywords);
  const dirty = JSON.stringify([stop, optIn]) !== JSON.stringify([saved.stop_keywords, saved.opt_in_keywords]);
  return (
    <form
      className="grid gap-4"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate({ stop_keywords: stop, opt_in_keywords: optIn }, { onSuccess: () => toast.success(t("keywords.saved")), onError: fail });
      }}
    >
      <KeywordInput label={t("keywords.stop")} hint={t("keywords.stopHint")} value={stop} onChange={setStop} error={listError(errors, "stop_keywords")} readOnly={!editable} />
      <KeywordInput label={t("keywords.optIn")} hint={t("keywords.optInHint")} value={optIn} onChange={setOptIn} error={listError(errors, "opt_in_keywords")} readOnly={!editable} />
      {editable ? (
        <div className="flex flex-wrap justify-end gap-2">
          <Button
            type="button"
            variant="outline"
            disabled={!dirty || save.isPending}
            onClick={() => {
              setStop(saved.stop_keywords);
              setOptIn(saved.opt_in_keywords);
            }}
          >
            {t("discard")}
          </Button>
          <Button type="submit" disabled={!dirty || save.isPending}>
            {save.isPending ? t("common:saving") : t("keywords.save")}
          </Button>
        </div>
      ) : null}
    </form>
  );
}

function CompanyForm({ company, editable }: { company: Schema<"CompanyRead">; editable: boolean }) {
  const { t } = useTranslation("settings");
  const { locale } = useFormat();
  const update = useUpdateCompany();
  const { errors, fail } = useFieldErrors();
  const [name, setName] = useState(company.name);
  const [timezone, setTimezone] = useState(company.timezone);
  const [region, setRegion] = useState(company.default_region);
  const regionList = useMemo(() => regions(locale), [locale]);
  const zoneList = useMemo(() => timezones(company.timezone), [company.timezone]);
  const dirty = name !== company.name || timezone !== company.timezone || region !== company.default_region;
  return (
    <form
      className="grid gap-4 sm:grid-cols-2"
      onSubmit={(e) => {
        e.preventDefault();
        update.mutate({ name: name.trim(), timezone, default_region: region }, { onSuccess: () => toast.success(t("company.saved")), onError: fail });
      }}
    >
      <Field label={t("company.name")} error={errors.name} className="sm:col-span-2">
        <Input required readOnly={!editable} className={editable ? undefined : "bg-muted/40"} maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Field label={t("company.timezone")} error={errors.timezone} hint={t("company.timezoneHint")}>
        <NativeSelect disabled={!editable} value={timezone} onChange={(e) => setTimezone(e.target.value)}>
          {zoneList.map((z) => (
            <option key={z} value={z}>
              {z.replace(/_/g, " ")}
            </option>
          ))}
        </NativeSelect>
      </Field>
      <Field label={t("company.region")} error={errors.default_region} hint={t("company.regionHint")}>
        <NativeSelect disabled={!editable} value={region} onChange={(e) => setRegion(e.target.value)}>
          {regionList.some((r) => r.code === region) ? null : <option value={region}>{region}</option>}
          {regionList.map((r) => (
            <option key={r.code} value={r.code}>
              {r.name} ({r.code})
            </option>
          ))}
        </NativeSelect>
      </Field>
      {editable ? (
        <div className="flex justify-end sm:col-span-2">
          <Button type="submit" disabled={!dirty || update.isPending}>
            {update.isPending ? t("common:saving") : t("company.save")}
          </Button>
        </div>
      ) : null}
    </form>
  );
}
