import { Archive, ArrowDown, ArrowLeft, ArrowUp, Plus, Sparkles, Trash2 } from "lucide-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Confirm } from "@/components/ui/confirm";
import { Checkbox } from "@/components/ui/controls";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Field, Label } from "@/components/ui/field";
import { Input, NativeSelect } from "@/components/ui/input";
import { SkeletonRows } from "@/components/ui/skeleton";
import { ErrorState, PageHeader } from "@/components/ui/states";
import { useIsAdmin } from "@/lib/auth/auth-provider";
import { useFieldErrors } from "@/lib/hooks/use-field-errors";
import {
  SEMANTIC_TYPES,
  useAddStage,
  useArchiveStage,
  useCreatePipeline,
  useDeletePipeline,
  useDeleteStage,
  usePipelines,
  useRenamePipeline,
  useReorderStages,
  useUpdatePipelineAi,
  useUpdateStage,
  type Pipeline,
} from "../api/pipelines";
import { aiFormErrors, aiFormOf, aiFormValues, type AiForm } from "../lib/ai-thresholds";
import { arrayMove, type Stage } from "../lib/board";

type Semantic = (typeof SEMANTIC_TYPES)[number];

function SemanticSelect({ value, onChange, ...rest }: { value: Semantic | null; onChange: (value: Semantic | null) => void; id?: string; "aria-invalid"?: boolean; "aria-describedby"?: string }) {
  const { t } = useTranslation("pipelines");
  return (
    <NativeSelect {...rest} value={value ?? ""} onChange={(e) => onChange((e.target.value || null) as Semantic | null)}>
      <option value="">{t("semantic.none")}</option>
      {SEMANTIC_TYPES.map((s) => (
        <option key={s} value={s}>
          {t(`semantic.${s}`)}
        </option>
      ))}
    </NativeSelect>
  );
}

