import type * as React from "react";
import { useTranslation } from "react-i18next";
import { LanguageSwitch } from "@/components/layout/language-switch";

export function AuthLayout({ title, children }: { title: string; children: React.ReactNode }) {
  const { t } = useTranslation("auth");
  return (
    <main className="flex min-h-full items-center justify-center bg-muted p-4">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex items-center justify-between">
          <div className="flex items-center gap-2">
            <img src="/favicon.svg" alt="" className="size-8" />
            <span className="text-lg font-semibold">Master IA</span>
          </div>
          <LanguageSwitch />
        </div>
        <div className="rounded-lg border bg-background p-6 shadow-sm">
          <h1 className="mb-1 text-xl font-semibold">{title}</h1>
          <p className="mb-5 text-sm text-muted-foreground">{t("tagline")}</p>
          {children}
        </div>
      </div>
    </main>
  );
}
