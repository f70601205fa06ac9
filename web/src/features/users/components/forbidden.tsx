import { ShieldAlert } from "lucide-react";
import type * as React from "react";
import { useTranslation } from "react-i18next";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState } from "@/components/ui/states";
import { useAuth } from "@/lib/auth/auth-provider";

/** Admin screens: someone below admin who opens the address directly sees why there is nothing here. */
export function AdminOnly({ children }: { children: React.ReactNode }) {
  const { t } = useTranslation("users");
  const { me, atLeast } = useAuth();
  if (!me) return <SkeletonRows className="p-6" />;
  if (atLeast("admin")) return children;
  return (
    <div className="p-4 md:p-6">
      <EmptyState icon={ShieldAlert} title={t("forbidden.title")} description={t("forbidden.description")} />
    </div>
  );
}
