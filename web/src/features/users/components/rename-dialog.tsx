import { useState } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { useFieldErrors } from "@/lib/hooks/use-field-errors";
import { type User, useUpdateUser } from "../api/users";

export function RenameDialog({ user, onClose }: { user: User | null; onClose: () => void }) {
  const { t } = useTranslation("users");
  return (
    <Dialog open={user !== null} onOpenChange={(o) => (o ? undefined : onClose())}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{t("rename.title")}</DialogTitle>
          <DialogDescription>{user?.email}</DialogDescription>
        </DialogHeader>
        {user ? <RenameForm user={user} onClose={onClose} /> : null}
      </DialogContent>
    </Dialog>
  );
}

function RenameForm({ user, onClose }: { user: User; onClose: () => void }) {
  const { t } = useTranslation("users");
  const update = useUpdateUser();
  const { errors, fail } = useFieldErrors();
  const [name, setName] = useState(user.name);
  return (
    <form
      className="grid gap-4"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        update.mutate(
          { id: user.id, name: name.trim() },
          {
            onSuccess: () => {
              toast.success(t("toast.renamed"));
              onClose();
            },
            onError: fail,
          },
        );
      }}
    >
      <Field label={t("fields.name")} error={errors.name}>
        <Input required value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <DialogFooter>
        <Button type="button" variant="outline" onClick={onClose}>
          {t("common:cancel")}
        </Button>
        <Button type="submit" disabled={update.isPending}>
          {t("common:save")}
        </Button>
      </DialogFooter>
    </form>
  );
}
