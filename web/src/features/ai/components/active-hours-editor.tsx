/**
 * When a persona answers: always, or on chosen weekdays within time ranges in a timezone. Each day is a checkbox
 * (on: it has ranges), each range two time inputs; a range's problem (end before start, an overlap) is said next
 * to it. Keyboard: every control is a native input or button, in reading order.
 */
import { Copy, Plus, X } from "lucide-react";
import { useId, useMemo } from "react";
import { useTranslation } from "react-i18next";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { Label } from "@/components/ui/field";
import { Input, NativeSelect } from "@/components/ui/input";
import { useFormat } from "@/lib/i18n/format";
import { cn } from "@/lib/utils";
import { addRange, copyToOthers, DAYS, MAX_RANGES_PER_DAY, setDay, timezoneList, turnOn, type ActiveHours, type Day, type HoursErrors } from "../lib/active-hours";

// 2024-01-01 was a Monday: the weekday names come from the browser, in the user's language
const MONDAY = Date.UTC(2024, 0, 1, 12);

export function useDayNames(): Record<Day, string> {
  const { locale } = useFormat();
  return useMemo(() => {
    const format = new Intl.DateTimeFormat(locale, { weekday: "long", timeZone: "UTC" });
    const names = DAYS.map((d, i) => [d, format.format(new Date(MONDAY + i * 86_400_000))] as const);
    return Object.fromEntries(names.map(([d, n]) => [d, n.charAt(0).toLocaleUpperCase(locale) + n.slice(1)])) as Record<Day, string>;
  }, [locale]);
}

interface Props {
  always: boolean;
  hours: ActiveHours;
  onChange: (next: { always: boolean; hours: ActiveHours }) => void;
  /** Shown once the user tried to save (or as they edit a range already flagged). */
  errors: HoursErrors | null;
  /** The API's own error for `active_hours`. */
  apiError?: string;
  readOnly?: boolean;
}

export function ActiveHoursEditor({ always, hours, onChange, errors, apiError, readOnly = false }: Props) {
  const { t } = useTranslation("ai");
  const id = useId();
  const names = useDayNames();
  const zones = useMemo(() => timezoneList(hours.timezone), [hours.timezone]);
  const set = (next: ActiveHours) => onChange({ always, hours: next });
  return (
    <fieldset className="grid min-w-0 grid-cols-1 gap-3" aria-describedby={apiError ? `${id}-api` : undefined}>
      <legend className="mb-1 text-sm font-medium">{t("hours.legend")}</legend>
      <div role="radiogroup" aria-label={t("hours.legend")} className="flex flex-wrap gap-x-6 gap-y-2 text-sm">
        <label className="flex items-center gap-2">
          <input type="radio" name={`${id}-mode`} checked={always} disabled={readOnly} onChange={() => onChange({ always: true, hours })} className="size-4 accent-primary" />
          {t("hours.always")}
        </label>
        <label className="flex items-center gap-2">
          <input type="radio" name={`${id}-mode`} checked={!always} disabled={readOnly} onChange={() => onChange({ always: false, hours })} className="size-4 accent-primary" />
          {t("hours.scheduled")}
        </label>
      </div>
      {apiError ? (
        <p id={`${id}-api`} role="alert" className="text-xs text-destructive">
          {apiError}
        </p>
      ) : null}
      {always ? null : (
        <div className="grid grid-cols-1 gap-3">
          <div className="grid max-w-sm gap-1.5">
            <Label htmlFor={`${id}-tz`}>{t("hours.timezone")}</Label>
            <NativeSelect
              id={`${id}-tz`}
              value={hours.timezone}
              disabled={readOnly}
              aria-invalid={errors?.timezone ? true : undefined}
              aria-describedby={errors?.timezone ? `${id}-tz-error` : undefined}
              onChange={(e) => set({ ...hours, timezone: e.target.value })}
            >
              {zones.map((z) => (
                <option key={z} value={z}>
                  {z.replace(/_/g, " ")}
                </option>
              ))}
            </NativeSelect>
            {errors?.timezone ? (
              <p id={`${id}-tz-error`} role="alert" className="text-xs text-destructive">
                {t(`hours.errors.timezone_${errors.timezone}`)}
              </p>
            ) : null}
          </div>
          <ul className="grid grid-cols-1 divide-y rounded-md border" aria-label={t("hours.days")}>
            {DAYS.map((day) => (
              <DayRow key={day} day={day} name={names[day]} hours={hours} onChange={set} errors={errors} readOnly={readOnly} />
            ))}
          </ul>
          {errors?.empty ? (
            <p role="alert" className="text-xs text-destructive">
              {t("hours.errors.empty")}
            </p>
          ) : null}
        </div>
      )}
    </fieldset>
  );
}

