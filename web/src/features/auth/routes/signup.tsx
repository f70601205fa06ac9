import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { useFieldErrors } from "@/lib/hooks/use-field-errors";
import { useSignUp } from "../api/auth";
import { AuthLayout } from "../components/auth-layout";

export function Component() {
  const { t } = useTranslation("auth");
  const navigate = useNavigate();
  const signUp = useSignUp();
  const { errors, fail } = useFieldErrors();
  const [form, setForm] = useState({ company_name: "", name: "", email: "", password: "" });
  const set = (key: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [key]: e.target.value });
  return (
    <AuthLayout title={t("signup.title")}>
      <form
        className="grid gap-4"
        onSubmit={(event) => {
          event.preventDefault();
          signUp.mutate(form, { onSuccess: () => navigate("/", { replace: true }), onError: fail });
        }}
      >
        <Field label={t("companyName")} error={errors.company_name}>
          <Input autoComplete="organization" required value={form.company_name} onChange={set("company_name")} />
        </Field>
        <Field label={t("name")} error={errors.name}>
          <Input autoComplete="name" required value={form.name} onChange={set("name")} />
        </Field>
        <Field label={t("email")} error={errors.email}>
          <Input type="email" autoComplete="email" required value={form.email} onChange={set("email")} />
        </Field>
        <Field label={t("password")} error={errors.password} hint={t("passwordHint")}>
          <Input type="password" autoComplete="new-password" required value={form.password} onChange={set("password")} />
        </Field>
        <Button type="submit" disabled={signUp.isPending}>
          {signUp.isPending ? t("signup.submitting") : t("signup.submit")}
        </Button>
      </form>
      <p className="mt-4 text-center text-sm text-muted-foreground">
        {t("signup.haveAccount")}{" "}
        <Link className="font-medium text-primary underline-offset-4 hover:underline" to="/login">
          {t("login.link")}
        </Link>
      </p>
    </AuthLayout>
  );
}
