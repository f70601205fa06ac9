import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useNavigate, useSearchParams } from "react-router";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { useFieldErrors } from "@/lib/hooks/use-field-errors";
import { useAuth } from "@/lib/auth/auth-provider";
import { useLogin } from "../api/auth";
import { AuthLayout } from "../components/auth-layout";

export function Component() {
  const { t } = useTranslation("auth");
  const { session } = useAuth();
  const [params] = useSearchParams();
  const location = useLocation();
  const navigate = useNavigate();
  const login = useLogin();
  const { errors, fail } = useFieldErrors();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const expired = params.get("expired") === "1" || (session.status === "signed-out" && session.reason === "expired");
  const next = (location.state as { from?: string } | null)?.from ?? "/";
  return (
    <AuthLayout title={t("login.title")}>
      {expired ? (
        <p role="status" className="mb-4 rounded-md bg-amber-50 p-3 text-sm text-amber-900">
          {t("login.expired")}
        </p>
      ) : null}
      <form
        className="grid gap-4"
        onSubmit={(event) => {
          event.preventDefault();
          login.mutate({ email, password }, { onSuccess: () => navigate(next, { replace: true }), onError: fail });
        }}
      >
        <Field label={t("email")} error={errors.email}>
          <Input type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <Field label={t("password")} error={errors.password}>
          <Input type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <Button type="submit" disabled={login.isPending}>
          {login.isPending ? t("login.submitting") : t("login.submit")}
        </Button>
      </form>
      <p className="mt-4 text-center text-sm text-muted-foreground">
        {t("login.noAccount")}{" "}
        <Link className="font-medium text-primary underline-offset-4 hover:underline" to="/signup">
          {t("signup.link")}
        </Link>
      </p>
    </AuthLayout>
  );
}
