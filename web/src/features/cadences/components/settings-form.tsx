/** A cadence's settings: name, number, sending window (timezone, days, hours), exits and enrollment. */
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Switch } from "@/components/ui/controls";
import { Field, Label } from "@/components/ui/field";
import { Input, NativeSelect, Textarea } from "@/components/ui/input";
import { useAuth } from "@/lib/auth/auth-provider";
import { useFormat } from "@/lib/i18n/format";
import { SEGMENT_MODES, WEEKDAYS, type SegmentMode, type SettingsDraft } from "../lib/settings";
import { ConnectionPicker, NamedPicker } from "@/components/pickers/pickers";

function timezones(): string[] {
  try {
    return Intl.supportedValuesOf("timeZone");
  } catch {
    return ["UTC", "America/Sao_Paulo"];
  }
}

function Toggle({ id, label, hint, checked, onChange }: { id: string; label: string; hint?: string; checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <div className="flex items-start gap-3">
      <Switch id={id} checked={checked} onCheckedChange={onChange} aria-describedby={hint ? `${id}-hint` : undefined} />
      <div className="grid gap-1">
        <Label htmlFor={id} className="font-normal">
          {label}
        </Label>
        {hint ? (
          <p id={`${id}-hint`} className="text-xs text-muted-foreground">
            {hint}
          </p>
        ) : null}
      </div>
    </div>
  );
}

interface SettingsProps {
  value: SettingsDraft;
  onChange: (patch: Partial<SettingsDraft>) => void;
  errors: Record<string, string>;
  readOnly: boolean;
}

/** Name, number and description. */
export function GeneralSettings({ value, onChange, errors, readOnly }: SettingsProps) {
  const { t } = useTranslation("cadences");
  return (
    <Card>
      <CardHeader>
        <CardTitle>{t("settings.general")}</CardTitle>
      </CardHeader>
      <CardContent>
        <fieldset disabled={readOnly} className="grid gap-3 md:grid-cols-2">
          <legend className="sr-only">{t("settings.general")}</legend>
          <Field label={t("settings.name")} error={errors.name}>
            <Input value={value.name} maxLength={200} onChange={(e) => onChange({ name: e.target.value })} />
          </Field>
          <Field label={t("settings.number")} error={errors.connection_id} hint={t("settings.numberHint")}>
            <ConnectionPicker value={value.connectionId} onChange={(connectionId) => onChange({ connectionId })} />
          </Field>
          <Field label={t("settings.description")} error={errors.description} className="md:col-span-2">
            <Textarea rows={2} maxLength={2000} value={value.description} onChange={(e) => onChange({ description: e.target.value })} />
          </Field>
        </fieldset>
      </CardContent>
    </Card>
  );
}

