/** A lead's appointments in its panel: each one's time and place; a scheduled one can be changed (rescheduled,
 * another attendee or place) or set done, no-show or cancelled, with the version seen (a 409 says it changed and
 * shows it as it is now); a new one can be added. */
import { Ban, CalendarClock, CheckCircle2, Pencil, Plus, UserX } from "lucide-react";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Confirm } from "@/components/ui/confirm";
import { SkeletonRows } from "@/components/ui/skeleton";
import { ErrorState } from "@/components/ui/states";
import { ApiError } from "@/lib/api/problem";
import { useFormat } from "@/lib/i18n/format";
import { useAppointments, useCreateAppointment, useUpdateAppointment, type Appointment } from "../api/pipelines";
import type { Lead } from "../lib/board";
import { AppointmentDialog } from "./appointment-dialog";

type AppointmentStatus = Appointment["status"];

export function AppointmentLine({ appointment: a }: { appointment: Appointment }) {
  const { t } = useTranslation("pipelines");
  const format = useFormat();
  return (
    <div className="grid gap-0.5 text-sm">
      <p className="font-medium">
        {a.title} <Badge variant={a.status === "scheduled" ? "secondary" : "outline"}>{t(`appointment.status.${a.status}`)}</Badge>
      </p>
      <p className="text-xs text-muted-foreground">
        <time dateTime={a.starts_at}>{format.dateTime(a.starts_at, { dateStyle: "medium", timeStyle: "short", timeZone: a.timezone })}</time> – {format.dateTime(a.ends_at, { timeStyle: "short", timeZone: a.timezone })} ({a.timezone})
      </p>
      {a.location ? <p className="text-xs">{a.location}</p> : null}
      {a.link ? (
        <a className="text-xs text-primary underline [overflow-wrap:anywhere]" href={a.link} target="_blank" rel="noreferrer noopener">
          {a.link}
        </a>
      ) : null}
    </div>
  );
}

function AppointmentActions({ appointment: a, lead }: { appointment: Appointment; lead: Lead }) {
  const { t } = useTranslation("pipelines");
  const update = useUpdateAppointment(lead.id);
  // the appointment as it was when the dialog opened: its version goes with the change (a 409 if it changed since)
  const [editing, setEditing] = useState<Appointment | null>(null);
  const failed = (error: Error) => {
    if (error instanceof ApiError && error.status === 409) {
      setEditing(null);
      toast.error(t("appointment.changedMeanwhile"));
    } else toast.error(error.message);
  };
  // mutateAsync, not mutate's callbacks: once the status is no longer "scheduled" these actions unmount (the cache or
  // a realtime frame may get there first), and callbacks given to mutate never fire for an unmounted component
  const setStatus = (status: AppointmentStatus) =>
    update
      .mutateAsync({ id: a.id, body: { status, version: a.version } })
      .then(() => toast.success(t(`appointment.marked.${status}`)), failed);
  return (
    <div className="flex flex-wrap gap-1">
      <Button variant="outline" size="sm" aria-label={`${t("appointment.edit")}: ${a.title}`} onClick={() => setEditing(a)}>
        <Pencil aria-hidden="true" />
        {t("appointment.edit")}
      </Button>
      <Button variant="ghost" size="sm" aria-label={`${t("appointment.markDone")}: ${a.title}`} disabled={update.isPending} onClick={() => setStatus("done")}>
        <CheckCircle2 aria-hidden="true" />
        {t("appointment.markDone")}
      </Button>
      <Button variant="ghost" size="sm" aria-label={`${t("appointment.markNoShow")}: ${a.title}`} disabled={update.isPending} onClick={() => setStatus("no_show")}>
        <UserX aria-hidden="true" />
        {t("appointment.markNoShow")}
      </Button>
      <Confirm
        title={t("appointment.cancelTitle", { title: a.title })}
        description={t("appointment.cancelDescription")}
        action={t("appointment.cancel")}
        onConfirm={() => setStatus("cancelled")}
      >
        <Button variant="ghost" size="sm" className="text-destructive" aria-label={`${t("appointment.cancel")}: ${a.title}`} disabled={update.isPending}>
          <Ban aria-hidden="true" />
          {t("appointment.cancel")}
        </Button>
      </Confirm>
      {editing ? (
        <AppointmentDialog
          lead={lead}
          initial={editing}
          pending={update.isPending}
          error={update.error}
          onCancel={() => setEditing(null)}
          onSubmit={(body) =>
            update.mutate(
              { id: a.id, body: { ...body, version: editing.version } },
              {
                onSuccess: () => (setEditing(null), toast.success(t("appointment.saved"))),
                onError: (error) => !(error instanceof ApiError && error.status === 422) && failed(error),
              },
            )
          }
        />
      ) : null}
    </div>
  );
}

export function Appointments({ lead }: { lead: Lead }) {
  const { t } = useTranslation("pipelines");
  const list = useAppointments(lead.id);
  const create = useCreateAppointment(lead.id);
  const [adding, setAdding] = useState(false);
  const heading = useId();
  return (
    <section aria-labelledby={heading} className="grid gap-2">
      <div className="flex items-center justify-between gap-2">
        <h3 id={heading} className="flex items-center gap-2 text-sm font-semibold">
          <CalendarClock className="size-4" aria-hidden="true" />
          {t("lead.appointments")}
        </h3>
        <Button variant="outline" size="sm" onClick={() => setAdding(true)}>
          <Plus aria-hidden="true" />
          {t("appointment.add")}
        </Button>
      </div>
      {list.isPending ? <SkeletonRows rows={1} className="p-0" /> : null}
      {list.isError ? <ErrorState error={list.error} onRetry={() => void list.refetch()} /> : null}
      {list.isSuccess && !list.data.length ? <p className="text-sm text-muted-foreground">{t("lead.noAppointments")}</p> : null}
      {list.data?.length ? (
        <ul className="grid gap-2" aria-label={t("lead.appointments")}>
          {list.data.map((a) => (
            <li key={a.id} className="grid gap-2 rounded-md border p-2" aria-label={a.title}>
              <AppointmentLine appointment={a} />
              {a.status === "scheduled" ? <AppointmentActions appointment={a} lead={lead} /> : null}
            </li>
          ))}
        </ul>
      ) : null}
      {adding ? (
        <AppointmentDialog
          lead={lead}
          pending={create.isPending}
          error={create.error}
          onCancel={() => setAdding(false)}
          onSubmit={(body) =>
            create.mutate(body, {
              onSuccess: () => (setAdding(false), toast.success(t("appointment.created"))),
              onError: (error) => !(error instanceof ApiError && error.status === 422) && toast.error(error.message),
            })
          }
        />
      ) : null}
    </section>
  );
}
