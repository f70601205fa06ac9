import { useState } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input, NativeSelect } from "@/components/ui/input";
import { useFieldErrors } from "@/lib/hooks/use-field-errors";
import { useCreateConnection, useUpdateConnection, type Connection, type ConnectionCreated, type ConnectionUpdate, type SmsConnectionCreate } from "../api/connections";
import { SMS_COUNTRIES, SMS_CURRENCIES, decimalText } from "../lib/sms";
import { CopyField } from "./copy-field";

function useCountryName() {
  const { i18n } = useTranslation();
  const names = new Intl.DisplayNames([i18n.resolvedLanguage ?? "en"], { type: "region" });
  return (code: string) => names.of(code) ?? code;
}

/** Add an SMS sender: an origination number or a sender ID, its country, rate and price of a segment. */
export function AddSms({ onCreated, onCancel }: { onCreated: (c: ConnectionCreated) => void; onCancel: () => void }) {
  const { t } = useTranslation("connections");
  const country = useCountryName();
  const [form, setForm] = useState({ name: "", origination: "", country: "BR", mps: "1", cost: "0", currency: "BRL", topic: "" });
  const { errors, fail } = useFieldErrors();
  const create = useCreateConnection();
  const set = (key: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setForm((f) => ({ ...f, [key]: e.target.value }));

  function submit(event: React.FormEvent) {
    event.preventDefault();
    const body: SmsConnectionCreate = {
      provider: "sms_aws",
      name: form.name.trim(),
      origination: form.origination.trim(),
      country: form.country,
      messages_per_second: Number(decimalText(form.mps)),
      cost_per_segment: decimalText(form.cost) || "0",
      currency: form.currency,
      ...(form.topic.trim() ? { inbound_topic_arn: form.topic.trim() } : {}),
    };
    create.mutate(body, {
      onSuccess: (connection) => {
        toast.success(t("add.created", { name: connection.name }));
        onCreated(connection);
      },
      onError: fail,
    });
  }

  return (
    <form onSubmit={submit} className="grid gap-4" noValidate>
      <Field label={t("fields.name")} error={errors.name} hint={t("fields.smsNameHint")}>
        <Input value={form.name} onChange={set("name")} maxLength={120} required />
      </Field>
      <Field label={t("sms.origination")} error={errors.origination} hint={t("sms.originationHint")}>
        <Input value={form.origination} onChange={set("origination")} maxLength={20} autoComplete="off" required />
      </Field>
      <Field label={t("sms.country")} error={errors.country} hint={t("sms.countryHint")}>
        <NativeSelect value={form.country} onChange={set("country")}>
          {SMS_COUNTRIES.map((code) => (
            <option key={code} value={code}>
              {country(code)}
            </option>
          ))}
        </NativeSelect>
      </Field>
      <div className="grid items-start gap-4 sm:grid-cols-3">
        <Field label={t("sms.perSecond")} error={errors.messages_per_second} hint={t("sms.perSecondHint")}>
          <Input value={form.mps} onChange={set("mps")} inputMode="decimal" required />
        </Field>
        <Field label={t("sms.cost")} error={errors.cost_per_segment}>
          <Input value={form.cost} onChange={set("cost")} inputMode="decimal" />
        </Field>
        <Field label={t("sms.currency")} error={errors.currency}>
          <NativeSelect value={form.currency} onChange={set("currency")}>
            {SMS_CURRENCIES.map((code) => (
              <option key={code} value={code}>
                {code}
              </option>
            ))}
          </NativeSelect>
        </Field>
      </div>
      <Field label={t("sms.topic")} error={errors.inbound_topic_arn} hint={t("sms.topicHint")}>
        <Input value={form.topic} onChange={set("topic")} autoComplete="off" placeholder="arn:aws:sns:…" />
      </Field>
      <div className="flex justify-end gap-2">
        <Button variant="outline" onClick={onCancel}>
          {t("common:cancel")}
        </Button>
        <Button type="submit" disabled={create.isPending}>
          {create.isPending ? t("add.saving") : t("add.submitSms")}
        </Button>
      </div>
    </form>
  );
}

/** What to set in AWS once an SMS sender is added: the URL its SNS topic delivers to. */
export function CreatedSms({ connection, onDone }: { connection: ConnectionCreated; onDone: () => void }) {
  const { t } = useTranslation("connections");
  return (
    <div className="grid gap-4">
      <p className="text-sm">{t("createdSms.intro", { name: connection.name })}</p>
      <CopyField label={t("fields.webhookUrl")} value={connection.webhook_url} />
      <div className="flex justify-end">
        <Button onClick={onDone}>{t("created.done")}</Button>
      </div>
    </div>
  );
}

/** Rename an SMS sender, or change its rate and price (its origination and country stay). */
export function EditSms({ connection, onDone }: { connection: Connection; onDone: () => void }) {
  const { t } = useTranslation("connections");
  const sms = connection.sms;
  const [name, setName] = useState(connection.name);
  const [mps, setMps] = useState(String(sms?.messages_per_second ?? ""));
  const [cost, setCost] = useState(sms?.cost_per_segment ?? "");
  const { errors, fail } = useFieldErrors();
  const update = useUpdateConnection();

  function submit(event: React.FormEvent) {
    event.preventDefault();
    const body: ConnectionUpdate = {};
    if (name.trim() !== connection.name) body.name = name.trim();
    if (decimalText(mps) && Number(decimalText(mps)) !== sms?.messages_per_second) body.messages_per_second = Number(decimalText(mps));
    if (decimalText(cost) && decimalText(cost) !== sms?.cost_per_segment) body.cost_per_segment = decimalText(cost);
    if (!Object.keys(body).length) return onDone();
    update.mutate(
      { id: connection.id, body },
      {
        onSuccess: () => {
          toast.success(t("edit.saved"));
          onDone();
        },
        onError: fail,
      },
    );
  }

  return (
    <form onSubmit={submit} className="grid gap-4" noValidate>
      <Field label={t("fields.name")} error={errors.name}>
        <Input value={name} onChange={(e) => setName(e.target.value)} maxLength={120} />
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label={t("sms.perSecond")} error={errors.messages_per_second}>
          <Input value={mps} onChange={(e) => setMps(e.target.value)} inputMode="decimal" />
        </Field>
        <Field label={t("sms.costIn", { currency: sms?.currency ?? "" })} error={errors.cost_per_segment}>
          <Input value={cost} onChange={(e) => setCost(e.target.value)} inputMode="decimal" />
        </Field>
      </div>
      <div className="flex justify-end gap-2">
        <Button variant="outline" onClick={onDone}>
          {t("common:cancel")}
        </Button>
        <Button type="submit" disabled={update.isPending}>
          {update.isPending ? t("common:saving") : t("common:save")}
        </Button>
      </div>
    </form>
  );
}
