import { MessageSquareText, ShieldAlert, Smartphone } from "lucide-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { useFieldErrors } from "@/lib/hooks/use-field-errors";
import { cn } from "@/lib/utils";
import { useCreateConnection, useUpdateConnection, type Connection, type ConnectionCreated, type ConnectionUpdate, type MetaConnectionCreate, type Provider } from "../api/connections";
import { CopyField } from "./copy-field";
import { AddSms, CreatedSms, EditSms } from "./sms-form";

/** Add a number: first which kind (WhatsApp on Meta's Cloud API, or SMS), then that kind's form; once added, what
 * to set at the provider (the webhook URL, and Meta's verify token shown once). */
export function AddConnection({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation("connections");
  const [provider, setProvider] = useState<Provider>("meta_cloud");
  const [created, setCreated] = useState<ConnectionCreated | null>(null);
  const title = provider === "sms_aws" ? t("add.titleSms") : t("add.title");
  const description = provider === "sms_aws" ? t("add.descriptionSms") : t("add.description");
  return (
    <>
      <DialogHeader>
        <DialogTitle>{title}</DialogTitle>
        <DialogDescription>{description}</DialogDescription>
      </DialogHeader>
      {created ? (
        created.provider === "sms_aws" ? (
          <CreatedSms connection={created} onDone={onDone} />
        ) : (
          <CreatedSecrets connection={created} onDone={onDone} />
        )
      ) : (
        <div className="grid gap-4">
          <fieldset className="grid gap-2">
            <legend className="mb-1.5 text-sm font-medium">{t("add.kind")}</legend>
            <div className="grid gap-2 sm:grid-cols-2">
              <Kind value="meta_cloud" checked={provider === "meta_cloud"} onChange={setProvider} icon={Smartphone} label={t("channel.whatsapp")} hint={t("add.kindWhatsapp")} />
              <Kind value="sms_aws" checked={provider === "sms_aws"} onChange={setProvider} icon={MessageSquareText} label={t("channel.sms")} hint={t("add.kindSms")} />
            </div>
          </fieldset>
          {provider === "sms_aws" ? <AddSms onCreated={setCreated} onCancel={onDone} /> : <AddMeta onCreated={setCreated} onCancel={onDone} />}
        </div>
      )}
    </>
  );
}

function Kind({ value, checked, onChange, icon: Icon, label, hint }: { value: Provider; checked: boolean; onChange: (p: Provider) => void; icon: typeof Smartphone; label: string; hint: string }) {
  return (
    <label className={cn("flex cursor-pointer items-start gap-3 rounded-md border p-3 text-sm has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-ring", checked && "border-primary bg-accent/40")}>
      <input type="radio" className="mt-1 accent-[var(--color-primary)]" name="connection-kind" value={value} checked={checked} onChange={() => onChange(value)} />
      <span className="grid min-w-0 flex-1 gap-0.5">
        <span className="flex items-center gap-1.5 font-medium">
          <Icon className="size-4" aria-hidden="true" />
          {label}
        </span>
        <span className="text-xs text-muted-foreground">{hint}</span>
      </span>
    </label>
  );
}

/** A Cloud API number: Meta is asked first. */
function AddMeta({ onCreated, onCancel }: { onCreated: (c: ConnectionCreated) => void; onCancel: () => void }) {
  const { t } = useTranslation("connections");
  const [form, setForm] = useState({ name: "", phone_number_id: "", waba_id: "", access_token: "", app_secret: "", verify_token: "" });
  const { errors, fail } = useFieldErrors();
  const create = useCreateConnection();
  const set = (key: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm((f) => ({ ...f, [key]: e.target.value }));

  function submit(event: React.FormEvent) {
    event.preventDefault();
    const body: MetaConnectionCreate = {
      provider: "meta_cloud",
      name: form.name.trim(),
      phone_number_id: form.phone_number_id.trim(),
      waba_id: form.waba_id.trim(),
      access_token: form.access_token.trim(),
      app_secret: form.app_secret.trim(),
      ...(form.verify_token.trim() ? { verify_token: form.verify_token.trim() } : {}),
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
      <Field label={t("fields.name")} error={errors.name} hint={t("fields.nameHint")}>
        <Input value={form.name} onChange={set("name")} maxLength={120} required />
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label={t("fields.phoneNumberId")} error={errors.phone_number_id} hint={t("fields.phoneNumberIdHint")}>
          <Input value={form.phone_number_id} onChange={set("phone_number_id")} inputMode="numeric" autoComplete="off" required />
        </Field>
        <Field label={t("fields.wabaId")} error={errors.waba_id} hint={t("fields.wabaIdHint")}>
          <Input value={form.waba_id} onChange={set("waba_id")} inputMode="numeric" autoComplete="off" required />
        </Field>
      </div>
      <Field label={t("fields.accessToken")} error={errors.access_token} hint={t("fields.accessTokenHint")}>
        <Input type="password" value={form.access_token} onChange={set("access_token")} autoComplete="off" required />
      </Field>
      <Field label={t("fields.appSecret")} error={errors.app_secret} hint={t("fields.appSecretHint")}>
        <Input type="password" value={form.app_secret} onChange={set("app_secret")} autoComplete="off" required />
      </Field>
      <Field label={t("fields.verifyToken")} error={errors.verify_token} hint={t("fields.verifyTokenHint")}>
        <Input value={form.verify_token} onChange={set("verify_token")} autoComplete="off" />
      </Field>
      <div className="flex justify-end gap-2">
        <Button variant="outline" onClick={onCancel}>
          {t("common:cancel")}
        </Button>
        <Button type="submit" disabled={create.isPending}>
          {create.isPending ? t("add.checking") : t("add.submit")}
        </Button>
      </div>
    </form>
  );
}

/** What to paste into Meta's webhook settings; the verify token is never shown again. */
function CreatedSecrets({ connection, onDone }: { connection: ConnectionCreated; onDone: () => void }) {
  const { t } = useTranslation("connections");
  return (
    <div className="grid gap-4">
      <p className="text-sm">{t("created.intro", { name: connection.name })}</p>
      <ol className="grid list-decimal gap-1 pl-5 text-sm text-muted-foreground">
        <li>{t("created.step1")}</li>
        <li>{t("created.step2")}</li>
        <li>{t("created.step3")}</li>
      </ol>
      <CopyField label={t("fields.webhookUrl")} value={connection.webhook_url} />
      <CopyField label={t("fields.verifyToken")} value={connection.verify_token ?? ""} secret />
      <div role="note" className="flex gap-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950">
        <ShieldAlert className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
        <p>{t("created.once")}</p>
      </div>
      <div className="flex justify-end">
        <Button onClick={onDone}>{t("created.done")}</Button>
      </div>
    </div>
  );
}

/** Rename, or replace the access token (checked with Meta first), the app secret or the verify token; an SMS
 * sender's own settings. */
export function EditConnection({ connection, onDone }: { connection: Connection; onDone: () => void }) {
  return connection.provider === "sms_aws" ? <EditSms connection={connection} onDone={onDone} /> : <EditMeta connection={connection} onDone={onDone} />;
}

function EditMeta({ connection, onDone }: { connection: Connection; onDone: () => void }) {
  const { t } = useTranslation("connections");
  const [name, setName] = useState(connection.name);
  const [accessToken, setAccessToken] = useState("");
  const [appSecret, setAppSecret] = useState("");
  const [verifyToken, setVerifyToken] = useState("");
  const { errors, fail } = useFieldErrors();
  const update = useUpdateConnection();

  function submit(event: React.FormEvent) {
    event.preventDefault();
    const body: ConnectionUpdate = {};
    if (name.trim() !== connection.name) body.name = name.trim();
    if (accessToken.trim()) body.access_token = accessToken.trim();
    if (appSecret.trim()) body.app_secret = appSecret.trim();
    if (verifyToken.trim()) body.verify_token = verifyToken.trim();
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
      <p className="text-sm text-muted-foreground">{t("edit.secretsHint")}</p>
      <Field label={t("edit.newAccessToken")} error={errors.access_token}>
        <Input type="password" value={accessToken} onChange={(e) => setAccessToken(e.target.value)} autoComplete="off" />
      </Field>
      <Field label={t("edit.newAppSecret")} error={errors.app_secret}>
        <Input type="password" value={appSecret} onChange={(e) => setAppSecret(e.target.value)} autoComplete="off" />
      </Field>
      <Field label={t("edit.newVerifyToken")} error={errors.verify_token} hint={t("edit.newVerifyTokenHint")}>
        <Input value={verifyToken} onChange={(e) => setVerifyToken(e.target.value)} autoComplete="off" />
      </Field>
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
