/**
 * Create or change a persona: every field of a version, in sections. Checked here first (the API's bounds), then
 * by the API (its field errors land on the same inputs). Saving a change makes a new version; the version the user
 * opened goes with it, and a 409 (someone saved another meanwhile) offers to reload instead of overwriting theirs.
 */
import { RefreshCw, Save } from "lucide-react";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/checkbox";
import { Field, Label } from "@/components/ui/field";
import { Input, NativeSelect, Textarea } from "@/components/ui/input";
import { ApiError } from "@/lib/api/problem";
import { useFieldErrors } from "@/lib/hooks/use-field-errors";
import { useConnectionOptions, useKnowledgeBaseOptions, useTemplateOptions } from "../api/lookups";
import { bodyOf, draftChanged, draftIsValid, LANGUAGES, LIMITS, TOOLS, validateDraft, type DraftError, type PersonaBody, type PersonaDraft, type PersonaFields } from "../lib/persona-form";
import { ActiveHoursEditor } from "./active-hours-editor";
import { MultiPick } from "./multi-pick";
import { TopicsInput } from "./topics-input";

interface Props {
  /** The form's starting values (a new persona's defaults, the current version, or a version restored). */
  initial: PersonaDraft;
  /** The version being changed (to tell "nothing changed"); none for a new persona. */
  saved?: PersonaFields;
  readOnly?: boolean;
  pending: boolean;
  submitLabel: string;
  /** Send the body; call `onError` with what the API answered. */
  onSubmit: (body: PersonaBody, onError: (error: unknown) => void) => void;
  /** The persona changed since it was opened (a 409): show it as it is now. */
  onReload?: () => void;
  onCancel?: () => void;
}

