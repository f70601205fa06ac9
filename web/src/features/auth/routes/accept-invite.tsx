import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { useFieldErrors } from "@/lib/hooks/use-field-errors";
import { useAcceptInvite } from "../api/auth";
import { AuthLayout } from "../components/auth-layout";

/** The invitation link is `/accept-invite#token=…`: a fragment never reaches a server or a log. */
export function invitationToken(hash: string): string {
  return new URLSearchParams(hash.replace(/^#/, "")).get("token") ?? "";
}

export function Component() {
  const { t } = useTranslation("auth");
  const navigate = useNavigate();
  const accept = useAcceptInvite();
  const { errors, fail } = useFieldErrors();
  const [token] = useState(() => invitationToken(window.location.hash));
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  return (
    <AuthLayout title={t("invite.title")}>
      {!token ? (
        <p role="alert" className="text-sm text-destructive">
          {t("invite.missing")}
        </p>
      ) : (
        <form
          className="grid gap-4"
          onSubmit={(event) => {
            event.preventDefault();
            accept.mutate({ token, password, ...(name ? { name } : {}) }, { onSuccess: () => navigate("/", { replace: true }), onError: fail });
          }}
        >
          {errors.token ? (
            <p role="alert" className="text-sm text-destructive">
              {errors.token}
            </p>
          ) : null}
          <Field label={t("name")} error={errors.name} hint={t("invite.nameHint")}>
            <Input autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
          </Field>
          <Field label={t("password")} error={errors.password} hint={t("passwordHint")}>
            <Input type="password" autoComplete="new-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
          </Field>
          <Button type="submit" disabled={accept.isPending}>
            {t("invite.submit")}
          </Button>
        </form>
      )}
    </AuthLayout>
  );
}
