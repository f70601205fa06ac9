/** One step of the builder: its kind's fields, its errors, and its controls (move up, move down, remove). */
import { ArrowDown, ArrowUp, Trash2 } from "lucide-react";
import { useRef } from "react";
import { useTranslation } from "react-i18next";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input, NativeSelect, Textarea } from "@/components/ui/input";
import { cn } from "@/lib/utils";
import { CONDITIONS, END, NEXT, UNITS, isSend, targetsFor, type DraftStep, type StepOf } from "../lib/steps";
import { insertVariable } from "../lib/variables";
import { NamedPicker, StageSelect, UserSelect } from "@/components/pickers/pickers";
import { VariableSelect } from "./pickers";
import { TemplateFields } from "./template-fields";

interface EditorProps<S extends DraftStep> {
  step: S;
  onChange: (step: S) => void;
  errors: Record<string, string>;
}

/** A text with `{{variables}}`, and a select that puts one at the caret. */
function VariableText({ label, value, onChange, error, max, hint }: { label: string; value: string; onChange: (v: string) => void; error?: string; max: number; hint?: string }) {
  const { t } = useTranslation("cadences");
  const ref = useRef<HTMLTextAreaElement>(null);
  return (
    <div className="grid gap-2">
      <Field label={label} error={error} hint={hint}>
        <Textarea ref={ref} value={value} maxLength={max} rows={3} onChange={(e) => onChange(e.target.value)} />
      </Field>
      <VariableSelect
        className="sm:w-64"
        aria-label={t("builder.insertVariable")}
        placeholder={t("builder.insertVariable")}
        value=""
        onChange={(variable) => {
          if (!variable) return;
          const caret = ref.current?.selectionStart ?? undefined;
          const next = insertVariable(value, variable, caret);
          onChange(next.text);
          requestAnimationFrame(() => {
            ref.current?.focus();
            ref.current?.setSelectionRange(next.caret, next.caret);
          });
        }}
      />
    </div>
  );
}

function TextEditor({ step, onChange, errors, connectionId }: EditorProps<StepOf<"send_text">> & { connectionId: string }) {
  const { t } = useTranslation("cadences");
  return (
    <div className="grid gap-3">
      <VariableText label={t("builder.message")} value={step.text} max={4096} error={errors.text} onChange={(text) => onChange({ ...step, text })} />
      <Field label={t("builder.outsideWindow")} hint={t("builder.outsideWindowHint")} error={errors.outside_window}>
        <NativeSelect value={step.outsideWindow} onChange={(e) => onChange({ ...step, outsideWindow: e.target.value as "skip" | "template" })}>
          <option value="skip">{t("builder.outside.skip")}</option>
          <option value="template">{t("builder.outside.template")}</option>
        </NativeSelect>
      </Field>
      {step.outsideWindow === "template" ? (
        <div className="rounded-md border border-dashed p-3">
          <TemplateFields label={t("builder.fallbackTemplate")} draft={step.fallback} connectionId={connectionId} errors={errors} prefix="fallback." onChange={(fallback) => onChange({ ...step, fallback })} />
        </div>
      ) : null}
    </div>
  );
}

function WaitEditor({ step, onChange, errors }: EditorProps<StepOf<"wait">>) {
  const { t } = useTranslation("cadences");
  return (
    <div className="grid gap-3 sm:grid-cols-3">
      <Field label={t("builder.waitMode")}>
        <NativeSelect value={step.mode} onChange={(e) => onChange({ ...step, mode: e.target.value as "duration" | "until" })}>
          <option value="duration">{t("builder.waitFor")}</option>
          <option value="until">{t("builder.waitUntil")}</option>
        </NativeSelect>
      </Field>
      {step.mode === "duration" ? (
        <>
          <Field label={t("builder.amount")} error={errors.duration_seconds}>
            <Input type="number" inputMode="numeric" min={1} step={1} value={step.amount} onChange={(e) => onChange({ ...step, amount: e.target.value })} />
          </Field>
          <Field label={t("builder.unit")}>
            <NativeSelect value={step.unit} onChange={(e) => onChange({ ...step, unit: e.target.value as StepOf<"wait">["unit"] })}>
              {UNITS.map((u) => (
                <option key={u} value={u}>
                  {t(`units.${u}`)}
                </option>
              ))}
            </NativeSelect>
          </Field>
        </>
      ) : (
        <Field label={t("builder.timeOfDay")} error={errors.until_time} hint={t("builder.timeOfDayHint")}>
          <Input type="time" value={step.untilTime} onChange={(e) => onChange({ ...step, untilTime: e.target.value })} />
        </Field>
      )}
    </div>
  );
}

