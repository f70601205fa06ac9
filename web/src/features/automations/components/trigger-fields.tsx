/** The trigger: its type, and that type's own fields (keywords or a regex, a tag, a pipeline and stages, a
 * campaign, a channel, the hours without a reply). */
import { useTranslation } from "react-i18next";
import { Field } from "@/components/ui/field";
import { Input, NativeSelect, Textarea } from "@/components/ui/input";
import { CHANNELS, emptyTrigger, parseKeywords, TRIGGER_TYPES, type MatchMode, type TriggerDraft, type TriggerType } from "../lib/draft";
import { at, type Errors } from "../lib/errors";
import { NamedPicker, PipelineSelect, StageSelect } from "@/components/pickers/pickers";
import { CampaignPicker } from "./pickers";

export function TriggerFields({ value, onChange, errors, readOnly }: { value: TriggerDraft; onChange: (t: TriggerDraft) => void; errors: Errors; readOnly: boolean }) {
  const { t } = useTranslation("automations");
  const set = (patch: Partial<TriggerDraft>) => onChange({ ...value, ...patch });
  const type = value.type;
  const keywords = parseKeywords(value.keywords);
  return (
    <fieldset disabled={readOnly} className="grid gap-3">
      <Field label={t("trigger.type")} error={at(errors, "type")}>
        <NativeSelect value={type} onChange={(e) => onChange(emptyTrigger(e.target.value as TriggerType))}>
          {TRIGGER_TYPES.map((kind) => (
            <option key={kind} value={kind}>
              {t(`triggers.${kind}`)}
            </option>
          ))}
        </NativeSelect>
      </Field>
      <p className="text-sm text-muted-foreground">{t(`triggerHints.${type}`)}</p>
      {type === "message_received" ? (
        <>
          <Field label={t("trigger.match")}>
            <NativeSelect value={value.match} onChange={(e) => set({ match: e.target.value as MatchMode })}>
              <option value="keywords">{t("trigger.matchKeywords")}</option>
              <option value="regex">{t("trigger.matchRegex")}</option>
              <option value="any">{t("trigger.matchAny")}</option>
            </NativeSelect>
          </Field>
          {value.match === "keywords" ? (
            <Field label={t("trigger.keywords")} hint={keywords.length ? t("trigger.keywordsCount", { count: keywords.length }) : t("trigger.keywordsHint")} error={at(errors, "keywords")}>
              <Textarea rows={2} value={value.keywords} onChange={(e) => set({ keywords: e.target.value })} placeholder={t("trigger.keywordsPlaceholder")} />
            </Field>
          ) : null}
          {value.match === "regex" ? (
            <Field label={t("trigger.regex")} hint={t("trigger.regexHint")} error={at(errors, "regex")}>
              <Input value={value.regex} maxLength={200} spellCheck={false} className="font-mono" onChange={(e) => set({ regex: e.target.value })} />
            </Field>
          ) : null}
        </>
      ) : null}
      {type === "tag_added" || type === "tag_removed" ? (
        <Field label={t("trigger.tag")} error={at(errors, "tag_id")}>
          <NamedPicker kind="tags" value={value.tagId} onChange={(tagId) => set({ tagId })} clearLabel={t("trigger.anyTag")} />
        </Field>
      ) : null}
      {type === "lead_created" || type === "appointment_scheduled" || type === "lead_stage_changed" ? (
        <Field label={t("trigger.pipeline")} error={at(errors, "pipeline_id")}>
          <PipelineSelect value={value.pipelineId} onChange={(pipelineId) => set({ pipelineId, fromStageId: "", toStageId: "" })} clearLabel={t("trigger.anyPipeline")} />
        </Field>
      ) : null}
      {type === "lead_stage_changed" ? (
        <div className="grid gap-3 sm:grid-cols-2">
          <Field label={t("trigger.fromStage")} error={at(errors, "from_stage_id")}>
            <StageSelect value={value.fromStageId} pipelineId={value.pipelineId || undefined} onChange={(fromStageId) => set({ fromStageId })} clearLabel={t("trigger.anyStage")} />
          </Field>
          <Field label={t("trigger.toStage")} error={at(errors, "to_stage_id")}>
            <StageSelect value={value.toStageId} pipelineId={value.pipelineId || undefined} onChange={(toStageId) => set({ toStageId })} clearLabel={t("trigger.anyStage")} />
          </Field>
        </div>
      ) : null}
      {type === "campaign_replied" ? (
        <Field label={t("trigger.campaign")} error={at(errors, "campaign_id")}>
          <CampaignPicker value={value.campaignId} onChange={(campaignId) => set({ campaignId })} clearLabel={t("trigger.anyCampaign")} />
        </Field>
      ) : null}
      {type === "contact_opted_out" ? (
        <Field label={t("trigger.channel")} error={at(errors, "channel")}>
          <NativeSelect value={value.channel} onChange={(e) => set({ channel: e.target.value as TriggerDraft["channel"] })}>
            <option value="">{t("trigger.anyChannel")}</option>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {t(`channels.${c}`)}
              </option>
            ))}
          </NativeSelect>
        </Field>
      ) : null}
      {type === "no_reply" ? (
        <Field label={t("trigger.hours")} hint={t("trigger.hoursHint")} error={at(errors, "hours")}>
          <Input type="number" min={1} max={720} step={1} inputMode="numeric" className="sm:w-40" value={value.hours} onChange={(e) => set({ hours: e.target.value })} />
        </Field>
      ) : null}
    </fieldset>
  );
}
