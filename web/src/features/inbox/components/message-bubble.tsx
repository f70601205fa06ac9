import { AlertCircle, Ban, Check, CheckCheck, Clock, FileText, ImageOff, Info, Phone, PhoneIncoming, PhoneMissed, Reply as ReplyIcon } from "lucide-react";
import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Button } from "@/components/ui/button";
import { Tooltip } from "@/components/ui/controls";
import { useFormat } from "@/lib/i18n/format";
import { cn } from "@/lib/utils";
import { aiAuthor } from "../lib/ai";
import type { Message } from "../lib/cache";
import { AiAuthorLine } from "./ai-state";
import { callOf, duration, excerpt, failureReason, mediaOf, templateName, unsupportedOf, type CallView, type MediaView } from "../lib/message";

/** Why an outgoing message failed, as Meta says it, with its code (null: it did not fail, or Meta gave no reason). */
function useFailure(message: Message): string | null {
  const { t } = useTranslation("inbox");
  const failure = failureReason(message);
  if (!failure) return null;
  return [failure.detail, failure.code ? t("tick.code", { code: failure.code }) : null].filter(Boolean).join(" · ") || null;
}

/** The delivery tick of an outgoing message; its label (and a failure's reason) on hover or focus. */
export function DeliveryTick({ message }: { message: Message }) {
  const { t } = useTranslation("inbox");
  const reason = useFailure(message);
  let label: string;
  let icon: ReactNode;
  switch (message.status) {
    case "sent":
      label = t("tick.sent");
      icon = <Check className="size-3.5" aria-hidden="true" />;
      break;
    case "delivered":
      label = t("tick.delivered");
      icon = <CheckCheck className="size-3.5" aria-hidden="true" />;
      break;
    case "read":
      label = t("tick.read");
      icon = <CheckCheck className="size-3.5 text-sky-600" aria-hidden="true" />;
      break;
    case "failed": {
      label = reason ? t("tick.failedBecause", { reason }) : t("tick.failed");
      icon = <AlertCircle className="size-3.5 text-destructive" aria-hidden="true" />;
      break;
    }
    default:
      label = t("tick.sending");
      icon = <Clock className="size-3.5" aria-hidden="true" />;
  }
  return (
    <Tooltip content={label}>
      <span role="img" tabIndex={0} aria-label={label} data-status={message.status} className="inline-flex rounded-sm focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring">
        {icon}
      </span>
    </Tooltip>
  );
}

function MediaPreview({ media }: { media: MediaView }) {
  const { t } = useTranslation("inbox");
  const [broken, setBroken] = useState(false);
  if (!media.url) return <p className="text-xs italic text-muted-foreground">{t(media.pending ? "media.pending" : "media.unavailable")}</p>;
  switch (media.type) {
    case "image":
    case "sticker":
      if (broken)
        return (
          <a href={media.url} target="_blank" rel="noreferrer" className="flex items-center gap-2 rounded-md border bg-background/60 px-2 py-1.5 text-sm underline-offset-2 hover:underline">
            <ImageOff className="size-4 shrink-0" aria-hidden="true" />
            <span className="truncate">{t("media.openImage")}</span>
          </a>
        );
      return (
        <a href={media.url} target="_blank" rel="noreferrer" className="block">
          <img
            src={media.url}
            alt={media.caption ?? t(`media.${media.type}`)}
            loading="lazy"
            onError={() => setBroken(true)}
            className="max-h-64 max-w-full rounded-md object-contain"
          />
        </a>
      );
    case "video":
      return <video src={media.url} controls preload="metadata" className="max-h-64 max-w-full rounded-md" aria-label={media.caption ?? t("media.video")} />;
    case "audio":
      return <audio src={media.url} controls preload="metadata" className="max-w-full" aria-label={media.caption ?? t("media.audio")} />;
    case "document":
      return (
        <a href={media.url} target="_blank" rel="noreferrer" className="flex items-center gap-2 rounded-md border bg-background/60 px-2 py-1.5 text-sm underline-offset-2 hover:underline">
          <FileText className="size-4 shrink-0" aria-hidden="true" />
          <span className="truncate">{media.filename ?? t("media.document")}</span>
        </a>
      );
  }
}

/** When a message was sent, as the thread says it: the time today, the day and time before. */
function useWhen(at: string): string {
  const format = useFormat();
  const today = new Date(at).toDateString() === new Date().toDateString();
  return format.dateTime(at, today ? { hour: "2-digit", minute: "2-digit" } : { dateStyle: "short", timeStyle: "short" });
}

/** A call in the thread: its own row, centred (missed, answered with its duration, or ringing). */
function CallRow({ message, call }: { message: Message; call: CallView }) {
  const { t } = useTranslation("inbox");
  const when = useWhen(message.sent_at);
  const label =
    call.status === "missed" ? t("call.missed") : call.status === "answered" ? t("call.answered", { duration: duration(call.duration) }) : t("call.ringing");
  const Icon = call.status === "missed" ? PhoneMissed : call.status === "answered" ? Phone : PhoneIncoming;
  return (
    <div className="flex justify-center px-3 py-1.5" data-call={call.status}>
      <p className={cn("inline-flex items-center gap-2 rounded-full border bg-background px-3 py-1 text-xs shadow-sm", call.status === "missed" && "border-destructive/40 text-destructive")}>
        <Icon className="size-3.5 shrink-0" aria-hidden="true" />
        <span>{call.fromContact ? label : t("call.ours", { label })}</span>
        <time dateTime={message.sent_at} className="text-muted-foreground">{when}</time>
      </p>
    </div>
  );
}

