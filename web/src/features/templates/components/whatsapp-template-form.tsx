import { Plus, Trash2 } from "lucide-react";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input, NativeSelect, Textarea } from "@/components/ui/input";
import { ApiError } from "@/lib/api/problem";
import { useCreateWhatsAppTemplate } from "../api/whatsapp-templates";
import {
  buildTemplate,
  BUTTON_TYPES,
  CATEGORIES,
  checkDraft,
  emptyButton,
  emptyDraft,
  exampleKeys,
  fieldOfApiPath,
  fillExamples,
  HEADER_FORMATS,
  META_LIMITS,
  type ButtonDraft,
  type ButtonType,
  type Problem,
  type TemplateDraft,
} from "../lib/meta-limits";
import { Counter } from "./counter";
import { PhonePreview } from "./phone-preview";

export const LANGUAGES = ["pt_BR", "en_US", "en", "es", "es_MX", "es_AR", "pt_PT"] as const;

const token = (key: string) => `{{${key}}}`;

/** Create a WhatsApp template and submit it to Meta; Meta's limits are checked as the user types. */
export function WhatsAppTemplateForm({ connectionId, onDone }: { connectionId: string; onDone: () => void }) {
  const { t } = useTranslation("templates");
  const [draft, setDraft] = useState<TemplateDraft>(() => emptyDraft());
  const [submitted, setSubmitted] = useState(false);
  const [apiErrors, setApiErrors] = useState<Record<string, string>>({});
  const create = useCreateWhatsAppTemplate();
  const problems = useMemo(() => checkDraft(draft), [draft]);
  const built = useMemo(() => buildTemplate(draft), [draft]);

  const set = (patch: Partial<TemplateDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const setButton = (index: number, patch: Partial<ButtonDraft>) => setDraft((d) => ({ ...d, buttons: d.buttons.map((b, i) => (i === index ? { ...b, ...patch } : b)) }));

  function message(problem: Problem): string {
    switch (problem.code) {
      case "required":
        return t("wa.problem.required");
      case "name":
        return t("wa.problem.name");
      case "tooLong":
        return t("wa.problem.tooLong", { limit: problem.limit, length: problem.length });
      case "tooManyParameters":
        return problem.limit === 0 ? t("wa.problem.noParameters") : t("wa.problem.tooManyParameters", { limit: problem.limit });
      case "positionalOrder":
        return t("wa.problem.positionalOrder", { first: token("1"), second: token("2") });
      case "tooManyButtons":
        return t("wa.problem.tooManyButtons", { limit: problem.limit });
      case "tooManyUrlButtons":
        return t("wa.problem.tooManyUrlButtons", { limit: problem.limit });
      case "tooManyPhoneButtons":
        return t("wa.problem.tooManyPhoneButtons", { limit: problem.limit });
    }
  }

  /** Limit problems show as the user types; "required" ones once they try to submit. */
  function error(field: string): string | undefined {
    const shown = (problems[field] ?? []).filter((p) => submitted || p.code !== "required").map(message);
    if (apiErrors[field]) shown.push(apiErrors[field]);
    return shown.length ? shown.join(" ") : undefined;
  }

  function submit(event: React.FormEvent) {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(problems).length) {
      toast.error(t("wa.fixProblems"));
      return;
    }
    create.mutate(
      { connectionId, body: built.body },
      {
        onSuccess: (template) => {
          toast.success(t("wa.submitted", { name: template.name }));
          onDone();
        },
        onError: (e) => {
          if (e instanceof ApiError && e.problem.errors?.length) {
            const mapped: Record<string, string> = {};
            for (const [path, text] of Object.entries(e.fieldErrors())) {
              const field = fieldOfApiPath(path, built.kinds);
              mapped[field] = mapped[field] ? `${mapped[field]}; ${text}` : text;
            }
            setApiErrors(mapped);
            if (mapped.form) toast.error(mapped.form);
          } else {
            setApiErrors({});
            toast.error(e.message);
          }
        },
      },
    );
  }

  const urls = draft.buttons.filter((b) => b.type === "URL").length;
  const phones = draft.buttons.filter((b) => b.type === "PHONE_NUMBER").length;
  const canAdd: Record<ButtonType, boolean> = {
    QUICK_REPLY: draft.buttons.length < META_LIMITS.buttons,
    URL: draft.buttons.length < META_LIMITS.buttons && urls < META_LIMITS.urlButtons,
    PHONE_NUMBER: draft.buttons.length < META_LIMITS.buttons && phones < META_LIMITS.phoneButtons,
  };
  const examples = exampleKeys(draft);
  const media = draft.headerFormat !== "NONE" && draft.headerFormat !== "TEXT";

  return (
    <div className="grid gap-6 md:grid-cols-[minmax(0,1fr)_300px]">
      <form onSubmit={submit} className="grid min-w-0 gap-4" noValidate aria-label={t("wa.formLabel")}>
        <Field label={t("wa.name")} error={error("name")} hint={t("wa.nameHint")}>
          <Input value={draft.name} onChange={(e) => set({ name: e.target.value })} autoComplete="off" />
        </Field>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label={t("wa.language")} error={apiErrors.language}>
            <NativeSelect value={draft.language} onChange={(e) => set({ language: e.target.value })}>
              {LANGUAGES.map((l) => (
                <option key={l} value={l}>
                  {t(`languages.${l}`)}
                </option>
              ))}
            </NativeSelect>
          </Field>
          <Field label={t("wa.category")} error={apiErrors.category}>
            <NativeSelect value={draft.category} onChange={(e) => set({ category: e.target.value as TemplateDraft["category"] })}>
              {CATEGORIES.map((c) => (
                <option key={c} value={c}>
                  {t(`categories.${c}`)}
                </option>
              ))}
            </NativeSelect>
          </Field>
        </div>
        <fieldset className="grid gap-3 rounded-md border p-3">
          <legend className="px-1 text-sm font-medium">{t("wa.header")}</legend>
          <Field label={t("wa.headerFormat")}>
            <NativeSelect value={draft.headerFormat} onChange={(e) => set({ headerFormat: e.target.value as TemplateDraft["headerFormat"] })}>
              {HEADER_FORMATS.map((f) => (
                <option key={f} value={f}>
                  {t(`headerFormats.${f}`)}
                </option>
              ))}
            </NativeSelect>
          </Field>
          {draft.headerFormat === "TEXT" ? (
            <div className="relative">
              <Counter length={draft.headerText.length} limit={META_LIMITS.headerText} className="absolute right-0 top-0" />
              <Field label={t("wa.headerText")} error={error("headerText")} hint={t("wa.headerHint", { token: token("1") })}>
                <Input value={draft.headerText} onChange={(e) => set({ headerText: e.target.value })} />
              </Field>
            </div>
          ) : null}
          {media ? (
            <Field label={t("wa.headerMedia")} error={error("headerMedia")} hint={t("wa.headerMediaHint")}>
              <Input type="url" value={draft.headerMedia} onChange={(e) => set({ headerMedia: e.target.value })} placeholder="https://" />
            </Field>
          ) : null}
        </fieldset>
        <div className="relative">
          <Counter length={draft.body.length} limit={META_LIMITS.bodyText} className="absolute right-0 top-0" />
          <Field label={t("wa.body")} error={error("body")} hint={t("wa.bodyHint", { first: token("1"), second: token("2") })}>
            <Textarea value={draft.body} onChange={(e) => set({ body: e.target.value })} rows={5} />
          </Field>
        </div>
        {examples.length ? (
          <fieldset className="grid gap-3 rounded-md border p-3 sm:grid-cols-2">
            <legend className="px-1 text-sm font-medium">{t("wa.examples")}</legend>
            {examples.map((key) => (
              <Field key={key} label={t("wa.exampleFor", { token: token(key) })}>
                <Input value={draft.examples[key] ?? ""} onChange={(e) => set({ examples: { ...draft.examples, [key]: e.target.value } })} />
              </Field>
            ))}
          </fieldset>
        ) : null}
        <div className="relative">
          <Counter length={draft.footer.length} limit={META_LIMITS.footerText} className="absolute right-0 top-0" />
          <Field label={t("wa.footer")} error={error("footer")}>
            <Input value={draft.footer} onChange={(e) => set({ footer: e.target.value })} />
          </Field>
        </div>
        <fieldset className="grid gap-3 rounded-md border p-3">
          <legend className="px-1 text-sm font-medium">{t("wa.buttons")}</legend>
          <p className="text-xs text-muted-foreground">
            {t("wa.buttonCounts", { total: draft.buttons.length, limit: META_LIMITS.buttons, urls, urlLimit: META_LIMITS.urlButtons, phones, phoneLimit: META_LIMITS.phoneButtons })}
          </p>
          {error("buttons") ? (
            <p role="alert" className="text-xs text-destructive">
              {error("buttons")}
            </p>
          ) : null}
          {draft.buttons.map((button, i) => (
            <div key={i} className="grid gap-3 rounded-md bg-muted/50 p-3">
              <div className="flex items-center justify-between gap-2">
                <p className="text-sm font-medium">{t("wa.buttonN", { n: i + 1, type: t(`buttonTypes.${button.type}`) })}</p>
                <Button variant="ghost" size="icon" aria-label={t("wa.removeButton", { n: i + 1 })} onClick={() => set({ buttons: draft.buttons.filter((_, j) => j !== i) })}>
                  <Trash2 aria-hidden="true" />
                </Button>
              </div>
              <div className="relative">
                <Counter length={button.text.length} limit={META_LIMITS.buttonText} className="absolute right-0 top-0" />
                <Field label={t("wa.buttonText", { n: i + 1 })} error={error(`buttons.${i}.text`)}>
                  <Input value={button.text} onChange={(e) => setButton(i, { text: e.target.value })} />
                </Field>
              </div>
              {button.type === "URL" ? (
                <>
                  <div className="relative">
                    <Counter length={button.url.length} limit={META_LIMITS.buttonUrl} className="absolute right-0 top-0" />
                    <Field label={t("wa.buttonUrl", { n: i + 1 })} error={error(`buttons.${i}.url`)} hint={t("wa.buttonUrlHint", { token: token("1") })}>
                      <Input type="url" value={button.url} onChange={(e) => setButton(i, { url: e.target.value })} />
                    </Field>
                  </div>
                  {button.url.includes("{{") ? (
                    <Field label={t("wa.buttonExample", { n: i + 1 })}>
                      <Input value={button.example} onChange={(e) => setButton(i, { example: e.target.value })} />
                    </Field>
                  ) : null}
                </>
              ) : null}
              {button.type === "PHONE_NUMBER" ? (
                <div className="relative">
                  <Counter length={button.phone_number.length} limit={META_LIMITS.buttonPhone} className="absolute right-0 top-0" />
                  <Field label={t("wa.buttonPhone", { n: i + 1 })} error={error(`buttons.${i}.phone_number`)}>
                    <Input type="tel" value={button.phone_number} onChange={(e) => setButton(i, { phone_number: e.target.value })} />
                  </Field>
                </div>
              ) : null}
            </div>
          ))}
          <div className="flex flex-wrap gap-2">
            {BUTTON_TYPES.map((type) => (
              <Button key={type} variant="outline" size="sm" disabled={!canAdd[type]} onClick={() => set({ buttons: [...draft.buttons, emptyButton(type)] })}>
                <Plus aria-hidden="true" />
                {t(`addButton.${type}`)}
              </Button>
            ))}
          </div>
        </fieldset>
        <div className="flex justify-end gap-2">
          <Button variant="outline" onClick={onDone}>
            {t("common:cancel")}
          </Button>
          <Button type="submit" disabled={create.isPending}>
            {create.isPending ? t("wa.submitting") : t("wa.submit")}
          </Button>
        </div>
      </form>
      <div className="md:sticky md:top-0 md:self-start">
        <p className="mb-2 text-sm font-medium">{t("wa.livePreview")}</p>
        <PhonePreview
          title={t("wa.livePreview")}
          message={{
            header: draft.headerFormat === "TEXT" ? fillExamples(draft.headerText, draft.examples) : null,
            headerMedia: media ? { type: draft.headerFormat.toLowerCase() } : null,
            body: fillExamples(draft.body, draft.examples),
            footer: draft.footer,
            buttons: draft.buttons.map((b) => ({ type: b.type, text: b.text, url: b.url })),
          }}
        />
      </div>
    </div>
  );
}