function DayRow({ day, name, hours, onChange, errors, readOnly }: { day: Day; name: string; hours: ActiveHours; onChange: (h: ActiveHours) => void; errors: HoursErrors | null; readOnly: boolean }) {
  const { t } = useTranslation("ai");
  const id = useId();
  const ranges = hours.days[day] ?? [];
  const on = ranges.length > 0;
  const setRange = (i: number, edge: 0 | 1, value: string) =>
    onChange(setDay(hours, day, ranges.map((r, k) => (k === i ? ((edge === 0 ? [value, r[1]] : [r[0], value]) as [string, string]) : r))));
  return (
    <li className="grid grid-cols-1 gap-2 p-2 sm:grid-cols-[9rem_1fr] sm:items-start">
      <div className="relative flex items-center gap-2 pt-1.5">
        <Checkbox id={`${id}-on`} checked={on} disabled={readOnly} onCheckedChange={(checked) => onChange(checked ? turnOn(hours, day) : setDay(hours, day, []))} />
        <Label htmlFor={`${id}-on`}>{name}</Label>
      </div>
      {on ? (
        <div className="flex flex-wrap items-start gap-x-3 gap-y-1">
          <div className="grid min-w-0 flex-1 basis-full gap-2 sm:flex-none sm:basis-auto">
            {ranges.map(([start, end], i) => {
              const error = errors?.ranges[`${day}.${i}`];
              const errorId = `${id}-${i}-error`;
              const n = i + 1;
              return (
                <div key={i} className="grid gap-1">
                  <div className="flex items-center gap-1.5 sm:gap-2">
                    <Input
                      type="time"
                      className={cn("min-w-0 flex-1 px-2 sm:w-32 sm:flex-none sm:px-3 max-sm:[&::-webkit-calendar-picker-indicator]:hidden", readOnly && "bg-muted/40")}
                      value={start}
                      readOnly={readOnly}
                      aria-label={t("hours.start", { day: name, n })}
                      aria-invalid={error ? true : undefined}
                      aria-describedby={error ? errorId : undefined}
                      onChange={(e) => setRange(i, 0, e.target.value)}
                    />
                    <span aria-hidden="true" className="text-muted-foreground">
                      –
                    </span>
                    <Input
                      type="time"
                      className={cn("min-w-0 flex-1 px-2 sm:w-32 sm:flex-none sm:px-3 max-sm:[&::-webkit-calendar-picker-indicator]:hidden", readOnly && "bg-muted/40")}
                      value={end}
                      readOnly={readOnly}
                      aria-label={t("hours.end", { day: name, n })}
                      aria-invalid={error ? true : undefined}
                      aria-describedby={error ? errorId : undefined}
                      onChange={(e) => setRange(i, 1, e.target.value)}
                    />
                    {readOnly ? null : (
                      <Button variant="ghost" size="icon" className="shrink-0" aria-label={t("hours.removeRange", { day: name, n })} onClick={() => onChange(setDay(hours, day, ranges.filter((_, k) => k !== i)))}>
                        <X aria-hidden="true" />
                      </Button>
                    )}
                  </div>
                  {error ? (
                    <p id={errorId} role="alert" className="text-xs text-destructive">
                      {t(`hours.errors.${error}`)}
                    </p>
                  ) : null}
                </div>
              );
            })}
          </div>
          {readOnly ? null : (
            <div className="flex flex-wrap gap-1 pt-0.5">
              {ranges.length < MAX_RANGES_PER_DAY ? (
                <Button variant="ghost" size="sm" aria-label={t("hours.addRangeOn", { day: name })} onClick={() => onChange(addRange(hours, day))}>
                  <Plus aria-hidden="true" />
                  {t("hours.addRange")}
                </Button>
              ) : null}
              <Button variant="ghost" size="sm" aria-label={t("hours.copyFrom", { day: name })} onClick={() => onChange(copyToOthers(hours, day))}>
                <Copy aria-hidden="true" />
                {t("hours.copy")}
              </Button>
            </div>
          )}
        </div>
      ) : (
        <p className="pt-1.5 text-sm text-muted-foreground">{t("hours.off")}</p>
      )}
    </li>
  );
}
