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
  FLAGGED: "warning",
};
const KNOWN = ["APPROVED", "PENDING", "IN_APPEAL", "PENDING_DELETION", "REJECTED", "DISABLED", "PAUSED", "FLAGGED"];
const EXPLAINED = ["REJECTED", "DISABLED", "PAUSED", "FLAGGED"];

export function TemplateStatus({ status }: { status: string }) {
  const { t } = useTranslation("templates");
  const key = status.toUpperCase();
  return <Badge variant={VARIANTS[key] ?? "outline"}>{KNOWN.includes(key) ? t(`status.${key}`) : status}</Badge>;
}

/** Why Meta gave a template its status (a rejection, a pause, a disabling, a flag), as Meta said it. */
export function TemplateStatusReason({ template }: { template: { status: string; status_reason: string | null; rejected_reason: string | null } }) {
  const { t } = useTranslation("templates");
  const key = template.status.toUpperCase();
  const reason = template.status_reason ?? template.rejected_reason;
  if (!EXPLAINED.includes(key) || !reason) return null;
  return (
    <p className="mt-1 max-w-64 break-words text-xs text-muted-foreground">
      {t(`statusReason.${key}`, { reason })}
    </p>
  );
}

const QUALITY: Record<string, BadgeProps["variant"]> = { GREEN: "success", YELLOW: "warning", RED: "destructive" };

export function TemplateQuality({ quality }: { quality: string | null }) {
  const { t } = useTranslation("templates");
  const key = (quality ?? "UNKNOWN").toUpperCase();
  if (!(key in QUALITY)) return <span className="text-xs text-muted-foreground">{t("quality.UNKNOWN")}</span>;
  return <Badge variant={QUALITY[key]}>{t(`quality.${key}`)}</Badge>;
}
