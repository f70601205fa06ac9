import { useTranslation } from "react-i18next";
import { Checkbox } from "@/components/ui/checkbox";
import { Field, Label } from "@/components/ui/field";
import { NativeSelect } from "@/components/ui/input";
import { usePipelines, type Pipeline } from "../api/campaigns";
import type { StepProps } from "./wizard-steps";

/** The stages a new lead may start in: active, neither won nor lost. */
export function openStages(pipeline: Pipeline | undefined) {
  return (pipeline?.stages ?? []).filter((s) => !s.archived_at && s.semantic_type !== "won" && s.semantic_type !== "lost");
}

/** "Open a lead when a contact replies": a checkbox, the pipeline and (optionally) its stage. */
export function ReplyLeadOption({ form, set, errors }: StepProps) {
  const { t } = useTranslation("campaigns");
  const pipelines = usePipelines();
  const list = pipelines.data ?? [];
  const chosen = list.find((p) => p.id === form.replyPipelineId);
  const error = errors.reply_lead ?? errors["reply_lead.pipeline_id"] ?? errors["reply_lead.owner_id"];
  return (
    <fieldset className="grid gap-3 rounded-md border p-3">
      <legend className="px-1 text-sm font-medium">{t("replyLead.title")}</legend>
      <div className="flex items-center gap-2">
        <Checkbox
          id="reply-lead-on"
          checked={form.replyLead}
          disabled={!list.length && !form.replyLead}
          onCheckedChange={(v) => set(v === true ? { replyLead: true, replyPipelineId: form.replyPipelineId || list[0]?.id || "", replyStageId: form.replyPipelineId ? form.replyStageId : "" } : { replyLead: false })}
        />
        <Label htmlFor="reply-lead-on">{t("replyLead.on")}</Label>
      </div>
      <p className="text-xs text-muted-foreground">{pipelines.isSuccess && !list.length ? t("replyLead.noPipeline") : t("replyLead.hint")}</p>
      {form.replyLead ? (
        <div className="grid items-start gap-3 sm:grid-cols-2">
          <Field label={t("replyLead.pipeline")} error={error}>
            <NativeSelect value={form.replyPipelineId} onChange={(e) => set({ replyPipelineId: e.target.value, replyStageId: "" })}>
              {!chosen ? <option value={form.replyPipelineId}>{t("replyLead.choose")}</option> : null}
              {list.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </NativeSelect>
          </Field>
          <Field label={t("replyLead.stage")} error={errors["reply_lead.stage_id"]}>
            <NativeSelect value={form.replyStageId} onChange={(e) => set({ replyStageId: e.target.value })}>
              <option value="">{t("replyLead.firstStage")}</option>
              {openStages(chosen).map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </NativeSelect>
          </Field>
        </div>
      ) : null}
    </fieldset>
  );
}
