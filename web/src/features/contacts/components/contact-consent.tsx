import { MessageSquareReply, UserRound } from "lucide-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input, NativeSelect } from "@/components/ui/input";
import { SkeletonRows } from "@/components/ui/skeleton";
import { ErrorState, LoadMore } from "@/components/ui/states";
import { useFieldErrors } from "@/lib/hooks/use-field-errors";
import { useFormat } from "@/lib/i18n/format";
import { useConsentEvents, useConsentEventsChanged, type ConsentEvent } from "../api/consent-events";
import { CHANNELS, useSetConsent, type Channel, type Contact } from "../api/contacts";
import { eventDetails } from "./consent-timeline";

function EventItem({ event }: { event: ConsentEvent }) {
  const { t } = useTranslation("contacts");
  const format = useFormat();
  const optedIn = event.status === "opted_in";
  const who =
    event.source === "inbound_keyword"
      ? t("contacts.consent.timeline.keyword")
      : event.source === "whatsapp_preferences"
        ? t("contacts.consent.timeline.whatsapp")
        : event.actor
        ? t("contacts.consent.timeline.by", { name: event.actor.name })
        : t("contacts.consent.timeline.byRemoved");
  const Icon = event.source === "user" ? UserRound : MessageSquareReply;
  return (
    <li className="relative grid gap-0.5 pb-3 pl-4 last:pb-0">
      <span
        aria-hidden="true"
        className={`absolute -left-[5.5px] top-1.5 size-2.5 rounded-full ring-2 ring-background ${optedIn ? "bg-green-600" : "bg-red-600"}`}
      />
      <p className="flex flex-wrap items-baseline gap-x-2 text-sm">
        <span className="font-medium">{t(`contacts.consent.timeline.event.${event.status}`)}</span>
        <time dateTime={event.created_at} className="text-xs text-muted-foreground">
          {format.dateTime(event.created_at)}
        </time>
      </p>
      <p className="flex items-center gap-1 text-xs text-muted-foreground">
        <Icon className="size-3.5 shrink-0" aria-hidden="true" />
        <span className="min-w-0 break-words">{who}</span>
      </p>
      {eventDetails(event).map(([key, text]) => (
        <p key={key} className="min-w-0 break-words text-xs text-muted-foreground">
          {t(`contacts.consent.timeline.${key}`, { text })}
        </p>
      ))}
    </li>
  );
}

/** One channel's history, newest first, five at a time. Changes made before the history existed show as
 * the state's last opt-in and opt-out. */
function ConsentHistory({ contact, channel, channelName }: { contact: Contact; channel: Channel; channelName: string }) {
  const { t } = useTranslation("contacts");
  const format = useFormat();
  const events = useConsentEvents(contact.id, channel);
  const consent = contact.consents.find((c) => c.channel === channel);
  const label = t("contacts.consent.history", { channel: channelName });
  if (events.isPending) return <SkeletonRows rows={2} className="p-0" />;
  if (events.isError) return <ErrorState error={events.error} onRetry={() => void events.refetch()} />;
  if (!events.items.length) {
    const earlier = [
      consent?.opted_in_at
        ? { at: consent.opted_in_at, text: t("contacts.consent.optedInAt", { source: consent.opt_in_source || "—", proof: consent.opt_in_proof || "—" }) }
        : null,
      consent?.opted_out_at ? { at: consent.opted_out_at, text: t("contacts.consent.optedOutAt", { reason: consent.opt_out_reason || "—" }) } : null,
    ]
      .filter((e): e is { at: string; text: string } => e !== null)
      .sort((a, b) => b.at.localeCompare(a.at));
    if (!earlier.length) return <p className="text-xs text-muted-foreground">{t("contacts.consent.noHistory")}</p>;
    return (
      <ol className="grid gap-1 text-xs text-muted-foreground" aria-label={label}>
        {earlier.map((entry) => (
          <li key={entry.at}>
            <time dateTime={entry.at}>{format.dateTime(entry.at)}</time> · {entry.text}
          </li>
        ))}
      </ol>
    );
  }
  return (
    <div className="grid gap-1">
      <h5 className="text-xs font-medium text-muted-foreground">{t("contacts.consent.timeline.title")}</h5>
      <ol className="ml-1.5 border-l" aria-label={label}>
        {events.items.map((event) => (
          <EventItem key={event.id} event={event} />
        ))}
      </ol>
      <LoadMore hasMore={events.hasNextPage} loading={events.isFetchingNextPage} onClick={() => void events.fetchNextPage()} />
    </div>
  );
}