function BranchEditor({ step, onChange, errors, steps, index }: EditorProps<StepOf<"branch">> & { steps: readonly DraftStep[]; index: number }) {
  const { t } = useTranslation("cadences");
  const targets = targetsFor(steps, index);
  // a target no longer ahead (the steps moved) stays listed, so the select shows it and its error
  const extra = (value: string) => (targets.some((o) => o.value === value) ? [] : [{ value, position: steps.findIndex((s) => s.key === value) }]);
  const label = (o: { value: string; position: number | null }) =>
    o.value === NEXT
      ? t("builder.target.next")
      : o.value === END
        ? t("builder.target.end")
        : o.position === null || o.position < 0
          ? t("builder.target.gone")
          : t("builder.target.step", { n: o.position + 1, kind: t(`kinds.${steps[o.position]!.kind}`) });
  const select = (name: "then" | "otherwise", field: string, text: string) => (
    <Field label={text} error={errors[field]}>
      <NativeSelect value={step[name]} onChange={(e) => onChange({ ...step, [name]: e.target.value })}>
        {[...targets, ...extra(step[name])].map((o) => (
          <option key={o.value} value={o.value}>
            {label(o)}
          </option>
        ))}
      </NativeSelect>
    </Field>
  );
  return (
    <div className="grid gap-3 sm:grid-cols-2">
      <Field label={t("builder.condition")}>
        <NativeSelect value={step.condition} onChange={(e) => onChange({ ...step, condition: e.target.value as StepOf<"branch">["condition"] })}>
          {CONDITIONS.map((c) => (
            <option key={c} value={c}>
              {t(`conditions.${c}`)}
            </option>
          ))}
        </NativeSelect>
      </Field>
      {step.condition === "has_tag" ? (
        <Field label={t("builder.tag")} error={errors["condition.tag_id"]}>
          <NamedPicker kind="tags" value={step.tagId} onChange={(tagId) => onChange({ ...step, tagId })} />
        </Field>
      ) : step.condition === "lead_in_stage" ? (
        <Field label={t("builder.stage")} error={errors["condition.stage_id"]}>
          <StageSelect value={step.stageId} onChange={(stageId) => onChange({ ...step, stageId })} />
        </Field>
      ) : (
        <div />
      )}
      {select("then", "then_step", t("builder.thenGo"))}
      {select("otherwise", "else_step", t("builder.elseGo"))}
    </div>
  );
}