/** When sends go (the window), what ends an enrollment, and who is enrolled. */
export function RunSettings({ value, onChange, errors, readOnly }: SettingsProps) {
  const { t } = useTranslation("cadences");
  const format = useFormat();
  const { me } = useAuth();
  const companyZone = me?.company.timezone ?? "UTC";
  const zones = useMemo(() => timezones(), []);
  const dayName = (day: number) => format.dateTime(new Date(Date.UTC(2024, 0, day, 12)), { weekday: "long", timeZone: "UTC" });
  const windowError = errors.window ?? errors["window.days"] ?? errors["window.start_time"];
  return (
    <fieldset disabled={readOnly} className="grid gap-4">
      <legend className="sr-only">{t("settings.rules")}</legend>
      <Card>
        <CardHeader>
          <CardTitle>{t("settings.window")}</CardTitle>
          <CardDescription>{t("settings.windowHint")}</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-4">
          <div className="grid gap-3 md:grid-cols-2">
            <Field label={t("settings.timezoneMode")} error={errors["window.timezone_mode"]}>
              <NativeSelect value={value.timezoneMode} onChange={(e) => onChange({ timezoneMode: e.target.value as "company" | "contact" })}>
                <option value="company">{t("settings.zone.company")}</option>
                <option value="contact">{t("settings.zone.contact")}</option>
              </NativeSelect>
            </Field>
            <Field label={value.timezoneMode === "contact" ? t("settings.timezoneFallback") : t("settings.timezone")} error={errors["window.timezone"]}>
              <NativeSelect value={value.timezone} onChange={(e) => onChange({ timezone: e.target.value })}>
                <option value="">{t("settings.companyZone", { zone: companyZone })}</option>
                {zones.map((z) => (
                  <option key={z} value={z}>
                    {z}
                  </option>
                ))}
              </NativeSelect>
            </Field>
          </div>
          <fieldset className="grid gap-2">
            <legend className="pb-1 text-sm font-medium">{t("settings.days")}</legend>
            <div className="flex flex-wrap gap-2">
              {WEEKDAYS.map((day) => (
                <label key={day} className="flex items-center gap-1.5 rounded-md border px-2 py-1 text-sm has-[:checked]:border-primary has-[:checked]:bg-accent/40">
                  <input
                    type="checkbox"
                    className="accent-[var(--color-primary)]"
                    checked={value.days.includes(day)}
                    onChange={(e) => onChange({ days: e.target.checked ? [...value.days, day] : value.days.filter((d) => d !== day) })}
                  />
                  {dayName(day)}
                </label>
              ))}
            </div>
          </fieldset>
          <Toggle id="cadence-all-day" label={t("settings.allDay")} checked={value.allDay} onChange={(allDay) => onChange({ allDay })} />
          {value.allDay ? null : (
            <div className="grid gap-3 sm:grid-cols-2 md:max-w-md">
              <Field label={t("settings.from")} error={errors["window.start_time"]}>
                <Input type="time" value={value.startTime} onChange={(e) => onChange({ startTime: e.target.value })} />
              </Field>
              <Field label={t("settings.to")} error={errors["window.end_time"]} hint={t("settings.acrossMidnight")}>
                <Input type="time" value={value.endTime} onChange={(e) => onChange({ endTime: e.target.value })} />
              </Field>
            </div>
          )}
          {windowError && !errors["window.start_time"] ? (
            <p role="alert" className="text-xs text-destructive">
              {windowError}
            </p>
          ) : null}
        </CardContent>
      </Card>
      <div className="grid gap-4 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>{t("settings.exits")}</CardTitle>
            <CardDescription>{t("settings.exitsHint")}</CardDescription>
          </CardHeader>
          <CardContent className="grid gap-3">
            <Toggle id="cadence-exit-reply" label={t("settings.exitOnReply")} checked={value.exitOnReply} onChange={(exitOnReply) => onChange({ exitOnReply })} />
            <Toggle id="cadence-exit-stage" label={t("settings.exitOnStageChange")} hint={t("settings.exitOnStageChangeHint")} checked={value.exitOnStageChange} onChange={(exitOnStageChange) => onChange({ exitOnStageChange })} />
            <Field label={t("settings.goalTag")} error={errors.goal_tag_id} hint={t("settings.goalTagHint")}>
              <NamedPicker kind="tags" value={value.goalTagId} clearLabel={t("settings.noGoal")} onChange={(goalTagId) => onChange({ goalTagId })} />
            </Field>
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>{t("settings.enrollment")}</CardTitle>
          </CardHeader>
          <CardContent className="grid gap-3">
            <Toggle id="cadence-reenroll" label={t("settings.reenroll")} hint={t("settings.reenrollHint")} checked={value.allowReenrollment} onChange={(allowReenrollment) => onChange({ allowReenrollment })} />
            <Field label={t("settings.segmentMode")} error={errors.segment_mode}>
              <NativeSelect value={value.segmentMode} onChange={(e) => onChange({ segmentMode: e.target.value as SegmentMode })}>
                {SEGMENT_MODES.map((m) => (
                  <option key={m} value={m}>
                    {t(`settings.segmentModes.${m}`)}
                  </option>
                ))}
              </NativeSelect>
            </Field>
            {value.segmentMode === "none" ? null : (
              <Field label={t("settings.segment")} error={errors.segment_id} hint={t(`settings.segmentHints.${value.segmentMode}`)}>
                <NamedPicker kind="segments" value={value.segmentId} onChange={(segmentId) => onChange({ segmentId })} />
              </Field>
            )}
          </CardContent>
        </Card>
      </div>
    </fieldset>
  );
}
