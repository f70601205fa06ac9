import { History, Send } from "lucide-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input, NativeSelect } from "@/components/ui/input";
import { useFieldErrors } from "@/lib/hooks/use-field-errors";
import { type Endpoint, useReplay, useSendTest } from "../api/webhooks";

/** Send an example event of one of the endpoint's types now. */
export function SendTestDialog({ endpoint, onSent }: { endpoint: Endpoint; onSent: () => void }) {
  const { t } = useTranslation("webhooks");
  const [open, setOpen] = useState(false);
  const [eventType, setEventType] = useState(endpoint.event_types[0] ?? "");
  const send = useSendTest(endpoint.id);
  const { errors, fail } = useFieldErrors();
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button variant="outline">
          <Send aria-hidden="true" />
          {t("test.open")}
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{t("test.title")}</DialogTitle>
          <DialogDescription>{t("test.description")}</DialogDescription>
        </DialogHeader>
        <form
          className="grid gap-4"
          onSubmit={(e) => {
            e.preventDefault();
            send.mutate(
              { event_type: eventType },
              {
                onSuccess: () => {
                  toast.success(t("test.sent"));
                  setOpen(false);
                  onSent();
                },
                onError: fail,
              },
            );
          }}
        >
          <Field label={t("test.eventType")} error={errors.event_type}>
            <NativeSelect value={eventType} onChange={(e) => setEventType(e.target.value)}>
              {endpoint.event_types.map((type) => (
                <option key={type} value={type}>
                  {type}
                </option>
              ))}
            </NativeSelect>
          </Field>
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => setOpen(false)}>
              {t("common:cancel")}
            </Button>
            <Button type="submit" disabled={send.isPending || !eventType}>
              {t("test.send")}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

/** The local time an hour ago as a datetime-local value. */
function anHourAgo(): string {
  const d = new Date(Date.now() - 3600_000);
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
}

/** Deliver again every message whose delivery failed since a time (after the receiver was fixed). */
export function ReplayFailedDialog({ endpoint, onQueued }: { endpoint: Endpoint; onQueued: () => void }) {
  const { t } = useTranslation("webhooks");
  const [open, setOpen] = useState(false);
  const [since, setSince] = useState(anHourAgo);
  const replay = useReplay(endpoint.id);
  const { errors, fail } = useFieldErrors();
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button variant="outline">
          <History aria-hidden="true" />
          {t("replayFailed.open")}
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{t("replayFailed.title")}</DialogTitle>
          <DialogDescription>{t("replayFailed.description")}</DialogDescription>
        </DialogHeader>
        <form
          className="grid gap-4"
          onSubmit={(e) => {
            e.preventDefault();
            replay.mutate(
              { since: new Date(since).toISOString() },
              {
                onSuccess: (r) => {
                  toast.success(t("log.replayed", { count: r.queued }));
                  setOpen(false);
                  onQueued();
                },
                onError: fail,
              },
            );
          }}
        >
          <Field label={t("replayFailed.since")} error={errors.since}>
            <Input type="datetime-local" required value={since} onChange={(e) => setSince(e.target.value)} />
          </Field>
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => setOpen(false)}>
              {t("common:cancel")}
            </Button>
            <Button type="submit" disabled={replay.isPending || !since}>
              {t("replayFailed.submit")}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
