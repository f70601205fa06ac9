import { useState } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Switch } from "@/components/ui/controls";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Field, Label } from "@/components/ui/field";
import { Input, Textarea } from "@/components/ui/input";
import { useFieldErrors } from "@/lib/hooks/use-field-errors";
import { type Endpoint, type EndpointWithSecret, useCreateEndpoint, useUpdateEndpoint } from "../api/webhooks";
import { EventTypePicker } from "./event-type-picker";

interface Props {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** The endpoint to edit; a new one when absent. */
  endpoint?: Endpoint;
  onCreated?: (endpoint: EndpointWithSecret) => void;
}

export function EndpointFormDialog({ open, onOpenChange, endpoint, onCreated }: Props) {
  const { t } = useTranslation("webhooks");
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent side="right">
        <DialogHeader>
          <DialogTitle>{endpoint ? t("form.editTitle") : t("form.createTitle")}</DialogTitle>
          <DialogDescription>{t("form.description")}</DialogDescription>
        </DialogHeader>
        {open ? <EndpointForm endpoint={endpoint} onDone={() => onOpenChange(false)} onCreated={onCreated} /> : null}
      </DialogContent>
    </Dialog>
  );
}

function EndpointForm({ endpoint, onDone, onCreated }: { endpoint?: Endpoint; onDone: () => void; onCreated?: (e: EndpointWithSecret) => void }) {
  const { t } = useTranslation("webhooks");
  const create = useCreateEndpoint();
  const update = useUpdateEndpoint(endpoint?.id ?? "");
  const { errors, fail, clear } = useFieldErrors();
  const [url, setUrl] = useState(endpoint?.url ?? "");
  const [description, setDescription] = useState(endpoint?.description ?? "");
  const [eventTypes, setEventTypes] = useState<string[]>(endpoint?.event_types ?? []);
  const [enabled, setEnabled] = useState(true);
  const pending = create.isPending || update.isPending;
  const submit = () => {
    const body = { url: url.trim(), description: description.trim() || null, event_types: eventTypes };
    if (endpoint) {
      update.mutate(body, {
        onSuccess: () => {
          toast.success(t("toast.saved"));
          onDone();
        },
        onError: fail,
      });
    } else {
      create.mutate(
        { ...body, enabled },
        {
          onSuccess: (created) => {
            toast.success(t("toast.created"));
            onDone();
            onCreated?.(created);
          },
          onError: fail,
        },
      );
    }
  };
  return (
    <form
      className="grid gap-4"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <Field label={t("form.url")} error={errors.url} hint={t("form.urlHint")}>
        <Input type="url" inputMode="url" required placeholder="https://example.com/webhooks/masteria" value={url} onChange={(e) => {
            setUrl(e.target.value);
            if (errors.url) clear();
          }} />
      </Field>
      <Field label={t("form.descriptionLabel")} error={errors.description}>
        <Textarea rows={2} maxLength={500} value={description} onChange={(e) => setDescription(e.target.value)} />
      </Field>
      <EventTypePicker value={eventTypes} onChange={setEventTypes} error={errors.event_types} />
      {!endpoint ? (
        <div className="flex items-center gap-2">
          <Switch id="endpoint-enabled" checked={enabled} onCheckedChange={setEnabled} />
          <Label htmlFor="endpoint-enabled">{t("form.enabled")}</Label>
        </div>
      ) : null}
      <DialogFooter>
        <Button type="button" variant="outline" onClick={onDone}>
          {t("common:cancel")}
        </Button>
        <Button type="submit" disabled={pending}>
          {pending ? t("common:saving") : endpoint ? t("common:save") : t("form.create")}
        </Button>
      </DialogFooter>
    </form>
  );
}
