import * as React from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input, Textarea } from "@/components/ui/input";
import { useCreateList, useUpdateList, type ContactList } from "../api/lists";
import { useAudienceFormErrors } from "./audience-form-errors";

/** Create a list (no `list`) or rename one. A name already taken shows next to the name. */
export function ListDialog({ open, onOpenChange, list }: { open: boolean; onOpenChange: (open: boolean) => void; list?: ContactList }) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        {/* mounted on each opening, so the form starts from the list */}
        <ListForm list={list} onDone={() => onOpenChange(false)} />
      </DialogContent>
    </Dialog>
  );
}

function ListForm({ list, onDone }: { list?: ContactList; onDone: () => void }) {
  const { t } = useTranslation("contacts");
  const [name, setName] = React.useState(list?.name ?? "");
  const [description, setDescription] = React.useState(list?.description ?? "");
  const { errors, fail } = useAudienceFormErrors("name", t("lists.nameTaken"));
  const create = useCreateList();
  const update = useUpdateList();
  const pending = create.isPending || update.isPending;

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const body = { name, description: description.trim() || null };
    const done = () => {
      toast.success(list ? t("lists.saved") : t("lists.created", { name: name.trim() }));
      onDone();
    };
    if (list) update.mutate({ id: list.id, body }, { onSuccess: done, onError: fail });
    else create.mutate(body, { onSuccess: done, onError: fail });
  };

  return (
    <form onSubmit={submit} className="grid gap-4" noValidate>
      <DialogHeader>
        <DialogTitle>{list ? t("lists.editTitle") : t("lists.newTitle")}</DialogTitle>
        <DialogDescription>{t("lists.dialogDescription")}</DialogDescription>
      </DialogHeader>
      <Field label={t("lists.name")} error={errors.name}>
        <Input value={name} onChange={(e) => setName(e.target.value)} maxLength={120} required autoFocus />
      </Field>
      <Field label={t("lists.descriptionLabel")} error={errors.description}>
        <Textarea value={description} onChange={(e) => setDescription(e.target.value)} maxLength={500} rows={3} />
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
