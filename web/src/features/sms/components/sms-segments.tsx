import { AlertTriangle, MessageSquareText } from "lucide-react";
import { useTranslation } from "react-i18next";
import { useDebounced } from "@/lib/hooks/use-debounced";
import { cn } from "@/lib/utils";
import { useSegments } from "../api/segments";
import { summarize } from "../lib/summary";

/**
 * "GSM-7 · 2 segments · 153 per segment · ~R$ 0,14" under an SMS text, counted by the API as one types
 * (debounced), with the characters that force UCS-2 named. `connectionId` (an SMS connection) adds the cost.
 */
export function SmsSegments({ text, connectionId = null, id, className }: { text: string; connectionId?: string | null; id?: string; className?: string }) {
  const { t, i18n } = useTranslation("sms");
  const debounced = useDebounced(text, 300);
  const query = useSegments(debounced, connectionId);
  const count = query.data;
  const summary = count ? summarize(count, i18n.resolvedLanguage ?? "en") : null;
  return (
    <div id={id} className={cn("grid gap-1 text-xs text-muted-foreground", className)} aria-live="polite" aria-atomic="true">
      <p className="flex items-center gap-1.5">
        <MessageSquareText className="size-3.5 shrink-0" aria-hidden="true" />
        <span className="sr-only">{t("label")} </span>
        {summary ? (
          <span>
            <span className={cn("font-medium", summary.encoding === "UCS-2" && "text-amber-800")}>{summary.encoding}</span>
            {` · ${t("segments", { count: summary.segments })} · ${t("perSegment", { count: summary.perSegment })}`}
            {summary.cost ? ` · ${t("cost", { cost: summary.cost })}` : null}
          </span>
        ) : query.isError ? (
          <span>{t("unavailable")}</span>
        ) : (
          <span>{t("counting")}</span>
        )}
      </p>
      {summary && summary.encoding === "UCS-2" && summary.forcing.length ? (
        <p className="flex gap-1.5 text-amber-800">
          <AlertTriangle className="mt-0.5 size-3.5 shrink-0" aria-hidden="true" />
          <span>
            {t("forcing", { count: summary.forcing.length })}
            {summary.forcing.slice(0, 12).map((c) => (
              <kbd key={c} className="ml-1 inline-block rounded border border-amber-300 bg-amber-50 px-1 font-mono text-[11px] leading-4 text-amber-900">
                {c}
              </kbd>
            ))}
            {summary.forcing.length > 12 ? ` ${t("more", { count: summary.forcing.length - 12 })}` : null}
          </span>
        </p>
      ) : null}
    </div>
  );
}
