/** The conditions (all must hold): each one's fields, removable, and "Add a condition". */
import { Plus } from "lucide-react";
import { useTranslation } from "react-i18next";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";
import { Field } from "@/components/ui/field";
import { Input, NativeSelect } from "@/components/ui/input";
import { CHANNELS, CONDITION_TYPES, DAYS, MAX_CONDITIONS, newCondition, OPS, removeAt, replaceAt, type ConditionDraft, type Op } from "../lib/draft";
import { at, scoped, type Errors } from "../lib/errors";
import { ItemControls } from "./item-controls";
import { CustomFieldSelect, NamedPicker } from "@/components/pickers/pickers";
import { ConnectionChecks } from "./pickers";

function Polarity({ value, onChange, yes, no, label }: { value: boolean; onChange: (v: boolean) => void; yes: string; no: string; label: string }) {
  return (
    <Field label={label}>
      <NativeSelect value={value ? "yes" : "no"} onChange={(e) => onChange(e.target.value === "yes")}>
        <option value="yes">{yes}</option>
        <option value="no">{no}</option>
      </NativeSelect>
    </Field>
  );
}

function ConditionFields({ value, onChange, errors }: { value: ConditionDraft; onChange: (c: ConditionDraft) => void; errors: Errors }) {
  const { t } = useTranslation("automations");
  const set = (patch: Partial<ConditionDraft>) => onChange({ ...value, ...patch });
  const hours = (patch: Partial<ConditionDraft>) => onChange({ ...value, ...patch, rawHours: null });
  switch (value.type) {
    case "channel":
      return (
        <fieldset className="grid gap-1.5">
          <legend className="pb-1 text-sm font-medium">{t("conditions.channels")}</legend>
          <div className="flex flex-wrap gap-4">
            {CHANNELS.map((c) => (
              <label key={c} className="flex items-center gap-2 text-sm">
                <Checkbox checked={value.channels.includes(c)} onCheckedChange={(on) => set({ channels: on === true ? [...value.channels, c] : value.channels.filter((x) => x !== c) })} />
                {t(`channels.${c}`)}
              </label>
            ))}
          </div>
          {at(errors, "channels") ? (
            <p role="alert" className="text-xs text-destructive">
              {at(errors, "channels")}
            </p>
          ) : null}
        </fieldset>
      );
    case "connection":
      return <ConnectionChecks legend={t("conditions.connections")} value={value.connectionIds} onChange={(connectionIds) => set({ connectionIds })} error={at(errors, "connection_ids")} />;
    case "tag":
      return (
        <div className="grid gap-3 sm:grid-cols-2">
          <Polarity label={t("conditions.tagPolarity")} value={value.positive} onChange={(positive) => set({ positive })} yes={t("conditions.hasTag")} no={t("conditions.lacksTag")} />
          <Field label={t("conditions.tag")} error={at(errors, "tag_id")}>
            <NamedPicker kind="tags" value={value.tagId} onChange={(tagId) => set({ tagId })} />
          </Field>
        </div>
      );
    case "segment":
      return (
        <div className="grid gap-3 sm:grid-cols-2">
          <Polarity label={t("conditions.segmentPolarity")} value={value.positive} onChange={(positive) => set({ positive })} yes={t("conditions.inSegment")} no={t("conditions.notInSegment")} />
          <Field label={t("conditions.segment")} error={at(errors, "segment_id")}>
            <NamedPicker kind="segments" value={value.segmentId} onChange={(segmentId) => set({ segmentId })} />
          </Field>
        </div>
      );
    case "business_hours":
      return (
        <div className="grid gap-3">
          <div className="grid gap-3 sm:grid-cols-2">
            <Polarity label={t("conditions.hoursPolarity")} value={value.positive} onChange={(positive) => set({ positive })} yes={t("conditions.insideHours")} no={t("conditions.outsideHours")} />
            <Field label={t("conditions.timezone")} error={at(errors, "hours.timezone")}>
              <Input value={value.timezone} onChange={(e) => hours({ timezone: e.target.value })} spellCheck={false} />
            </Field>
          </div>
          <fieldset className="grid gap-1.5">
            <legend className="pb-1 text-sm font-medium">{t("conditions.days")}</legend>
            <div className="flex flex-wrap gap-3">
              {DAYS.map((d) => (
                <label key={d} className="flex items-center gap-1.5 text-sm">
                  <Checkbox checked={value.days.includes(d)} onCheckedChange={(on) => hours({ days: on === true ? DAYS.filter((x) => x === d || value.days.includes(x)) : value.days.filter((x) => x !== d) })} />
                  {t(`days.${d}`)}
                </label>
              ))}
            </div>
            {at(errors, "hours.days") ? (
              <p role="alert" className="text-xs text-destructive">
                {at(errors, "hours.days")}
              </p>
            ) : null}
          </fieldset>
          <div className="grid gap-3 sm:grid-cols-2">
            <Field label={t("conditions.start")} error={at(errors, "hours.start") ?? (errors.hours && !at(errors, "hours.days") && !at(errors, "hours.timezone") ? errors.hours : undefined)}>
              <Input type="time" value={value.start} onChange={(e) => hours({ start: e.target.value })} />
            </Field>
            <Field label={t("conditions.end")}>
              <Input type="time" value={value.end} onChange={(e) => hours({ end: e.target.value })} />
            </Field>
          </div>
          {value.rawHours ? <p className="text-xs text-muted-foreground">{t("conditions.hoursKept")}</p> : null}
        </div>
      );
    case "custom_field":
      return (
        <div className="grid gap-3 sm:grid-cols-3">
          <Field label={t("conditions.field")} error={at(errors, "key")}>
            <CustomFieldSelect value={value.fieldKey} onChange={(fieldKey) => set({ fieldKey })} />
          </Field>
          <Field label={t("conditions.op")} error={at(errors, "op")}>
            <NativeSelect value={value.op} onChange={(e) => set({ op: e.target.value as Op })}>
              {OPS.map((op) => (
                <option key={op} value={op}>
                  {t(`ops.${op}`)}
                </option>
              ))}
            </NativeSelect>
          </Field>
          {value.op !== "exists" && value.op !== "missing" ? (
            <Field label={t("conditions.value")} error={at(errors, "value")}>
              <Input value={value.value} onChange={(e) => set({ value: e.target.value })} />
            </Field>
          ) : null}
        </div>
      );
  }
}