function ConsentCard({ contact, channel }: { contact: Contact; channel: Channel }) {
  const { t } = useTranslation("contacts");
  const consent = contact.consents.find((c) => c.channel === channel);
  const set = useSetConsent(contact.id);
  const historyChanged = useConsentEventsChanged();
  const { errors, fail, clear } = useFieldErrors();
  const [status, setStatus] = useState<"opted_in" | "opted_out">(consent?.status === "opted_in" ? "opted_out" : "opted_in");
  const [source, setSource] = useState("");
  const [proof, setProof] = useState("");
  const [reason, setReason] = useState("");
  const channelName = t(`contacts.channels.${channel}`);

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const body = status === "opted_in" ? { status, source: source || null, proof: proof || null } : { status, reason: reason || null };
    set.mutate(
      { channel, body },
      {
        onSuccess: (saved) => {
          clear();
          setSource("");
          setProof("");
          setReason("");
          setStatus(saved.consents.find((c) => c.channel === channel)?.status === "opted_in" ? "opted_out" : "opted_in");
          void historyChanged(contact.id);
          toast.success(t("contacts.consent.saved", { channel: channelName }));
        },
        onError: fail,
      },
    );
  };

  return (
    <div className="grid min-w-0 gap-3 rounded-md border p-3">
      <div className="flex items-center justify-between gap-2">
        <h4 className="text-sm font-medium">{channelName}</h4>
        <Badge variant={consent?.status === "opted_in" ? "success" : consent?.status === "opted_out" ? "destructive" : "secondary"}>
          {t(`contacts.consent.status.${consent?.status ?? "unknown"}`)}
        </Badge>
      </div>
      <ConsentHistory contact={contact} channel={channel} channelName={channelName} />
      <form onSubmit={submit} className="grid gap-2 border-t pt-3" aria-label={t("contacts.consent.change", { channel: channelName })}>
        <Field label={t("contacts.consent.record", { channel: channelName })}>
          <NativeSelect value={status} onChange={(e) => setStatus(e.target.value as "opted_in" | "opted_out")}>
            <option value="opted_in">{t("contacts.consent.actions.opted_in")}</option>
            <option value="opted_out">{t("contacts.consent.actions.opted_out")}</option>
          </NativeSelect>
        </Field>
        {status === "opted_in" ? (
          <div className="grid gap-2 sm:grid-cols-2">
            <Field label={t("contacts.consent.source")} error={errors.source} hint={t("contacts.consent.sourceHint")} className="content-start">
              <Input value={source} onChange={(e) => setSource(e.target.value)} />
            </Field>
            <Field label={t("contacts.consent.proof")} error={errors.proof} className="content-start">
              <Input value={proof} onChange={(e) => setProof(e.target.value)} />
            </Field>
          </div>
        ) : (
          <Field label={t("contacts.consent.reason")} error={errors.reason}>
            <Input value={reason} onChange={(e) => setReason(e.target.value)} />
          </Field>
        )}
        <div className="flex justify-end">
          <Button type="submit" size="sm" variant="secondary" disabled={set.isPending}>
            {t("contacts.consent.submit", { channel: channelName })}
          </Button>
        </div>
      </form>
    </div>
  );
}

/** The contact panel's consent part: per channel, the current state, its history and the form to change it. */
export function ContactConsent({ contact }: { contact: Contact }) {
  return (
    <>
      {CHANNELS.map((channel) => (
        <ConsentCard key={channel} contact={contact} channel={channel} />
      ))}
    </>
  );
}