function StageRow({ pipeline, stage, index }: { pipeline: Pipeline; stage: Stage; index: number }) {
  const { t } = useTranslation("pipelines");
  const update = useUpdateStage(pipeline.id);
  const reorder = useReorderStages(pipeline.id);
  const remove = useDeleteStage(pipeline.id);
  const archive = useArchiveStage(pipeline.id);
  const { errors, fail, clear } = useFieldErrors();
  const [form, setForm] = useState({ name: stage.name, color: stage.color, wip: stage.wip_limit === null ? "" : String(stage.wip_limit), semantic: stage.semantic_type });
  const [archiving, setArchiving] = useState(false);
  const others = pipeline.stages.filter((s) => s.id !== stage.id);
  const [moveTo, setMoveTo] = useState(others[0]?.id ?? "");
  const ids = pipeline.stages.map((s) => s.id);
  const shift = (by: number) => reorder.mutate(arrayMove(ids, index, index + by), { onError: (e) => toast.error(e.message) });
  const dirty = form.name !== stage.name || form.color !== stage.color || form.wip !== (stage.wip_limit === null ? "" : String(stage.wip_limit)) || form.semantic !== stage.semantic_type;
  return (
    <li className="grid gap-3 rounded-md border p-3" aria-label={stage.name}>
      <form
        className="grid gap-3 sm:grid-cols-[1fr_5rem_6rem_12rem_auto] sm:items-end"
        onSubmit={(e) => {
          e.preventDefault();
          update.mutate(
            { stageId: stage.id, body: { name: form.name.trim(), color: form.color, wip_limit: form.wip ? Number(form.wip) : null, semantic_type: form.semantic } },
            { onSuccess: () => (clear(), toast.success(t("settings.stageSaved"))), onError: fail },
          );
        }}
      >
        <Field label={t("settings.stageName")} error={errors.name}>
          <Input value={form.name} required maxLength={80} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </Field>
        <Field label={t("settings.color")} error={errors.color}>
          <Input type="color" className="h-9 p-1" value={form.color} onChange={(e) => setForm({ ...form, color: e.target.value })} />
        </Field>
        <Field label={t("settings.wipLimit")} error={errors.wip_limit}>
          <Input type="number" min={1} value={form.wip} placeholder="—" onChange={(e) => setForm({ ...form, wip: e.target.value })} />
        </Field>
        <Field label={t("settings.semantic")} error={errors.semantic_type}>
          <SemanticSelect value={form.semantic} onChange={(semantic) => setForm({ ...form, semantic })} />
        </Field>
        <Button type="submit" variant="secondary" disabled={!dirty || update.isPending || !form.name.trim()}>
          {t("common:save")}
        </Button>
      </form>
      <div className="flex flex-wrap gap-2">
        <Button variant="ghost" size="sm" aria-label={`${t("settings.up")}: ${stage.name}`} disabled={index === 0 || reorder.isPending} onClick={() => shift(-1)}>
          <ArrowUp aria-hidden="true" />
          {t("settings.up")}
        </Button>
        <Button variant="ghost" size="sm" aria-label={`${t("settings.down")}: ${stage.name}`} disabled={index === ids.length - 1 || reorder.isPending} onClick={() => shift(1)}>
          <ArrowDown aria-hidden="true" />
          {t("settings.down")}
        </Button>
        {others.length ? (
          <Button variant="ghost" size="sm" aria-label={`${t("settings.archive")}: ${stage.name}`} onClick={() => setArchiving(true)}>
            <Archive aria-hidden="true" />
            {t("settings.archive")}
          </Button>
        ) : null}
        <Confirm
          title={t("settings.deleteStageTitle", { name: stage.name })}
          description={t("settings.deleteStageDescription")}
          action={t("common:delete")}
          onConfirm={() => remove.mutate(stage.id, { onError: (e) => toast.error(e.message) })}
        >
          <Button variant="ghost" size="sm" aria-label={`${t("common:delete")}: ${stage.name}`} className="text-destructive">
            <Trash2 aria-hidden="true" />
            {t("common:delete")}
          </Button>
        </Confirm>
      </div>
      {archiving ? (
        <Dialog open onOpenChange={(open) => !open && setArchiving(false)}>
          <DialogContent>
            <DialogHeader>
              <DialogTitle>{t("settings.archiveTitle", { name: stage.name })}</DialogTitle>
              <DialogDescription>{t("settings.archiveDescription")}</DialogDescription>
            </DialogHeader>
            <Field label={t("settings.moveLeadsTo")}>
              <NativeSelect value={moveTo} onChange={(e) => setMoveTo(e.target.value)}>
                {others.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
              </NativeSelect>
            </Field>
            <DialogFooter>
              <Button variant="outline" onClick={() => setArchiving(false)}>
                {t("common:cancel")}
              </Button>
              <Button
                disabled={!moveTo || archive.isPending}
                onClick={() =>
                  archive.mutate({ stageId: stage.id, moveTo }, { onSuccess: () => (setArchiving(false), toast.success(t("settings.archived"))), onError: (e) => toast.error(e.message) })
                }
              >
                {t("settings.archive")}
              </Button>
            </DialogFooter>
          </DialogContent>
        </Dialog>
      ) : null}
    </li>
  );
}

function AddStage({ pipeline }: { pipeline: Pipeline }) {
  const { t } = useTranslation("pipelines");
  const add = useAddStage(pipeline.id);
  const { errors, fail, clear } = useFieldErrors();
  const [name, setName] = useState("");
  const [color, setColor] = useState("#64748b");
  const [semantic, setSemantic] = useState<Semantic | null>("open");
  return (
    <form
      className="grid gap-3 sm:grid-cols-[1fr_5rem_12rem_auto] sm:items-end"
      aria-label={t("settings.addStage")}
      onSubmit={(e) => {
        e.preventDefault();
        add.mutate({ name: name.trim(), color, semantic_type: semantic }, { onSuccess: () => (setName(""), clear()), onError: fail });
      }}
    >
      <Field label={t("settings.newStageName")} error={errors.name}>
        <Input value={name} required maxLength={80} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Field label={t("settings.color")} error={errors.color}>
        <Input type="color" className="h-9 p-1" value={color} onChange={(e) => setColor(e.target.value)} />
      </Field>
      <Field label={t("settings.semantic")} error={errors.semantic_type}>
        <SemanticSelect value={semantic} onChange={setSemantic} />
      </Field>
      <Button type="submit" disabled={!name.trim() || add.isPending}>
        <Plus aria-hidden="true" />
        {t("settings.addStage")}
      </Button>
    </form>
  );
}

/** How far the pipeline trusts the AI's stage proposals: at or above the first threshold it moves a lead at once
 * (a move back: the second), below it the proposal waits on the card; closing leads only if allowed. */
function AiThresholds({ pipeline }: { pipeline: Pipeline }) {
  const { t } = useTranslation("pipelines");
  const update = useUpdatePipelineAi(pipeline.id);
  const { errors, fail, clear } = useFieldErrors();
  const saved = aiFormOf(pipeline);
  const [form, setForm] = useState<AiForm>(saved);
  const local = aiFormErrors(form);
  const dirty = form.auto !== saved.auto || form.backward !== saved.backward || form.mayClose !== saved.mayClose;
  const message = (key: string | undefined) => (key ? t(`settings.ai.${key}`) : undefined);
  return (
    <form
      className="grid gap-3 rounded-md border p-3"
      aria-labelledby={`ai-${pipeline.id}`}
      onSubmit={(e) => {
        e.preventDefault();
        if (local.auto || local.backward) return;
        update.mutate(aiFormValues(form), { onSuccess: () => (clear(), toast.success(t("settings.ai.saved"))), onError: fail });
      }}
    >
      <div className="grid gap-1">
        <h2 id={`ai-${pipeline.id}`} className="flex items-center gap-2 text-base font-semibold">
          <Sparkles className="size-4" aria-hidden="true" />
          {t("settings.ai.title")}
        </h2>
        <p className="text-sm text-muted-foreground">{t("settings.ai.description")}</p>
      </div>
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label={t("settings.ai.auto")} hint={t("settings.ai.autoHint")} error={message(local.auto) ?? errors.ai_auto_apply_threshold}>
          <Input type="number" inputMode="numeric" min={0} max={100} step={1} required value={form.auto} onChange={(e) => setForm({ ...form, auto: e.target.value })} />
        </Field>
        <Field label={t("settings.ai.backward")} hint={t("settings.ai.backwardHint")} error={message(local.backward) ?? errors.ai_backward_threshold}>
          <Input type="number" inputMode="numeric" min={0} max={100} step={1} required value={form.backward} onChange={(e) => setForm({ ...form, backward: e.target.value })} />
        </Field>
      </div>
      <div className="flex items-start gap-2">
        <Checkbox id={`ai-close-${pipeline.id}`} checked={form.mayClose} onCheckedChange={(checked) => setForm({ ...form, mayClose: checked === true })} className="mt-0.5" />
        <div className="grid gap-1">
          <Label htmlFor={`ai-close-${pipeline.id}`}>{t("settings.ai.mayClose")}</Label>
          <p className="text-xs text-muted-foreground">{t("settings.ai.mayCloseHint")}</p>
        </div>
      </div>
      <Button type="submit" variant="secondary" className="justify-self-start" disabled={!dirty || update.isPending || !!local.auto || !!local.backward}>
        {t("settings.ai.save")}
      </Button>
    </form>
  );
}

function PipelineEditor({ pipeline }: { pipeline: Pipeline }) {
  const { t } = useTranslation("pipelines");
  const navigate = useNavigate();
  const rename = useRenamePipeline(pipeline.id);
  const remove = useDeletePipeline(pipeline.id);
  const { errors, fail, clear } = useFieldErrors();
  const [name, setName] = useState(pipeline.name);
  return (
    <Card className="grid gap-4 p-4">
      <div className="flex flex-wrap items-end gap-3">
        <form
          className="flex flex-1 flex-wrap items-end gap-3"
          onSubmit={(e) => {
            e.preventDefault();
            rename.mutate(name.trim(), { onSuccess: () => (clear(), toast.success(t("settings.renamed"))), onError: fail });
          }}
        >
          <Field label={t("settings.pipelineName")} error={errors.name} className="min-w-48 flex-1">
            <Input value={name} required maxLength={80} onChange={(e) => setName(e.target.value)} />
          </Field>
          <Button type="submit" variant="secondary" disabled={name.trim() === pipeline.name || !name.trim() || rename.isPending}>
            {t("settings.rename")}
          </Button>
        </form>
        <Confirm
          title={t("settings.deletePipelineTitle", { name: pipeline.name })}
          description={t("settings.deletePipelineDescription")}
          action={t("common:delete")}
          onConfirm={() => remove.mutate(undefined, { onSuccess: () => navigate("/pipelines/settings"), onError: (e) => toast.error(e.message) })}
        >
          <Button variant="outline" className="text-destructive">
            <Trash2 aria-hidden="true" />
            {t("settings.deletePipeline")}
          </Button>
        </Confirm>
      </div>
      <AiThresholds key={`${pipeline.ai_auto_apply_threshold}:${pipeline.ai_backward_threshold}:${pipeline.ai_may_close}`} pipeline={pipeline} />
      <h2 className="text-base font-semibold">{t("settings.stages")}</h2>
      <ol className="grid gap-3">
        {pipeline.stages.map((stage, index) => (
          <StageRow key={`${stage.id}:${stage.name}:${stage.color}:${stage.wip_limit}:${stage.semantic_type}`} pipeline={pipeline} stage={stage} index={index} />
        ))}
      </ol>
      <AddStage pipeline={pipeline} />
    </Card>
  );
}

function CreatePipeline() {
  const { t } = useTranslation("pipelines");
  const [, setSearch] = useSearchParams();
  const create = useCreatePipeline();
  const { errors, fail } = useFieldErrors();
  const [name, setName] = useState("");
  return (
    <form
      className="flex flex-wrap items-end gap-3"
      aria-label={t("settings.create")}
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate(
          {
            name: name.trim(),
            stages: [
              { name: t("settings.defaultStages.new"), semantic_type: "open", color: "#0ea5e9" },
              { name: t("settings.defaultStages.won"), semantic_type: "won", color: "#16a34a" },
              { name: t("settings.defaultStages.lost"), semantic_type: "lost", color: "#dc2626" },
            ],
          },
          { onSuccess: (p) => (setName(""), setSearch({ pipeline: (p as Pipeline).id })), onError: fail },
        );
      }}
    >
      <Field label={t("settings.newPipelineName")} error={errors.name ?? errors.stages} className="min-w-48 flex-1">
        <Input value={name} required maxLength={80} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Button type="submit" disabled={!name.trim() || create.isPending}>
        <Plus aria-hidden="true" />
        {t("settings.create")}
      </Button>
    </form>
  );
}

