import { useTranslation } from "react-i18next";
import { Badge, type BadgeProps } from "@/components/ui/badge";

const STATUS: Record<string, BadgeProps["variant"]> = { draft: "outline", active: "success", paused: "warning", archived: "secondary" };
const STATE: Record<string, BadgeProps["variant"]> = { active: "default", sending: "warning", completed: "success", exited: "secondary" };
const OUTCOME: Record<string, BadgeProps["variant"]> = { sent: "success", done: "success", branched: "outline", skipped: "secondary", failed: "destructive" };

export function CadenceStatusBadge({ status }: { status: string }) {
  const { t } = useTranslation("cadences");
  return <Badge variant={STATUS[status] ?? "outline"}>{t(`status.${status}`, { defaultValue: status })}</Badge>;
}

export function EnrollmentStateBadge({ state }: { state: string }) {
  const { t } = useTranslation("cadences");
  return <Badge variant={STATE[state] ?? "outline"}>{t(`state.${state}`, { defaultValue: state })}</Badge>;
}

export function OutcomeBadge({ outcome }: { outcome: string }) {
  const { t } = useTranslation("cadences");
  return <Badge variant={OUTCOME[outcome] ?? "outline"}>{t(`outcome.${outcome}`, { defaultValue: outcome })}</Badge>;
}