/** Meta's notice in the thread (the contact's number changed): its own row, no bubble. */
function SystemRow({ message }: { message: Message }) {
  const { t } = useTranslation("inbox");
  const when = useWhen(message.sent_at);
  return (
    <div className="flex justify-center px-3 py-1.5" data-system="true">
      <p className="inline-flex max-w-[90%] items-center gap-2 rounded-md bg-muted px-3 py-1 text-center text-xs text-muted-foreground">
        <Info className="size-3.5 shrink-0" aria-hidden="true" />
        <span>{message.text ?? t("thread.system")}</span>
        <time dateTime={message.sent_at}>{when}</time>
      </p>
    </div>
  );
}

/** The reactions under a message: one per person, as its emoji. */
function Reactions({ message, out }: { message: Message; out: boolean }) {
  const { t } = useTranslation("inbox");
  const reactions = message.reactions ?? [];
  if (!reactions.length) return null;
  return (
    <ul aria-label={t("thread.reactions")} className={cn("-mt-1.5 flex gap-1 px-2", out ? "justify-end" : "justify-start")}>
      {reactions.map((r) => (
        <li key={r.by} className="rounded-full border bg-background px-1.5 text-sm leading-6 shadow-sm">
          <span role="img" aria-label={t("thread.reaction", { emoji: r.emoji })}>{r.emoji}</span>
        </li>
      ))}
    </ul>
  );
}

export function MessageBubble({ message, quoted, onReply }: { message: Message; quoted: Message | null | undefined; onReply: (message: Message) => void }) {
  const { t } = useTranslation("inbox");
  const format = useFormat();
  const when = useWhen(message.sent_at);
  const failure = useFailure(message);
  const call = callOf(message);
  if (call) return <CallRow message={message} call={call} />;
  if (message.type === "system") return <SystemRow message={message} />;
  const out = message.direction === "out";
  const ai = aiAuthor(message);
  const deleted = Boolean(message.deleted_at);
  const media = deleted ? null : mediaOf(message);
  const template = templateName(message);
  const body = deleted ? null : media ? media.caption : message.text;
  const unsupported = deleted || media || body ? null : unsupportedOf(message);
  return (
    <div className={cn("group flex items-end gap-1 px-3 py-1", out ? "flex-row-reverse" : "flex-row")}>
      <div className={cn("flex max-w-[85%] flex-col sm:max-w-[70%]", out ? "items-end" : "items-start")}>
        <div
          className={cn(
            "grid max-w-full gap-1 break-words rounded-lg border px-3 py-2 text-sm shadow-sm",
            out ? (ai ? "rounded-br-sm border-violet-200 bg-violet-50" : "rounded-br-sm border-emerald-200 bg-emerald-50") : "rounded-bl-sm bg-background",
            message.status === "failed" && "border-destructive/50",
          )}
        >
          <span className="sr-only">{ai ? t("ai.sentByAiSr") : out ? t("thread.sentByUs") : t("thread.fromContact")}</span>
          {ai ? <AiAuthorLine author={ai} /> : null}
          {message.reply_to_wamid && !deleted ? (
            <blockquote className="border-l-2 border-primary/60 bg-muted/60 px-2 py-1 text-xs text-muted-foreground">
              <span className="sr-only">{t("thread.quoting")} </span>
              {quoted ? excerpt(quoted.text ?? t(`media.${quoted.type}`, { defaultValue: quoted.type })) : t("thread.quotedUnknown")}
            </blockquote>
          ) : null}
          {template ? <p className="text-xs font-medium text-muted-foreground">{t("thread.template", { name: template })}</p> : null}
          {deleted ? (
            <p className="flex items-center gap-1.5 italic text-muted-foreground" data-deleted="true">
              <Ban className="size-3.5 shrink-0" aria-hidden="true" />
              {t("thread.deleted")}
            </p>
          ) : null}
          {media ? <MediaPreview media={media} /> : null}
          {body ? <p className="whitespace-pre-wrap">{body}</p> : null}
          {unsupported ? (
            <p className="text-xs italic text-muted-foreground" data-unsupported={unsupported.type}>
              {unsupported.type === "unsupported" ? t("thread.unsupportedByWhatsApp") : t("thread.unsupported", { type: unsupported.type })}
              {unsupported.reason ? <span className="block not-italic">{unsupported.reason}</span> : null}
            </p>
          ) : null}
          {out && failure ? <p className="text-xs text-destructive">{failure}</p> : null}
          <span className="flex items-center justify-end gap-1 text-[11px] text-muted-foreground">
            {message.edited_at && !deleted ? (
              <Tooltip content={t("thread.editedAt", { time: format.dateTime(message.edited_at, { dateStyle: "short", timeStyle: "short" }) })}>
                <span tabIndex={0} className="rounded-sm italic focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring" data-edited="true">
                  {t("thread.edited")}
                </span>
              </Tooltip>
            ) : null}
            <time dateTime={message.sent_at}>{when}</time>
            {out ? <DeliveryTick message={message} /> : null}
          </span>
        </div>
        <Reactions message={message} out={out} />
      </div>
      {deleted ? null : (
        <Button
          variant="ghost"
          size="icon"
          className="size-7 opacity-60 group-hover:opacity-100 focus-visible:opacity-100"
          aria-label={t("thread.replyTo", { text: excerpt(message.text ?? message.type, 40) })}
          onClick={() => onReply(message)}
        >
          <ReplyIcon aria-hidden="true" />
        </Button>
      )}
    </div>
  );
}