/** Pipeline settings (admins and owners): create a pipeline; rename it; add, rename, recolour, limit, type,
 * reorder, archive (its leads go to a stage chosen) or delete (empty) stages. */
export function PipelineSettings() {
  const { t } = useTranslation("pipelines");
  const admin = useIsAdmin();
  const pipelines = usePipelines();
  const [search, setSearch] = useSearchParams();
  if (!admin) return <Navigate to="/pipelines" replace />;
  const chosen = pipelines.data?.find((p) => p.id === search.get("pipeline")) ?? pipelines.data?.[0];
  return (
    <div className="grid gap-4 p-4 md:p-6">
      <PageHeader
        title={t("settings.title")}
        description={t("settings.description")}
        actions={
          <Button asChild variant="outline">
            <Link to={chosen ? `/pipelines/${chosen.id}` : "/pipelines"}>
              <ArrowLeft aria-hidden="true" />
              {t("settings.backToBoard")}
            </Link>
          </Button>
        }
      />
      {pipelines.isPending ? <SkeletonRows rows={5} className="p-0" /> : null}
      {pipelines.isError ? <ErrorState error={pipelines.error} onRetry={() => void pipelines.refetch()} /> : null}
      {pipelines.data ? (
        <>
          <Card className="grid gap-3 p-4">
            {pipelines.data.length > 1 ? (
              <Field label={t("board.pipeline")} className="max-w-xs">
                <NativeSelect value={chosen?.id ?? ""} onChange={(e) => setSearch({ pipeline: e.target.value })}>
                  {pipelines.data.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name}
                    </option>
                  ))}
                </NativeSelect>
              </Field>
            ) : null}
            <CreatePipeline />
          </Card>
          {chosen ? <PipelineEditor key={chosen.id} pipeline={chosen} /> : null}
        </>
      ) : null}
    </div>
  );
}
