import { useTranslation } from "react-i18next";
import { Badge, type BadgeProps } from "@/components/ui/badge";

const VARIANT: Record<string, BadgeProps["variant"]> = {
  draft: "outline",
  scheduled: "secondary",
  running: "default",
  paused: "warning",
  completed: "success",
  cancelled: "secondary",
  failed: "destructive",
};

export function StatusBadge({ status }: { status: string }) {
  const { t } = useTranslation("campaigns");
  return <Badge variant={VARIANT[status] ?? "outline"}>{t(`status.${status}`, { defaultValue: status })}</Badge>;
}

const RECIPIENT_VARIANT: Record<string, BadgeProps["variant"]> = {
  pending: "outline",
  sending: "secondary",
  unknown: "warning",
  sent: "secondary",
  delivered: "default",
  read: "success",
  failed: "destructive",
  skipped: "outline",
};

export function RecipientBadge({ status }: { status: string }) {
  const { t } = useTranslation("campaigns");
  return <Badge variant={RECIPIENT_VARIANT[status] ?? "outline"}>{t(`recipientStatus.${status}`, { defaultValue: status })}</Badge>;
}