export function PersonaEditor({ initial, saved, readOnly = false, pending, submitLabel, onSubmit, onReload, onCancel }: Props) {
  const { t } = useTranslation("ai");
  const [draft, setDraft] = useState<PersonaDraft>(initial);
  const [tried, setTried] = useState(false);
  const [stale, setStale] = useState(false);
  // a number another persona answers on (409 connection_claimed): said on the numbers, not in a toast
  const [claimed, setClaimed] = useState<string | null>(null);
  const api = useFieldErrors();
  const checked = useMemo(() => validateDraft(draft), [draft]);
  const kbs = useKnowledgeBaseOptions();
  const connections = useConnectionOptions();
  const whatsapp = useMemo(() => draft.connection_ids.filter((id) => connections.channels.get(id) === "whatsapp"), [draft.connection_ids, connections.channels]);
  const templates = useTemplateOptions(whatsapp);
  const changed = saved ? draftChanged(draft, saved) : true;

  const set = <K extends keyof PersonaDraft>(key: K, value: PersonaDraft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const shown = (key: keyof PersonaBody): string | undefined => {
    const local = tried ? checked.fields[key] : undefined;
    return local ? message(local) : api.errors[key];
  };
  const message = (e: DraftError) => t(`form.errors.${e.key}`, e.values);

  const submit = () => {
    setTried(true);
    if (!draftIsValid(checked)) return;
    api.clear();
    setClaimed(null);
    onSubmit(bodyOf(draft), (error) => {
      if (error instanceof ApiError && error.status === 409 && error.problem.code === "stale_version" && onReload) {
        setStale(true);
        return;
      }
      if (error instanceof ApiError && error.status === 409 && error.problem.code === "connection_claimed") {
        setClaimed(error.message);
        return;
      }
      api.fail(error);
    });
  };

  return (
    <form
      noValidate
      className="grid grid-cols-1 gap-4 pb-20"
      aria-label={t("form.label")}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      {stale ? (
        <div role="alert" className="flex flex-wrap items-center justify-between gap-3 rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950">
          <div className="grid gap-1">
            <p className="font-medium">{t("form.stale.title")}</p>
            <p>{t("form.stale.description")}</p>
          </div>
          <Button
            variant="outline"
            onClick={() => {
              setStale(false);
              onReload?.();
            }}
          >
            <RefreshCw aria-hidden="true" />
            {t("form.stale.reload")}
          </Button>
        </div>
      ) : null}

      <Card>
        <CardHeader>
          <CardTitle>{t("form.sections.identity")}</CardTitle>
          <CardDescription>{t("form.sections.identityHint")}</CardDescription>
        </CardHeader>
        <CardContent className="grid grid-cols-1 gap-4 sm:grid-cols-2">
          <Field label={t("form.name")} error={shown("name")}>
            <Input required maxLength={LIMITS.name} readOnly={readOnly} value={draft.name} onChange={(e) => set("name", e.target.value)} />
          </Field>
          <Field label={t("form.language")} error={shown("language")} hint={t("form.languageHint")}>
            <NativeSelect disabled={readOnly} value={draft.language} onChange={(e) => set("language", e.target.value as PersonaDraft["language"])}>
              {LANGUAGES.map((l) => (
                <option key={l} value={l}>
                  {t(`common:locales.${l}`)}
                </option>
              ))}
            </NativeSelect>
          </Field>
          <Field label={t("form.role")} error={shown("role")} hint={t("form.roleHint")}>
            <Input maxLength={LIMITS.role} readOnly={readOnly} value={draft.role} onChange={(e) => set("role", e.target.value)} />
          </Field>
          <Field label={t("form.tone")} error={shown("tone")} hint={t("form.toneHint")}>
            <Input maxLength={LIMITS.tone} readOnly={readOnly} value={draft.tone} onChange={(e) => set("tone", e.target.value)} />
          </Field>
          <Field label={t("form.instructions")} error={shown("instructions")} hint={t("form.instructionsHint")} className="sm:col-span-2">
            <Textarea rows={6} maxLength={LIMITS.instructions} readOnly={readOnly} value={draft.instructions} onChange={(e) => set("instructions", e.target.value)} />
          </Field>
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>{t("form.sections.knowledge")}</CardTitle>
          <CardDescription>{t("form.sections.knowledgeHint")}</CardDescription>
        </CardHeader>
        <CardContent className="grid grid-cols-1 gap-4 md:grid-cols-2">
          <MultiPick
            legend={t("form.knowledgeBases")}
            addLabel={t("form.addKnowledgeBase")}
            searchLabel={t("form.searchKnowledgeBases")}
            emptyText={t("form.noKnowledgeBases")}
            missingLabel={t("form.deleted")}
            options={kbs.options}
            loading={kbs.isPending}
            error={kbs.isError}
            value={draft.knowledge_base_ids}
            onChange={(ids) => set("knowledge_base_ids", ids)}
            fieldError={shown("knowledge_base_ids")}
            readOnly={readOnly}
          />
          <fieldset className="grid min-w-0 content-start gap-2 rounded-md border p-3">
            <legend className="px-1 text-sm font-medium">{t("form.tools")}</legend>
            {TOOLS.map((tool) => (
              // relative: Radix puts a hidden native checkbox beside each one, positioned against this box
              <div key={tool} className="relative flex items-start gap-2">
                <Checkbox
                  id={`tool-${tool}`}
                  className="mt-0.5"
                  disabled={readOnly}
                  checked={draft.tools.includes(tool)}
                  aria-describedby={`tool-${tool}-hint`}
                  onCheckedChange={(on) => set("tools", on ? [...draft.tools, tool] : draft.tools.filter((x) => x !== tool))}
                />
                <div className="grid gap-0.5">
                  <Label htmlFor={`tool-${tool}`}>{t(`tools.${tool}`)}</Label>
                  <p id={`tool-${tool}-hint`} className="text-xs text-muted-foreground">
                    {t(`tools.${tool}Hint`)}
                  </p>
                </div>
              </div>
            ))}
            {shown("tools") ? (
              <p role="alert" className="text-xs text-destructive">
                {shown("tools")}
              </p>
            ) : null}
          </fieldset>
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>{t("form.sections.where")}</CardTitle>
          <CardDescription>{t("form.sections.whereHint")}</CardDescription>
        </CardHeader>
        <CardContent className="grid grid-cols-1 gap-4">
          <MultiPick
            legend={t("form.connections")}
            addLabel={t("form.addConnection")}
            searchLabel={t("form.searchConnections")}
            emptyText={t("form.noConnections")}
            missingLabel={t("form.deleted")}
            options={connections.options}
            loading={connections.isPending}
            error={connections.isError}
            value={draft.connection_ids}
            onChange={(ids) => {
              set("connection_ids", ids);
              setClaimed(null);
            }}
            fieldError={shown("connection_ids") ?? claimed ?? undefined}
            hint={t("form.connectionsHint")}
            readOnly={readOnly}
          />
          <ActiveHoursEditor
            always={draft.always}
            hours={draft.hours}
            readOnly={readOnly}
            errors={tried ? checked.hours : null}
            apiError={api.errors.active_hours ?? firstNested(api.errors, "active_hours.")}
            onChange={({ always, hours }) => setDraft((d) => ({ ...d, always, hours }))}
          />
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>{t("form.sections.replies")}</CardTitle>
          <CardDescription>{t("form.sections.repliesHint")}</CardDescription>
        </CardHeader>
        <CardContent className="grid grid-cols-1 gap-4 sm:grid-cols-2">
          <Field label={t("form.maxReplyChars")} error={shown("max_reply_chars")} hint={t("form.maxReplyCharsHint", { min: LIMITS.replyChars[0], max: LIMITS.replyChars[1] })}>
            <Input type="number" inputMode="numeric" min={LIMITS.replyChars[0]} max={LIMITS.replyChars[1]} step={10} readOnly={readOnly} value={draft.max_reply_chars} onChange={(e) => set("max_reply_chars", e.target.value)} />
          </Field>
          <Field label={t("form.debounce")} error={shown("debounce_seconds")} hint={t("form.debounceHint", { max: LIMITS.debounce[1] })}>
            <Input type="number" inputMode="numeric" min={LIMITS.debounce[0]} max={LIMITS.debounce[1]} readOnly={readOnly} value={draft.debounce_seconds} onChange={(e) => set("debounce_seconds", e.target.value)} />
          </Field>
          <div className="sm:col-span-2">
            <TopicsInput
              label={t("form.blockedTopics")}
              hint={t("form.blockedTopicsHint")}
              value={draft.blocked_topics}
              onChange={(v) => set("blocked_topics", v)}
              error={shown("blocked_topics") ?? firstNested(api.errors, "blocked_topics.")}
              readOnly={readOnly}
            />
          </div>
          <Field
            label={t("form.outsideWindowTemplate")}
            error={shown("outside_window_template_id")}
            hint={whatsapp.length ? t("form.outsideWindowTemplateHint") : t("form.outsideWindowNoNumber")}
            className="sm:col-span-2"
          >
            <NativeSelect
              disabled={readOnly || (!whatsapp.length && !draft.outside_window_template_id)}
              value={draft.outside_window_template_id ?? ""}
              onChange={(e) => set("outside_window_template_id", e.target.value || null)}
            >
              <option value="">{t("form.noTemplate")}</option>
              {draft.outside_window_template_id && !templates.options.some((o) => o.id === draft.outside_window_template_id) ? (
                <option value={draft.outside_window_template_id}>{templates.isPending ? t("common:loading") : t("form.templateMissing")}</option>
              ) : null}
              {templates.options.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.hint ? `${o.label} · ${o.hint}` : o.label}
                </option>
              ))}
            </NativeSelect>
          </Field>
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>{t("form.sections.model")}</CardTitle>
          <CardDescription>{t("form.sections.modelHint")}</CardDescription>
        </CardHeader>
        <CardContent className="grid grid-cols-1 gap-4 sm:grid-cols-2">
          <Field label={t("form.chatModel")} error={shown("chat_model")} hint={t("form.chatModelHint")}>
            <Input maxLength={120} readOnly={readOnly} placeholder={t("form.companyDefault")} value={draft.chat_model} onChange={(e) => set("chat_model", e.target.value)} />
          </Field>
          <Field label={t("form.temperature")} error={shown("temperature")} hint={t("form.temperatureHint")}>
            <Input inputMode="decimal" readOnly={readOnly} placeholder={t("form.modelDefault")} value={draft.temperature} onChange={(e) => set("temperature", e.target.value)} />
          </Field>
        </CardContent>
      </Card>

      {readOnly ? null : (
        <div className="sticky bottom-0 z-10 -mx-4 flex flex-wrap items-center justify-end gap-2 border-t bg-background/95 px-4 py-3 backdrop-blur md:-mx-6 md:px-6">
          {(tried && !draftIsValid(checked)) || Object.keys(api.errors).length > 0 || claimed ? (
            <p role="alert" className="mr-auto text-sm text-destructive">
              {t("form.fixErrors")}
            </p>
          ) : saved && !changed ? (
            <p className="mr-auto text-sm text-muted-foreground">{t("form.noChanges")}</p>
          ) : null}
          {onCancel ? (
            <Button variant="outline" onClick={onCancel}>
              {t("common:cancel")}
            </Button>
          ) : null}
          <Button type="submit" disabled={pending || !changed}>
            <Save aria-hidden="true" />
            {pending ? t("common:saving") : submitLabel}
          </Button>
        </div>
      )}
    </form>
  );
}

/** The first field error under a path (`active_hours.days.mon.0`), for a control that shows them together. */
function firstNested(errors: Record<string, string>, prefix: string): string | undefined {
  const key = Object.keys(errors).find((k) => k.startsWith(prefix));
  return key ? errors[key] : undefined;
}
