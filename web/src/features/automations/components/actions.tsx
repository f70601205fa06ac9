/** The actions, run in this order: each one's fields, moved up or down, removed, and "Add an action". */
import { Plus } from "lucide-react";
import { useTranslation } from "react-i18next";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { DropdownMenu, DropdownMenuContent, DropdownMenuGroup, DropdownMenuItem, DropdownMenuLabel, DropdownMenuSeparator, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";
import { Field } from "@/components/ui/field";
import { Input, NativeSelect, Textarea } from "@/components/ui/input";
import { useTemplate } from "@/components/pickers/lookups";
import { MAX_ACTIONS, move, newAction, NOTIFY_TO, removeAt, replaceAt, type ActionDraft, type ActionType, type NotifyTo } from "../lib/draft";
import { at, scoped, type Errors } from "../lib/errors";
import { ItemControls } from "./item-controls";
import { ConnectionSelect, NamedPicker, PipelineSelect, StageSelect, TemplatePicker, UserSelect } from "@/components/pickers/pickers";
import { CadencePicker, UsersPicker } from "./pickers";

const GROUPS: { label: string; types: ActionType[] }[] = [
  { label: "conversation", types: ["assign", "assign_round_robin", "hand_to_ai", "take_from_ai"] },
  { label: "contact", types: ["add_tag", "remove_tag", "enroll_in_cadence", "remove_from_cadence"] },
  { label: "lead", types: ["create_lead", "move_lead"] },
  { label: "messages", types: ["send_text", "send_template", "notify", "emit_event"] },
];

function OnlyUnassigned({ value, onChange }: { value: boolean; onChange: (v: boolean) => void }) {
  const { t } = useTranslation("automations");
  return (
    <label className="flex items-center gap-2 text-sm">
      <Checkbox checked={value} onCheckedChange={(on) => onChange(on === true)} />
      {t("actions.onlyUnassigned")}
    </label>
  );
}

/** A send_template's number: the chosen template's own, else the one picked to browse. */
function TemplateFields({ value, set, errors }: { value: ActionDraft; set: (patch: Partial<ActionDraft>) => void; errors: Errors }) {
  const { t } = useTranslation("automations");
  const template = useTemplate(value.templateId || null);
  const connectionId = value.connectionId || template.data?.connection_id || "";
  return (
    <div className="grid gap-3 sm:grid-cols-2">
      <Field label={t("actions.number")} hint={t("actions.numberHint")}>
        <ConnectionSelect whatsappOnly value={connectionId} onChange={(id) => set({ connectionId: id, templateId: "" })} />
      </Field>
      <Field label={t("actions.template")} error={at(errors, "template_id")}>
        <TemplatePicker connectionId={connectionId} value={value.templateId} onChange={(templateId) => set({ templateId })} />
      </Field>
    </div>
  );
}

function ActionFields({ value, onChange, errors }: { value: ActionDraft; onChange: (a: ActionDraft) => void; errors: Errors }) {
  const { t } = useTranslation("automations");
  const set = (patch: Partial<ActionDraft>) => onChange({ ...value, ...patch });
  switch (value.type) {
    case "assign":
      return (
        <div className="grid gap-3">
          <Field label={t("actions.user")} error={at(errors, "user_id")}>
            <UserSelect value={value.userId} onChange={(userId) => set({ userId })} />
          </Field>
          <OnlyUnassigned value={value.onlyUnassigned} onChange={(onlyUnassigned) => set({ onlyUnassigned })} />
        </div>
      );
    case "assign_round_robin":
      return (
        <div className="grid gap-3">
          <Field label={t("actions.team")} hint={t("actions.teamHint")} error={at(errors, "user_ids")}>
            <UsersPicker value={value.userIds} onChange={(userIds) => set({ userIds })} />
          </Field>
          <OnlyUnassigned value={value.onlyUnassigned} onChange={(onlyUnassigned) => set({ onlyUnassigned })} />
        </div>
      );
    case "add_tag":
    case "remove_tag":
      return (
        <Field label={t("actions.tag")} error={at(errors, "tag_id")}>
          <NamedPicker kind="tags" value={value.tagId} onChange={(tagId) => set({ tagId })} />
        </Field>
      );
    case "move_lead":
      return (
        <Field label={t("actions.stage")} hint={t("actions.moveHint")} error={at(errors, "stage_id")}>
          <StageSelect value={value.stageId} onChange={(stageId) => set({ stageId })} />
        </Field>
      );
    case "create_lead":
      return (
        <div className="grid gap-3 sm:grid-cols-2">
          <Field label={t("actions.pipeline")} error={at(errors, "pipeline_id")}>
            <PipelineSelect value={value.pipelineId} onChange={(pipelineId) => set({ pipelineId, stageId: "" })} />
          </Field>
          <Field label={t("actions.firstStage")} error={at(errors, "stage_id")}>
            <StageSelect value={value.stageId} pipelineId={value.pipelineId || undefined} disabled={!value.pipelineId} onChange={(stageId) => set({ stageId })} clearLabel={t("actions.pipelineFirstStage")} />
          </Field>
          <Field label={t("actions.owner")} error={at(errors, "owner_id")}>
            <UserSelect value={value.ownerId} onChange={(ownerId) => set({ ownerId })} clearLabel={t("actions.noOwner")} />
          </Field>
          <Field label={t("actions.leadTitle")} hint={t("actions.leadTitleHint")} error={at(errors, "title")}>
            <Input value={value.title} maxLength={200} onChange={(e) => set({ title: e.target.value })} />
          </Field>
        </div>
      );
    case "enroll_in_cadence":
    case "remove_from_cadence":
      return (
        <Field label={t("actions.cadence")} error={at(errors, "cadence_id")}>
          <CadencePicker value={value.cadenceId} onChange={(cadenceId) => set({ cadenceId })} />
        </Field>
      );
    case "send_text":
      return (
        <Field label={t("actions.text")} hint={t("actions.textHint", { example: "{{contact.first_name}}" })} error={at(errors, "text") ?? at(errors, "defaults")}>
          <Textarea rows={3} maxLength={4096} value={value.text} onChange={(e) => set({ text: e.target.value })} />
        </Field>
      );
    case "send_template":
      return <TemplateFields value={value} set={set} errors={errors} />;
    case "hand_to_ai":
    case "take_from_ai":
      return <p className="text-sm text-muted-foreground">{t(`actionHints.${value.type}`)}</p>;
    case "notify":
      return (
        <div className="grid gap-3">
          <div className="grid gap-3 sm:grid-cols-2">
            <Field label={t("actions.notifyTo")} error={at(errors, "to")}>
              <NativeSelect value={value.to} onChange={(e) => set({ to: e.target.value as NotifyTo })}>
                {NOTIFY_TO.map((to) => (
                  <option key={to} value={to}>
                    {t(`notifyTo.${to}`)}
                  </option>
                ))}
              </NativeSelect>
            </Field>
            {value.to === "user" ? (
              <Field label={t("actions.user")} error={at(errors, "user_id")}>
                <UserSelect value={value.userId} onChange={(userId) => set({ userId })} />
              </Field>
            ) : null}
          </div>
          <Field label={t("actions.notification")} hint={t("actions.textHint", { example: "{{contact.first_name}}" })} error={at(errors, "text")}>
            <Textarea rows={2} maxLength={1000} value={value.text} onChange={(e) => set({ text: e.target.value })} />
          </Field>
        </div>
      );
    case "emit_event":
      return (
        <div className="grid gap-3 sm:grid-cols-2">
          <Field label={t("actions.eventName")} hint={t("actions.eventNameHint")} error={at(errors, "name")}>
            <Input value={value.eventName} maxLength={64} spellCheck={false} className="font-mono" placeholder="lead.qualified" onChange={(e) => set({ eventName: e.target.value })} />
          </Field>
          <Field label={t("actions.eventData")} hint={t("actions.eventDataHint")} error={at(errors, "data")}>
            <Textarea rows={3} spellCheck={false} className="font-mono" value={value.eventData} onChange={(e) => set({ eventData: e.target.value })} />
          </Field>
        </div>
      );
  }
}

export function ActionList({ items, onChange, errors, readOnly }: { items: ActionDraft[]; onChange: (items: ActionDraft[], structural?: boolean) => void; errors: Errors; readOnly: boolean }) {
  const { t } = useTranslation("automations");
  return (
    <div className="grid gap-3">
      {errors.actions ? (
        <p role="alert" className="text-sm text-destructive">
          {errors.actions}
        </p>
      ) : null}
      {items.length ? (
        <ol aria-label={t("actions.list")} className="grid gap-3">
          {items.map((a, i) => {
            const mine = scoped(errors, `actions.${i}`);
            const name = t("actions.itemName", { n: i + 1, type: t(`actionTypes.${a.type}`) });
            return (
              <li key={a.key} className="grid gap-3 rounded-md border p-3">
                <div className="flex items-start justify-between gap-2">
                  <h4 className="flex items-center gap-2 pt-2 text-sm font-semibold">
                    <span aria-hidden="true" className="flex size-5 items-center justify-center rounded-full bg-primary text-xs text-primary-foreground">
                      {i + 1}
                    </span>
                    <span className="sr-only">{name}</span>
                    <span aria-hidden="true">{t(`actionTypes.${a.type}`)}</span>
                  </h4>
                  {readOnly ? null : <ItemControls name={name} index={i} count={items.length} onMove={(delta) => onChange(move(items, i, delta), true)} onRemove={() => onChange(removeAt(items, i), true)} />}
                </div>
                <fieldset disabled={readOnly} className="grid gap-3">
                  <ActionFields value={a} onChange={(next) => onChange(replaceAt(items, i, next))} errors={mine} />
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
      ) : null}
      {readOnly ? null : (
        <div>
          <DropdownMenu>
            <DropdownMenuTrigger asChild>
              <Button variant="outline" size="sm" disabled={items.length >= MAX_ACTIONS}>
                <Plus aria-hidden="true" />
                {t("actions.add")}
              </Button>
            </DropdownMenuTrigger>
            <DropdownMenuContent align="start">
              {GROUPS.map((group, g) => (
                <DropdownMenuGroup key={group.label}>
                  {g ? <DropdownMenuSeparator /> : null}
                  <DropdownMenuLabel>{t(`actionGroups.${group.label}`)}</DropdownMenuLabel>
                  {group.types.map((type) => (
                    <DropdownMenuItem key={type} onSelect={() => onChange([...items, newAction(type)], true)}>
                      {t(`actionTypes.${type}`)}
                    </DropdownMenuItem>
                  ))}
                </DropdownMenuGroup>
              ))}
            </DropdownMenuContent>
          </DropdownMenu>
        </div>
      )}
    </div>
  );
}
