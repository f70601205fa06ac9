/** The timeline of one contact through the current version if enrolled now: when each step would run (in the
 * contact's timezone when the window follows the contact), send steps moved to the window's next opening. */
import { CalendarClock } from "lucide-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Badge } from "@/components/ui/badge";
import { Combobox, type ComboboxOption } from "@/components/ui/combobox";
import { Field } from "@/components/ui/field";
import { SkeletonRows } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { useFormat } from "@/lib/i18n/format";
import type { Cadence } from "../api/cadences";
import { usePreview } from "../api/insights";
import { useContactOptions } from "../api/lookups";
import { isSend, type ApiStep } from "../lib/steps";

/** Where a branch goes (the timeline itself goes on in step order: which way it takes is known only then). */
function BranchNote({ step, index, count }: { step: Extract<ApiStep, { kind: "branch" }>; index: number; count: number }) {
  const { t } = useTranslation("cadences");
  const where = (target: number | null | undefined) => {
    const to = target ?? index + 1;
    return to >= count ? t("preview.theEnd") : t("preview.stepN", { n: to + 1 });
  };
  return <>{t("preview.branch", { condition: t(`conditions.${step.condition.type}`), then: where(step.then_step), otherwise: where(step.else_step) })}</>;
}

export function Preview({ cadence }: { cadence: Cadence }) {
  const { t } = useTranslation("cadences");
  const format = useFormat();
  const [contact, setContact] = useState<ComboboxOption | null>(null);
  const preview = usePreview(cadence.id, contact?.id ?? "", null, true);
  const p = preview.data;
  const steps = cadence.steps;
  return (
    <div className="grid grid-cols-1 gap-4">
      <Field label={t("preview.contact")} hint={t("preview.contactHint")} className="sm:max-w-sm">
        <Combobox
          value={contact?.label}
          placeholder={t("preview.anyContact")}
          searchLabel={t("enroll.searchContacts")}
          emptyText={t("enroll.noContact")}
          useOptions={useContactOptions}
          onSelect={setContact}
          clearLabel={t("preview.anyContact")}
          onClear={() => setContact(null)}
        />
      </Field>
      {preview.isPending ? (
        <SkeletonRows rows={4} />
      ) : preview.isError ? (
        <ErrorState error={preview.error} onRetry={() => void preview.refetch()} />
      ) : !p || !p.steps.length ? (
        <EmptyState icon={CalendarClock} title={t("preview.empty")} />
      ) : (
        <section aria-labelledby="preview-title" className="grid gap-2">
          <h3 id="preview-title" className="text-sm font-semibold">
            {t("preview.title", { name: contact?.label ?? t("preview.anyContact"), zone: p.timezone })}
          </h3>
          <p className="text-xs text-muted-foreground">{t("preview.starts", { at: format.dateTime(p.starts_at, { dateStyle: "full", timeStyle: "short", timeZone: p.timezone }), version: p.version })}</p>
          <ol aria-label={t("preview.timeline")} className="relative grid gap-0 border-l pl-4">
            {p.steps.map((s) => {
              const step = steps[s.step_index];
              return (
                <li key={s.step_index} className="relative grid gap-0.5 pb-4 last:pb-0">
                  <span aria-hidden="true" className={`absolute -left-[1.4rem] top-1 size-3 rounded-full border-2 border-background ${isSend(s.kind) ? "bg-primary" : "bg-muted-foreground/50"}`} />
                  <span className="text-sm font-medium">
                    {t("enrollments.stepName", { n: s.step_index + 1, kind: t(`kinds.${s.kind}`, { defaultValue: s.kind }) })}
                  </span>
                  <span className="flex flex-wrap items-center gap-2 text-sm tabular-nums">
                    <time dateTime={s.at}>{format.dateTime(s.at, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: p.timezone })}</time>
                    {s.shifted ? <Badge variant="warning">{t("preview.shifted")}</Badge> : null}
                  </span>
                  {step?.kind === "branch" ? (
                    <span className="text-xs text-muted-foreground">
                      <BranchNote step={step} index={s.step_index} count={steps.length} />
                    </span>
                  ) : null}
                </li>
              );
            })}
          </ol>
        </section>
      )}
    </div>
  );
}
