import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { ApiError } from "@/lib/api/problem";
import { useFieldErrors } from "@/lib/hooks/use-field-errors";
import { useCreateContact } from "../api/contacts";

/** A new contact: phone (normalized by the API; 422 says why a number is invalid, 409 who has it), name, email. */
export function ContactCreateDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const { t } = useTranslation("contacts");
  const navigate = useNavigate();
  const create = useCreateContact();
  const { errors, fail, clear } = useFieldErrors();
  const [phone, setPhone] = useState("");
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [duplicate, setDuplicate] = useState<string>();

  const close = (next: boolean) => {
    if (!next) {
      setPhone("");
      setName("");
      setEmail("");
      setDuplicate(undefined);
      clear();
    }
    onOpenChange(next);
  };

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    setDuplicate(undefined);
    create.mutate(
      { phone, name: name || null, email: email || null },
      {
        onSuccess: (contact) => {
          toast.success(t("contacts.create.done"));
          close(false);
          void navigate(`/contacts/${contact.id}`);
        },
        onError: (error) => {
          // 409 names the contact that has this phone: say it next to the phone
          if (error instanceof ApiError && error.status === 409) {
            clear();
            setDuplicate(error.message);
          } else fail(error);
        },
      },
    );
  };

  return (
    <Dialog open={open} onOpenChange={close}>
      <DialogContent>
        <form onSubmit={submit} className="grid gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>{t("contacts.create.title")}</DialogTitle>
            <DialogDescription>{t("contacts.create.description")}</DialogDescription>
          </DialogHeader>
          <Field label={t("contacts.fields.phone")} error={errors.phone ?? duplicate} hint={t("contacts.phoneHint")}>
            <Input value={phone} onChange={(e) => setPhone(e.target.value)} inputMode="tel" autoComplete="off" required />
          </Field>
          <Field label={t("contacts.fields.name")} error={errors.name}>
            <Input value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
          </Field>
          <Field label={t("contacts.fields.email")} error={errors.email}>
            <Input type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="off" />
          </Field>
          <DialogFooter>
            <Button variant="outline" onClick={() => close(false)}>
              {t("common:cancel")}
            </Button>
            <Button type="submit" disabled={create.isPending || !phone.trim()}>
              {create.isPending ? t("common:saving") : t("common:create")}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
