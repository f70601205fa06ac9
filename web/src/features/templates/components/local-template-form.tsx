import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input, NativeSelect, Textarea } from "@/components/ui/input";
import { SmsSegments } from "@/features/sms";
import { useFieldErrors } from "@/lib/hooks/use-field-errors";
import { useSaveLocalTemplate, type LocalTemplate, type LocalTemplateCreate } from "../api/local-templates";
import { useCustomFields } from "../api/lookups";
import { CONTACT_VARIABLES, insertVariable, LOCAL_TEXT_MAX, unknownVariables, variablesOf } from "../lib/variables";
import { Counter } from "./counter";

type MediaType = "" | "image" | "video" | "document";

/** Create or edit a local template: its text with insert-variable buttons, defaults, an optional media header. */
export function LocalTemplateForm({ template, onDone }: { template?: LocalTemplate; onDone: () => void }) {
  const { t } = useTranslation("templates");
  const [name, setName] = useState(template?.name ?? "");
  const [body, setBody] = useState(template?.body ?? "");
  const [defaults, setDefaults] = useState<Record<string, string>>(template?.defaults ?? {});
  const [mediaType, setMediaType] = useState<MediaType>(template?.header?.type ?? "");
  const [mediaUrl, setMediaUrl] = useState(template?.header?.url ?? "");
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const customFields = useCustomFields();
  const customKeys = (customFields.data ?? []).map((f) => f.key);
  const { errors, fail } = useFieldErrors();
  const save = useSaveLocalTemplate();
  const used = variablesOf(body);
  const unknown = unknownVariables(body, customKeys);

  function insert(variable: string) {
    const el = bodyRef.current;
    const { text, caret } = insertVariable(body, el?.selectionStart ?? body.length, el?.selectionEnd ?? body.length, variable);
    setBody(text);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(caret, caret);
    });
  }

  function submit(event: React.FormEvent) {
    event.preventDefault();
    const kept = Object.fromEntries(used.filter((v) => defaults[v]?.trim()).map((v) => [v, defaults[v]!.trim()]));
    const payload: LocalTemplateCreate = { name: name.trim(), body, defaults: kept, header: mediaType ? { type: mediaType, url: mediaUrl.trim() } : null };
    save.mutate(
      { id: template?.id, body: payload },
      {
        onSuccess: () => {
          toast.success(template ? t("local.saved") : t("local.created"));
          onDone();
        },
        onError: fail,
      },
    );
  }

  const bodyError = errors.body ?? (unknown.length ? t("local.unknownVariables", { list: unknown.map((v) => `{{${v}}}`).join(", ") }) : undefined);
  return (
    <form onSubmit={submit} className="grid gap-4" noValidate>
      <Field label={t("local.name")} error={errors.name}>
        <Input value={name} onChange={(e) => setName(e.target.value)} maxLength={120} required />
      </Field>
      <div className="grid gap-2">
        <div className="relative">
          <Counter length={body.length} limit={LOCAL_TEXT_MAX} className="absolute right-0 top-0" />
          <Field label={t("local.body")} error={bodyError} hint={t("local.bodyHint")}>
            <Textarea ref={bodyRef} value={body} onChange={(e) => setBody(e.target.value)} rows={6} required aria-describedby="local-template-sms" />
          </Field>
        </div>
        <div className="grid gap-0.5 rounded-md bg-muted/50 px-2 py-1.5">
          <p className="text-xs font-medium">{t("local.asSms")}</p>
          <SmsSegments id="local-template-sms" text={body} />
        </div>
        <div role="group" aria-label={t("local.insertVariable")} className="flex flex-wrap gap-1.5">
          {[...CONTACT_VARIABLES, ...customKeys.map((k) => `custom.${k}`)].map((v) => (
            <Button key={v} variant="outline" size="sm" onClick={() => insert(v)} aria-label={t("local.insert", { variable: v })}>
              {`{{${v}}}`}
            </Button>
          ))}
        </div>
      </div>
      {used.length ? (
        <fieldset className="grid gap-3 rounded-md border p-3">
          <legend className="px-1 text-sm font-medium">{t("local.defaults")}</legend>
          <p className="text-xs text-muted-foreground">{t("local.defaultsHint")}</p>
          {used.map((v) => (
            <Field key={v} label={t("local.defaultFor", { variable: `{{${v}}}` })} error={errors[`defaults.${v}`]}>
              <Input value={defaults[v] ?? ""} onChange={(e) => setDefaults((d) => ({ ...d, [v]: e.target.value }))} maxLength={200} />
            </Field>
          ))}
        </fieldset>
      ) : null}
      <fieldset className="grid gap-3 rounded-md border p-3 sm:grid-cols-[10rem_1fr]">
        <legend className="px-1 text-sm font-medium">{t("local.header")}</legend>
        <Field label={t("local.headerType")} error={errors["header.type"]}>
          <NativeSelect value={mediaType} onChange={(e) => setMediaType(e.target.value as MediaType)}>
            <option value="">{t("local.headerNone")}</option>
            <option value="image">{t("phone.media.image")}</option>
            <option value="video">{t("phone.media.video")}</option>
            <option value="document">{t("phone.media.document")}</option>
          </NativeSelect>
        </Field>
        {mediaType ? (
          <Field label={t("local.headerUrl")} error={errors["header.url"] ?? errors.header}>
            <Input type="url" value={mediaUrl} onChange={(e) => setMediaUrl(e.target.value)} placeholder="https://" />
          </Field>
        ) : null}
      </fieldset>
      <div className="flex justify-end gap-2">
        <Button variant="outline" onClick={onDone}>
          {t("common:cancel")}
        </Button>
        <Button type="submit" disabled={save.isPending}>
          {save.isPending ? t("common:saving") : t("common:save")}
        </Button>
      </div>
    </form>
  );
}
