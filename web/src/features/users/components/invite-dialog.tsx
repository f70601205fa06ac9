import { UserPlus } from "lucide-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Button } from "@/components/ui/button";
import { CopyField } from "@/components/ui/copy-field";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input, NativeSelect } from "@/components/ui/input";
import { useAuth } from "@/lib/auth/auth-provider";
import { useFieldErrors } from "@/lib/hooks/use-field-errors";
import { useFormat } from "@/lib/i18n/format";
import { type Invitation, useInvite } from "../api/users";
import { assignableRoles, invitationLink, type Role } from "../lib/roles";

/** Invite someone with a role (never above your own), then show the invitation link to send them, once. */
export function InviteDialog() {
  const { t } = useTranslation("users");
  const [open, setOpen] = useState(false);
  const [invitation, setInvitation] = useState<Invitation | null>(null);
  return (
    <>
      <Button onClick={() => setOpen(true)}>
        <UserPlus aria-hidden="true" />
        {t("invite.open")}
      </Button>
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogContent>
          <DialogHeader>
            <DialogTitle>{t("invite.title")}</DialogTitle>
            <DialogDescription>{t("invite.description")}</DialogDescription>
          </DialogHeader>
          {open ? (
            <InviteForm
              onCancel={() => setOpen(false)}
              onInvited={(inv) => {
                setOpen(false);
                setInvitation(inv);
              }}
            />
          ) : null}
        </DialogContent>
      </Dialog>
      <InvitationLinkDialog invitation={invitation} onClose={() => setInvitation(null)} />
    </>
  );
}

function InviteForm({ onCancel, onInvited }: { onCancel: () => void; onInvited: (invitation: Invitation) => void }) {
  const { t } = useTranslation("users");
  const { me } = useAuth();
  const invite = useInvite();
  const { errors, fail, clear } = useFieldErrors();
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("agent");
  return (
    <form
      className="grid gap-4"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        invite.mutate({ email: email.trim(), name: name.trim(), role }, { onSuccess: onInvited, onError: fail });
      }}
    >
      <Field label={t("fields.name")} error={errors.name}>
        <Input autoComplete="off" required value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Field label={t("fields.email")} error={errors.email}>
        <Input type="email" autoComplete="off" required value={email} onChange={(e) => {
            setEmail(e.target.value);
            if (errors.email) clear();
          }} />
      </Field>
      <Field label={t("fields.role")} error={errors.role} hint={t("invite.roleHint")}>
        <NativeSelect value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {assignableRoles(me?.user.role).map((r) => (
            <option key={r} value={r}>
              {t(`common:roles.${r}`)}
            </option>
          ))}
        </NativeSelect>
      </Field>
      <DialogFooter>
        <Button type="button" variant="outline" onClick={onCancel}>
          {t("common:cancel")}
        </Button>
        <Button type="submit" disabled={invite.isPending}>
          {invite.isPending ? t("common:saving") : t("invite.submit")}
        </Button>
      </DialogFooter>
    </form>
  );
}

function InvitationLinkDialog({ invitation, onClose }: { invitation: Invitation | null; onClose: () => void }) {
  const { t } = useTranslation("users");
  const fmt = useFormat();
  return (
    <Dialog open={invitation !== null} onOpenChange={(o) => (o ? undefined : onClose())}>
      <DialogContent onInteractOutside={(e) => e.preventDefault()}>
        <DialogHeader>
          <DialogTitle>{t("link.title")}</DialogTitle>
          <DialogDescription>{invitation ? t("link.description", { name: invitation.user.name, email: invitation.user.email }) : null}</DialogDescription>
        </DialogHeader>
        {invitation ? (
          <>
            <CopyField value={invitationLink(window.location.origin, invitation.invite_token)} label={t("link.label")} />
            <p role="alert" className="rounded-md bg-amber-50 p-3 text-sm text-amber-900">
              {t("link.once", { when: fmt.dateTime(invitation.expires_at) })}
            </p>
          </>
        ) : null}
        <DialogFooter>
          <Button onClick={onClose}>{t("link.done")}</Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