function Editor({ step, onChange, errors, steps, index, connectionId }: EditorProps<DraftStep> & { steps: readonly DraftStep[]; index: number; connectionId: string }) {
  const { t } = useTranslation("cadences");
  switch (step.kind) {
    case "send_template":
      return <TemplateFields label={t("builder.template")} draft={step.template} connectionId={connectionId} errors={errors} onChange={(template) => onChange({ ...step, template })} />;
    case "send_text":
      return <TextEditor step={step} onChange={onChange} errors={errors} connectionId={connectionId} />;
    case "send_sms":
      return <VariableText label={t("builder.message")} value={step.text} max={1600} error={errors.text} onChange={(text) => onChange({ ...step, text })} />;
    case "wait":
      return <WaitEditor step={step} onChange={onChange} errors={errors} />;
    case "branch":
      return <BranchEditor step={step} onChange={onChange} errors={errors} steps={steps} index={index} />;
    case "tag":
      return (
        <div className="grid gap-3 sm:grid-cols-2">
          <Field label={t("builder.tagAction")}>
            <NativeSelect value={step.action} onChange={(e) => onChange({ ...step, action: e.target.value as "add" | "remove" })}>
              <option value="add">{t("builder.tagAdd")}</option>
              <option value="remove">{t("builder.tagRemove")}</option>
            </NativeSelect>
          </Field>
          <Field label={t("builder.tag")} error={errors.tag_id}>
            <NamedPicker kind="tags" value={step.tagId} onChange={(tagId) => onChange({ ...step, tagId })} />
          </Field>
        </div>
      );
    case "move_lead":
      return (
        <Field label={t("builder.moveTo")} error={errors.stage_id} hint={t("builder.moveHint")} className="sm:max-w-sm">
          <StageSelect value={step.stageId} onChange={(stageId) => onChange({ ...step, stageId })} />
        </Field>
      );
    case "notify":
      return (
        <div className="grid gap-3">
          <div className="grid gap-3 sm:grid-cols-2">
            <Field label={t("builder.notifyWho")}>
              <NativeSelect value={step.to} onChange={(e) => onChange({ ...step, to: e.target.value as "user" | "lead_owner" })}>
                <option value="lead_owner">{t("builder.notifyOwner")}</option>
                <option value="user">{t("builder.notifyUser")}</option>
              </NativeSelect>
            </Field>
            {step.to === "user" ? (
              <Field label={t("builder.user")} error={errors.user_id}>
                <UserSelect value={step.userId} onChange={(userId) => onChange({ ...step, userId })} />
              </Field>
            ) : null}
          </div>
          <VariableText label={t("builder.notification")} value={step.text} max={1000} error={errors.text} onChange={(text) => onChange({ ...step, text })} />
        </div>
      );
    case "emit_event":
      return (
        <Field label={t("builder.eventName")} error={errors.name} hint={t("builder.eventHint")} className="sm:max-w-sm">
          <Input value={step.name} maxLength={64} placeholder="cadence.qualified" onChange={(e) => onChange({ ...step, name: e.target.value })} />
        </Field>
      );
  }
}

export interface StepCardProps {
  step: DraftStep;
  index: number;
  steps: readonly DraftStep[];
  connectionId: string;
  errors: Record<string, string>;
  readOnly: boolean;
  onChange: (step: DraftStep) => void;
  onMove: (delta: number) => void;
  onRemove: () => void;
}

export function StepCard({ step, index, steps, connectionId, errors, readOnly, onChange, onMove, onRemove }: StepCardProps) {
  const { t } = useTranslation("cadences");
  const n = index + 1;
  const headingId = `step-${step.key}-title`;
  const general = errors.step ?? errors.kind;
  return (
    <li aria-labelledby={headingId} className={cn("grid gap-3 rounded-lg border bg-card p-3 shadow-sm", isSend(step.kind) ? "border-l-4 border-l-primary" : "border-l-4 border-l-muted-foreground/40")}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 id={headingId} className="flex items-center gap-2 text-sm font-semibold">
          <span aria-hidden="true" className="grid size-6 place-items-center rounded-full bg-muted text-xs">
            {n}
          </span>
          <span className="sr-only">{t("builder.stepN", { n })}</span>
          {t(`kinds.${step.kind}`)}
        </h3>
        {readOnly ? null : (
          <div className="flex gap-1">
            <Button size="icon" variant="ghost" disabled={index === 0} aria-label={t("builder.moveUp", { n })} onClick={() => onMove(-1)}>
              <ArrowUp aria-hidden="true" />
            </Button>
            <Button size="icon" variant="ghost" disabled={index === steps.length - 1} aria-label={t("builder.moveDown", { n })} onClick={() => onMove(1)}>
              <ArrowDown aria-hidden="true" />
            </Button>
            <Button size="icon" variant="ghost" aria-label={t("builder.remove", { n })} onClick={onRemove}>
              <Trash2 aria-hidden="true" />
            </Button>
          </div>
        )}
      </div>
      {general ? (
        <p role="alert" className="text-xs text-destructive">
          {general}
        </p>
      ) : null}
      <fieldset disabled={readOnly} className="grid gap-3">
        <legend className="sr-only">{t("builder.stepFields", { n })}</legend>
        <Editor step={step} onChange={onChange} errors={errors} steps={steps} index={index} connectionId={connectionId} />
      </fieldset>
    </li>
  );
}
