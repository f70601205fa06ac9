/**
 * The rule editor: name, trigger, conditions and ordered actions, saved as a new rule or as changes to one. What is
 * missing is marked before anything is sent; the API's field errors (an unknown tag, an inactive user, an unsafe
 * regex…) are marked next to their field in the user's language.
 */
import { Save } from "lucide-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/checkbox";
import { Field } from "@/components/ui/field";
import { Input, NativeSelect, Textarea } from "@/components/ui/input";
import { ApiError } from "@/lib/api/problem";
import { useCreateRule, useUpdateRule, type Rule } from "../api/automations";
import { draftFrom, emptyRule, problems, ruleBody, updateBody, type RuleDraft } from "../lib/draft";
import { at, scoped, unplaced, withoutEdited, type Errors } from "../lib/errors";
import { ActionList } from "./actions";
import { ConditionList } from "./conditions";
import { TriggerFields } from "./trigger-fields";

export function RuleEditor({ rule, readOnly = false }: { rule?: Rule; readOnly?: boolean }) {
  const { t } = useTranslation("automations");
  const navigate = useNavigate();
  const [draft, setDraft] = useState<RuleDraft>(() => (rule ? draftFrom(rule) : emptyRule()));
  const [errors, setErrors] = useState<Errors>({});
  const [dirty, setDirty] = useState(false);
  // the rule the draft was read from: saved elsewhere (another tab, another admin) and untouched here: read it again
  const [base, setBase] = useState(rule);
  if (rule && base && rule.updated_at !== base.updated_at && !dirty) {
    setBase(rule);
    setDraft(draftFrom(rule));
  }
  const create = useCreateRule();
  const update = useUpdateRule();

  const change = (patch: Partial<RuleDraft>, structural = false) => {
    setErrors((e) => withoutEdited(e, draft, patch, structural));
    setDraft((d) => ({ ...d, ...patch }));
    setDirty(true);
  };

  const fail = (error: unknown) => {
    if (error instanceof ApiError) {
      const fields = error.fieldErrors();
      setErrors(fields);
      toast.error(Object.keys(fields).length ? t("editor.fixMarked") : error.message);
      return;
    }
    toast.error(error instanceof Error ? error.message : String(error));
  };

  const save = () => {
    const local: Errors = {};
    for (const [field, code] of Object.entries(problems(draft))) local[field] = t(`problems.${code}`);
    setErrors(local);
    if (Object.keys(local).length) {
      toast.error(t("editor.fixMarked"));
      return;
    }
    if (!base) {
      create.mutate(ruleBody(draft), {
        onSuccess: (created) => {
          toast.success(t("editor.created"));
          navigate(`/automations/${created.id}`, { replace: true });
        },
        onError: fail,
      });
      return;
    }
    update.mutate(
      { id: base.id, body: updateBody(draft) },
      {
        onSuccess: (saved) => {
          toast.success(t("editor.saved"));
          setBase(saved);
          setDraft(draftFrom(saved));
          setDirty(false);
        },
        onError: fail,
      },
    );
  };

  const busy = create.isPending || update.isPending;
  const others = unplaced(errors, draft.conditions.length, draft.actions.length);
  return (
    <form
      noValidate
      className="grid gap-4"
      aria-label={t("editor.label")}
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      <Card>
        <CardHeader>
          <CardTitle>{t("editor.general")}</CardTitle>
        </CardHeader>
        <CardContent>
          <fieldset disabled={readOnly} className="grid gap-3">
            <Field label={t("editor.name")} error={errors.name}>
              <Input value={draft.name} maxLength={200} onChange={(e) => change({ name: e.target.value })} placeholder={t("editor.namePlaceholder")} />
            </Field>
            <Field label={t("editor.description")} error={errors.description}>
              <Textarea rows={2} maxLength={2000} value={draft.description} onChange={(e) => change({ description: e.target.value })} />
            </Field>
            {!base ? (
              <label className="flex items-center gap-2 text-sm">
                <Checkbox checked={draft.enabled} onCheckedChange={(on) => change({ enabled: on === true })} />
                {t("editor.enabledOnSave")}
              </label>
            ) : null}
          </fieldset>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>{t("editor.trigger")}</CardTitle>
          <CardDescription>{t("editor.triggerHint")}</CardDescription>
        </CardHeader>
        <CardContent>
          <TriggerFields value={draft.trigger} onChange={(trigger) => change({ trigger })} errors={{ ...scoped(errors, "trigger"), ...(errors.trigger ? { type: errors.trigger } : {}) }} readOnly={readOnly} />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>{t("editor.conditions")}</CardTitle>
          <CardDescription>{t("editor.conditionsHint")}</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-3">
          {errors.conditions ? (
            <p role="alert" className="text-sm text-destructive">
              {errors.conditions}
            </p>
          ) : null}
          <ConditionList items={draft.conditions} onChange={(conditions, structural) => change({ conditions }, structural)} errors={errors} readOnly={readOnly} />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>{t("editor.actions")}</CardTitle>
          <CardDescription>{t("editor.actionsHint")}</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-4">
          <ActionList items={draft.actions} onChange={(actions, structural) => change({ actions }, structural)} errors={errors} readOnly={readOnly} />
          <Field label={t("editor.onFailure")} error={at(errors, "on_failure")} className="sm:max-w-md">
            <NativeSelect disabled={readOnly} value={draft.onFailure} onChange={(e) => change({ onFailure: e.target.value as RuleDraft["onFailure"] })}>
              <option value="stop">{t("editor.onFailureStop")}</option>
              <option value="continue">{t("editor.onFailureContinue")}</option>
            </NativeSelect>
          </Field>
        </CardContent>
      </Card>
      {others.length ? (
        <div role="alert" className="rounded-md border border-destructive/40 bg-red-50 p-3 text-sm text-destructive">
          <ul className="grid gap-1">
            {others.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {readOnly ? null : (
        <div className="sticky bottom-0 z-10 -mx-4 flex flex-wrap items-center justify-between gap-3 border-t bg-background/95 px-4 py-3 backdrop-blur md:-mx-6 md:px-6">
          <p className="text-sm text-muted-foreground" aria-live="polite">
            {!base ? t("editor.newNote") : dirty ? t("editor.unsaved") : t("editor.noChanges")}
          </p>
          <Button type="submit" disabled={busy || Boolean(base && !dirty)}>
            <Save aria-hidden="true" />
            {!base ? t("editor.create") : t("editor.save")}
          </Button>
        </div>
      )}
    </form>
  );
}