export function ConditionList({ items, onChange, errors, readOnly }: { items: ConditionDraft[]; onChange: (items: ConditionDraft[], structural?: boolean) => void; errors: Errors; readOnly: boolean }) {
  const { t } = useTranslation("automations");
  return (
    <div className="grid gap-3">
      {items.length ? (
        <ol aria-label={t("conditions.list")} className="grid gap-3">
          {items.map((c, i) => {
            const mine = scoped(errors, `conditions.${i}`);
            const name = t("conditions.itemName", { n: i + 1, type: t(`conditionTypes.${c.type}`) });
            return (
              <li key={c.key} className="grid gap-3 rounded-md border p-3">
                <div className="flex items-start justify-between gap-2">
                  <h4 className="pt-2 text-sm font-semibold">{name}</h4>
                  {readOnly ? null : <ItemControls name={name} index={i} count={items.length} onRemove={() => onChange(removeAt(items, i), true)} />}
                </div>
                <fieldset disabled={readOnly} className="grid gap-3">
                  <ConditionFields value={c} onChange={(next) => onChange(replaceAt(items, i, next))} errors={mine} />
                </fieldset>
                {mine[""] ? (
                  <p role="alert" className="text-xs text-destructive">
                    {mine[""]}
                  </p>
                ) : null}
              </li>
            );
          })}
        </ol>
      ) : (
        <p className="text-sm text-muted-foreground">{t("conditions.none")}</p>
      )}
      {readOnly ? null : (
        <div>
          <DropdownMenu>
            <DropdownMenuTrigger asChild>
              <Button variant="outline" size="sm" disabled={items.length >= MAX_CONDITIONS}>
                <Plus aria-hidden="true" />
                {t("conditions.add")}
              </Button>
            </DropdownMenuTrigger>
            <DropdownMenuContent align="start">
              {CONDITION_TYPES.map((type) => (
                <DropdownMenuItem key={type} onSelect={() => onChange([...items, newCondition(type)], true)}>
                  {t(`conditionTypes.${type}`)}
                </DropdownMenuItem>
              ))}
            </DropdownMenuContent>
          </DropdownMenu>
        </div>
      )}
    </div>
  );
}
