import { Bell } from "lucide-react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { Button } from "@/components/ui/button";

/** The notifications bell in the top bar (its unread count and live updates come with the notifications screen). */
export function NotificationBell() {
  const { t } = useTranslation("notifications");
  return (
    <Button asChild variant="ghost" size="icon" aria-label={t("bell")}>
      <Link to="/notifications">
        <Bell aria-hidden="true" />
      </Link>
    </Button>
  );
}
