import { useState } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input, NativeSelect } from "@/components/ui/input";
import { useFieldErrors } from "@/lib/hooks/use-field-errors";
import { useCustomFields } from "../api/lookups";
import { useMapParameters, type WhatsAppTemplate } from "../api/whatsapp-templates";
import { CONTACT_VARIABLES, describeKey } from "../lib/variables";

/** A parameter key as a person reads it: "Body {{1}}", "Button 1 URL {{1}}", "Header media". */
export function useKeyLabel() {
  const { t } = useTranslation("templates");
  return (key: string) => {
    const d = describeKey(key);
    const token = `{{${d.placeholder}}}`;
    if (d.section === "media") return t("mapping.media");
    if (d.section === "button") return t("mapping.button", { n: d.button, token });
    return t(`mapping.${d.section}`, { token });
  };
}

/** Which contact field fills each parameter of the template, and a default for when it is empty. */
export function ParameterMapping({ template, onDone }: { template: WhatsAppTemplate; onDone: () => void }) {
  const { t } = useTranslation("templates");
  const label = useKeyLabel();
  const customFields = useCustomFields();
  const [parameters, setParameters] = useState<Record<string, string>>(template.parameters);
  const [defaults, setDefaults] = useState<Record<string, string>>(template.defaults);
  const { errors, fail } = useFieldErrors();
  const save = useMapParameters();
  const keys = template.parameter_keys ?? [];
  const variables = [...CONTACT_VARIABLES, ...(customFields.data ?? []).map((f) => `custom.${f.key}`)];

  function submit(event: React.FormEvent) {
    event.preventDefault();
    const body = {
      parameters: Object.fromEntries(keys.filter((k) => parameters[k]).map((k) => [k, parameters[k]!])),
      defaults: Object.fromEntries(keys.filter((k) => defaults[k]?.trim()).map((k) => [k, defaults[k]!.trim()])),
    };
    save.mutate(
      { id: template.id, body },
      {
        onSuccess: () => {
          toast.success(t("mapping.saved"));
          onDone();
        },
        onError: fail,
      },
    );
  }

  if (!keys.length) return <p className="text-sm text-muted-foreground">{t("mapping.none")}</p>;
  return (
    <form onSubmit={submit} className="grid gap-4" noValidate>
      {keys.map((key) => (
        <fieldset key={key} className="grid gap-3 rounded-md border p-3 sm:grid-cols-2">
          <legend className="px-1 text-sm font-medium">{label(key)}</legend>
          {key === "header.media" ? (
            <Field label={t("mapping.mediaLink")} error={errors[`defaults.${key}`]} className="sm:col-span-2">
              <Input type="url" value={defaults[key] ?? ""} onChange={(e) => setDefaults((d) => ({ ...d, [key]: e.target.value }))} placeholder="https://" />
            </Field>
          ) : (
            <>
              <Field label={t("mapping.variableFor", { key: label(key) })} error={errors[`parameters.${key}`]}>
                <NativeSelect value={parameters[key] ?? ""} onChange={(e) => setParameters((p) => ({ ...p, [key]: e.target.value }))}>
                  <option value="">{t("mapping.noVariable")}</option>
                  {variables.map((v) => (
                    <option key={v} value={v}>
                      {t(`variables.${v}`, { defaultValue: v })}
                    </option>
                  ))}
                </NativeSelect>
              </Field>
              <Field label={t("mapping.defaultFor", { key: label(key) })} error={errors[`defaults.${key}`]}>
                <Input value={defaults[key] ?? ""} onChange={(e) => setDefaults((d) => ({ ...d, [key]: e.target.value }))} />
              </Field>
            </>
          )}
        </fieldset>
      ))}
      <div className="flex justify-end gap-2">
        <Button variant="outline" onClick={onDone}>
          {t("common:cancel")}
        </Button>
        <Button type="submit" disabled={save.isPending}>
          {save.isPending ? t("common:saving") : t("mapping.save")}
        </Button>
      </div>
    </form>
  );
}
