import * as React from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { useCreateTag, useUpdateTag, type Tag } from "../api/tags";
import { useAudienceFormErrors } from "./audience-form-errors";

export const DEFAULT_TAG_COLOR = "#64748b";

/** Create a tag (no `tag`) or rename / recolour one. A name already taken shows next to the name. */
export function TagDialog({ open, onOpenChange, tag }: { open: boolean; onOpenChange: (open: boolean) => void; tag?: Tag }) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        {/* mounted on each opening, so the form starts from the tag */}
        <TagForm tag={tag} onDone={() => onOpenChange(false)} />
      </DialogContent>
    </Dialog>
  );
}

function TagForm({ tag, onDone }: { tag?: Tag; onDone: () => void }) {
  const { t } = useTranslation("contacts");
  const [name, setName] = React.useState(tag?.name ?? "");
  const [color, setColor] = React.useState(tag?.color ?? DEFAULT_TAG_COLOR);
  const { errors, fail } = useAudienceFormErrors("name", t("tags.nameTaken"));
  const create = useCreateTag();
  const update = useUpdateTag();
  const pending = create.isPending || update.isPending;

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const done = () => {
      toast.success(tag ? t("tags.saved") : t("tags.created", { name: name.trim() }));
      onDone();
    };
    if (tag) update.mutate({ id: tag.id, body: { name, color } }, { onSuccess: done, onError: fail });
    else create.mutate({ name, color }, { onSuccess: done, onError: fail });
  };

  return (
    <form onSubmit={submit} className="grid gap-4" noValidate>
      <DialogHeader>
        <DialogTitle>{tag ? t("tags.editTitle") : t("tags.newTitle")}</DialogTitle>
        <DialogDescription>{t("tags.dialogDescription")}</DialogDescription>
      </DialogHeader>
      <Field label={t("tags.name")} error={errors.name}>
        <Input value={name} onChange={(e) => setName(e.target.value)} maxLength={80} required autoFocus />
      </Field>
      <Field label={t("tags.color")} error={errors.color} hint={color}>
        <Input type="color" value={color} onChange={(e) => setColor(e.target.value)} className="h-9 w-20 cursor-pointer p-1" />
      </Field>
      <DialogFooter>
        <Button variant="outline" onClick={onDone}>
          {t("common:cancel")}
        </Button>
        <Button type="submit" disabled={pending}>
          {pending ? t("common:saving") : t("common:save")}
        </Button>
      </DialogFooter>
    </form>
  );
}

/** A tag as a coloured chip. */
export function TagChip({ tag, children }: { tag: Pick<Tag, "name" | "color">; children?: React.ReactNode }) {
  return (
    <span className="inline-flex max-w-full items-center gap-1.5 rounded-full border bg-background px-2 py-0.5 text-xs font-medium">
      <span aria-hidden="true" className="size-2.5 shrink-0 rounded-full" style={{ backgroundColor: tag.color }} />
      <span className="truncate">{tag.name}</span>
      {children}
    </span>
  );
}
