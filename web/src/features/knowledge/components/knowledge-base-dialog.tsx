/** Create or edit a knowledge base: its name, what it holds, and its embedding model (changing the model embeds
 * every passage again in the background: said before saving). */
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input, Textarea } from "@/components/ui/input";
import { ApiError } from "@/lib/api/problem";
import { useFieldErrors } from "@/lib/hooks/use-field-errors";
import { useCreateKnowledgeBase, useUpdateKnowledgeBase, type KnowledgeBase } from "../api/knowledge";

interface Props {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** The one to edit; a new one when absent. */
  knowledgeBase?: KnowledgeBase;
  onCreated?: (kb: KnowledgeBase) => void;
}

export function KnowledgeBaseDialog({ open, onOpenChange, knowledgeBase, onCreated }: Props) {
  const { t } = useTranslation("knowledge");
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{knowledgeBase ? t("form.editTitle") : t("form.createTitle")}</DialogTitle>
          <DialogDescription>{t("form.description")}</DialogDescription>
        </DialogHeader>
        {open ? <KnowledgeBaseForm knowledgeBase={knowledgeBase} onDone={() => onOpenChange(false)} onCreated={onCreated} /> : null}
      </DialogContent>
    </Dialog>
  );
}

function KnowledgeBaseForm({ knowledgeBase, onDone, onCreated }: { knowledgeBase?: KnowledgeBase; onDone: () => void; onCreated?: (kb: KnowledgeBase) => void }) {
  const { t } = useTranslation("knowledge");
  const create = useCreateKnowledgeBase();
  const update = useUpdateKnowledgeBase(knowledgeBase?.id ?? "");
  const { errors, fail, clear } = useFieldErrors();
  const [name, setName] = useState(knowledgeBase?.name ?? "");
  const [description, setDescription] = useState(knowledgeBase?.description ?? "");
  const [model, setModel] = useState(knowledgeBase?.embedding_model ?? "");
  const [nameTaken, setNameTaken] = useState<string | null>(null);
  const pending = create.isPending || update.isPending;
  const modelChanged = !!knowledgeBase && model.trim() !== "" && model.trim() !== knowledgeBase.embedding_model;
  const onError = (error: unknown) => {
    if (error instanceof ApiError && error.status === 409) {
      setNameTaken(error.message);
      return;
    }
    fail(error);
  };
  const submit = () => {
    clear();
    setNameTaken(null);
    if (!name.trim()) return;
    if (knowledgeBase) {
      const body: { name?: string; description?: string; embedding_model?: string } = {};
      if (name.trim() !== knowledgeBase.name) body.name = name.trim();
      if (description.trim() !== knowledgeBase.description) body.description = description.trim();
      if (modelChanged) body.embedding_model = model.trim();
      update.mutate(body, {
        onSuccess: () => {
          toast.success(modelChanged ? t("toast.reembedding") : t("toast.saved"));
          onDone();
        },
        onError,
      });
    } else {
      create.mutate(
        { name: name.trim(), description: description.trim(), embedding_model: model.trim() || null },
        {
          onSuccess: (kb) => {
            toast.success(t("toast.created"));
            onDone();
            onCreated?.(kb);
          },
          onError,
        },
      );
    }
  };
  return (
    <form
      className="grid gap-4"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <Field label={t("form.name")} error={errors.name ?? nameTaken ?? undefined}>
        <Input required maxLength={120} value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Field label={t("form.descriptionLabel")} error={errors.description} hint={t("form.descriptionHint")}>
        <Textarea rows={2} maxLength={1000} value={description} onChange={(e) => setDescription(e.target.value)} />
      </Field>
      <Field label={t("form.model")} error={errors.embedding_model} hint={modelChanged ? t("form.modelChange") : t("form.modelHint")}>
        <Input maxLength={120} placeholder={t("form.modelDefault")} value={model} onChange={(e) => setModel(e.target.value)} />
      </Field>
      <DialogFooter>
        <Button variant="outline" onClick={onDone}>
          {t("common:cancel")}
        </Button>
        <Button type="submit" disabled={pending || !name.trim()}>
          {pending ? t("common:saving") : knowledgeBase ? t("common:save") : t("form.create")}
        </Button>
      </DialogFooter>
    </form>
  );
}
