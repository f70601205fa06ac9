import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input, NativeSelect } from "@/components/ui/input";
import { ApiError } from "@/lib/api/problem";
import { useAuth } from "@/lib/auth/auth-provider";
import { useUsers, type Appointment, type AppointmentCreate } from "../api/pipelines";
import type { Lead } from "../lib/board";
import { addMinutes, browserTimeZone, localInput, withOffset } from "../lib/time";

function timeZones(current: string): string[] {
  const all = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return all.includes(current) ? all : [current, ...all];
}

/** The next whole hour from now, in `timeZone`. */
function nextHour(timeZone: string): string {
  const now = new Date();
  now.setUTCMinutes(0, 0, 0);
  return localInput(new Date(now.getTime() + 3_600_000), timeZone);
}

/** An appointment's when (start, end, timezone), what, where and who attends: the one a move into a meeting stage
 * brings (`stageName` given), a new one of the lead, or a change to `initial` (a reschedule, another attendee or
 * place). */
export function AppointmentDialog({
  lead,
  stageName,
  initial,
  pending,
  error,
  onCancel,
  onSubmit,
}: {
  lead: Pick<Lead, "title">;
  stageName?: string;
  initial?: Appointment;
  pending: boolean;
  error: Error | null;
  onCancel: () => void;
  onSubmit: (appointment: AppointmentCreate) => void;
}) {
  const { t } = useTranslation("pipelines");
  const { me } = useAuth();
  const users = useUsers();
  const [timezone, setTimezone] = useState(() => initial?.timezone ?? browserTimeZone());
  const [start, setStart] = useState(() => (initial ? localInput(new Date(initial.starts_at), initial.timezone) : nextHour(browserTimeZone())));
  const [end, setEnd] = useState(() => (initial ? localInput(new Date(initial.ends_at), initial.timezone) : addMinutes(nextHour(browserTimeZone()), 30)));
  const [title, setTitle] = useState(() => initial?.title ?? t("appointment.defaultTitle", { title: lead.title }));
  const [location, setLocation] = useState(initial?.location ?? "");
  const [link, setLink] = useState(initial?.link ?? "");
  const [attendee, setAttendee] = useState(initial ? (initial.attendee_id ?? "") : (me?.user.id ?? ""));
  const mode = initial ? "edit" : stageName ? "move" : "new";
  const zones = useMemo(() => timeZones(timezone), [timezone]);
  const errors = error instanceof ApiError ? error.fieldErrors() : {};
  const fieldError = (name: string) => errors[`appointment.${name}`] ?? (name === "title" ? errors.appointment : undefined);
  const endBeforeStart = end <= start;

  return (
    <Dialog open onOpenChange={(open) => !open && onCancel()}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{t(`appointment.dialog.${mode}.title`)}</DialogTitle>
          <DialogDescription>{t(`appointment.dialog.${mode}.description`, { title: lead.title, stage: stageName })}</DialogDescription>
        </DialogHeader>
        <form
          className="grid gap-4"
          onSubmit={(e) => {
            e.preventDefault();
            if (endBeforeStart) return;
            onSubmit({
              title: title.trim(),
              starts_at: withOffset(start, timezone),
              ends_at: withOffset(end, timezone),
              timezone,
              location: location.trim() || null,
              link: link.trim() || null,
              attendee_id: attendee || null,
            });
          }}
        >
          <Field label={t("appointment.what")} error={fieldError("title")}>
            <Input value={title} required maxLength={200} onChange={(e) => setTitle(e.target.value)} />
          </Field>
          <div className="grid gap-4 sm:grid-cols-2">
            <Field label={t("appointment.start")} error={fieldError("starts_at")}>
              <Input
                type="datetime-local"
                value={start}
                required
                onChange={(e) => {
                  const next = e.target.value;
                  // keep the length: the end follows the start
                  if (next && start && end > start) {
                    const minutes = (Date.parse(`${end}Z`) - Date.parse(`${start}Z`)) / 60_000;
                    setEnd(addMinutes(next, minutes));
                  }
                  setStart(next);
                }}
              />
            </Field>
            <Field label={t("appointment.end")} error={fieldError("ends_at") ?? (endBeforeStart ? t("appointment.endBeforeStart") : undefined)}>
              <Input type="datetime-local" value={end} required onChange={(e) => setEnd(e.target.value)} />
            </Field>
          </div>
          <Field label={t("appointment.timezone")} error={fieldError("timezone")}>
            <NativeSelect value={timezone} onChange={(e) => setTimezone(e.target.value)}>
              {zones.map((zone) => (
                <option key={zone} value={zone}>
                  {zone}
                </option>
              ))}
            </NativeSelect>
          </Field>
          <div className="grid gap-4 sm:grid-cols-2">
            <Field label={t("appointment.location")} error={fieldError("location")}>
              <Input value={location} maxLength={300} onChange={(e) => setLocation(e.target.value)} />
            </Field>
            <Field label={t("appointment.link")} error={fieldError("link")} hint={t("appointment.linkHint")}>
              <Input type="url" value={link} placeholder="https://" onChange={(e) => setLink(e.target.value)} />
            </Field>
          </div>
          <Field label={t("appointment.attendee")} error={fieldError("attendee_id")}>
            <NativeSelect value={attendee} onChange={(e) => setAttendee(e.target.value)}>
              {initial && !initial.attendee_id ? <option value="">{t("appointment.nobody")}</option> : null}
              {me ? <option value={me.user.id}>{t("appointment.me")}</option> : null}
              {(users.data ?? [])
                .filter((u) => u.id !== me?.user.id && u.is_active)
                .map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.name || u.email}
                  </option>
                ))}
            </NativeSelect>
          </Field>
          <DialogFooter>
            <Button type="button" variant="outline" onClick={onCancel}>
              {t("common:cancel")}
            </Button>
            <Button type="submit" disabled={pending || endBeforeStart || !title.trim()}>
              {pending ? t("common:saving") : t(`appointment.dialog.${mode}.submit`)}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
