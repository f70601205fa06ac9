/** A template message of a step (a send, or a text's fallback): the number's approved template, and each of its
 * parameters filled from a contact or lead variable (with a value for when it is empty) or a fixed text. */
import { useTranslation } from "react-i18next";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { useCustomFields, useTemplate } from "@/components/pickers/lookups";
import { TemplatePicker } from "@/components/pickers/pickers";
import { withTemplate, type TemplateDraft } from "../lib/steps";
import { fillBody } from "../lib/template";
import { variableOptions } from "../lib/variables";
import { LITERAL, VariableSelect } from "./pickers";

function paramLabel(t: (k: string, o?: Record<string, unknown>) => string, key: string): string {
  const [part, name] = key.split(".");
  return t(`param.${part}`, { name, defaultValue: key });
}

export function TemplateFields({
  draft,
  onChange,
  connectionId,
  errors,
  prefix = "",
  label,
}: {
  draft: TemplateDraft;
  onChange: (draft: TemplateDraft) => void;
  connectionId: string;
  /** the step's field errors (`template_id`, `parameters.body.1`, with `prefix` for a fallback) */
  errors: Record<string, string>;
  prefix?: string;
  label: string;
}) {
  const { t } = useTranslation("cadences");
  const template = useTemplate(draft.templateId || null).data;
  const custom = useCustomFields().data ?? [];
  const names = new Map(variableOptions(custom).map((o) => [o.value, o.label ?? t(o.labelKey!)]));
  const keys = template?.id === draft.templateId ? (template.parameter_keys ?? []) : [];
  const set = (key: string, patch: Partial<TemplateDraft["params"][string]>) =>
    onChange({ ...draft, params: { ...draft.params, [key]: { ...(draft.params[key] ?? { source: "variable", value: "", fallback: "" }), ...patch } } });
  const shown = (key: string) => {
    const p = draft.params[key];
    if (!p || !p.value.trim()) return p?.fallback.trim() || template?.defaults[key] || `{{${key.split(".").pop()}}}`;
    return p.source === "literal" ? p.value : `[${names.get(p.value) ?? p.value}]`;
  };
  return (
    <div className="grid gap-3">
      <Field label={label} error={errors[`${prefix}template_id`]}>
        <TemplatePicker connectionId={connectionId} needsNumber={t("pick.templateNeedsNumber")} value={draft.templateId} onChange={(id) => onChange(withTemplate(draft, id, []))} />
      </Field>
      {template && template.id === draft.templateId ? (
        <>
          <p className="whitespace-pre-wrap break-words rounded-md border bg-muted/40 p-2 text-sm" aria-label={t("builder.templatePreview")}>
            {fillBody(template.components, shown)}
          </p>
          {keys.length ? <p className="text-xs text-muted-foreground">{t("builder.parametersHint")}</p> : null}
          {keys.map((key) => {
            const p = draft.params[key] ?? { source: "variable" as const, value: "", fallback: "" };
            const error = errors[`${prefix}parameters.${key}`] ?? errors[`${prefix}defaults.${key}`];
            return (
              <fieldset key={key} className="grid items-start gap-2 rounded-md border p-2 sm:grid-cols-2">
                <legend className="px-1 text-xs font-medium">{paramLabel(t, key)}</legend>
                <Field label={t("builder.fillWith")} error={error}>
                  <VariableSelect
                    value={p.source === "literal" ? LITERAL : p.value}
                    placeholder={t("builder.chooseVariable")}
                    literalLabel={t("builder.fixedText")}
                    onChange={(v) => set(key, v === LITERAL ? { source: "literal", value: "" } : { source: "variable", value: v })}
                  />
                </Field>
                {p.source === "literal" ? (
                  <Field label={t("builder.text")}>
                    <Input value={p.value} maxLength={200} onChange={(e) => set(key, { value: e.target.value })} />
                  </Field>
                ) : (
                  <Field label={t("builder.whenEmpty")} hint={template.defaults[key] ? t("builder.templateDefault", { value: template.defaults[key] }) : undefined}>
                    <Input value={p.fallback} maxLength={2000} onChange={(e) => set(key, { fallback: e.target.value })} />
                  </Field>
                )}
              </fieldset>
            );
          })}
        </>
      ) : null}
    </div>
  );
}
