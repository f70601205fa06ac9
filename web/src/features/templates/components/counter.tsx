import { useTranslation } from "react-i18next";
import { cn } from "@/lib/utils";

/** "12/60" next to a field; red past the limit. */
export function Counter({ length, limit, className }: { length: number; limit: number; className?: string }) {
  const { t } = useTranslation("templates");
  const over = length > limit;
  return (
    <span className={cn("text-xs tabular-nums", over ? "font-semibold text-destructive" : "text-muted-foreground", className)} aria-label={t("counter", { length, limit })}>
      {length}/{limit}
    </span>
  );
}
