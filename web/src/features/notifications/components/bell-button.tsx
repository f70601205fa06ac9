import { Bell } from "lucide-react";
import * as React from "react";
import { useTranslation } from "react-i18next";
import { Button } from "@/components/ui/button";

/** The bell's button: its name says how many are unread, the badge shows it. */
export const BellButton = React.forwardRef<HTMLButtonElement, React.ComponentPropsWithoutRef<typeof Button> & { count: number; text: string }>(
  ({ count, text, ...props }, ref) => {
    const { t } = useTranslation("notifications");
    return (
      <Button ref={ref} variant="ghost" size="icon" className="relative" aria-label={count ? t("bellUnread", { count, text }) : t("bell")} {...props}>
        <Bell aria-hidden="true" />
        {count ? (
          <span
            aria-hidden="true"
            className="absolute -right-0.5 -top-0.5 flex h-4 min-w-4 items-center justify-center rounded-full bg-destructive px-1 text-[10px] font-semibold leading-none text-destructive-foreground"
          >
            {text}
          </span>
        ) : null}
      </Button>
    );
  },
);
BellButton.displayName = "BellButton";
