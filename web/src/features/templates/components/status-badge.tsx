import { useTranslation } from "react-i18next";
import { Badge, type BadgeProps } from "@/components/ui/badge";

const VARIANTS: Record<string, BadgeProps["variant"]> = {
  APPROVED: "success",
  PENDING: "warning",
  IN_APPEAL: "warning",
  PENDING_DELETION: "warning",
  REJECTED: "destructive",
  DISABLED: "destructive",
  PAUSED: "destructive",
};
const KNOWN = ["APPROVED", "PENDING", "IN_APPEAL", "PENDING_DELETION", "REJECTED", "DISABLED", "PAUSED"];

export function TemplateStatus({ status }: { status: string }) {
  const { t } = useTranslation("templates");
  const key = status.toUpperCase();
  return <Badge variant={VARIANTS[key] ?? "outline"}>{KNOWN.includes(key) ? t(`status.${key}`) : status}</Badge>;
}

const QUALITY: Record<string, BadgeProps["variant"]> = { GREEN: "success", YELLOW: "warning", RED: "destructive" };

export function TemplateQuality({ quality }: { quality: string | null }) {
  const { t } = useTranslation("templates");
  const key = (quality ?? "UNKNOWN").toUpperCase();
  if (!(key in QUALITY)) return <span className="text-xs text-muted-foreground">{t("quality.UNKNOWN")}</span>;
  return <Badge variant={QUALITY[key]}>{t(`quality.${key}`)}</Badge>;
}
