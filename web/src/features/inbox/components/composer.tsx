import { Clock, Send, X } from "lucide-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input, NativeSelect, Textarea } from "@/components/ui/input";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { SmsSegments } from "@/features/sms";
import { useFieldErrors } from "@/lib/hooks/use-field-errors";
import { useReply, type Reply } from "../api/inbox";
import type { Message } from "../lib/cache";
import type { Conversation } from "../lib/filters";
import { excerpt } from "../lib/message";
import { TemplatePicker } from "./template-picker";

type Mode = "text" | "media" | "template";
type MediaKind = "image" | "video" | "audio" | "document";

/**
 * Text, media (a link and a caption) or a WhatsApp template; only a template once the 24-hour window is closed.
 * An SMS conversation has text only (no window), with its segments and cost counted as one types.
 */
export function Composer({ conversation, replyTo, onClearReply }: { conversation: Conversation; replyTo: Message | null; onClearReply: () => void }) {
  const { t } = useTranslation("inbox");
  const reply = useReply(conversation.id);
  const { errors, fail, clear } = useFieldErrors();
  const sms = conversation.channel === "sms";
  const closed = !sms && !conversation.window_open;
  const [chosenMode, setMode] = useState<Mode>("text");
  const mode: Mode = closed ? "template" : chosenMode;
  const [text, setText] = useState("");
  const [templatesSent, setTemplatesSent] = useState(0); // a sent template leaves the picker empty again
  const [media, setMedia] = useState<{ type: MediaKind; link: string; caption: string; filename: string }>({ type: "image", link: "", caption: "", filename: "" });

  const send = (body: Reply, done?: () => void) => {
    reply.mutate(
      { ...body, reply_to: replyTo?.id ?? null },
      {
        onSuccess: () => {
          clear();
          onClearReply();
          done?.();
        },
        onError: fail,
      },
    );
  };
  const sendText = () => {
    if (!text.trim() || reply.isPending) return;
    send({ text }, () => setText(""));
  };
  const sendMedia = () => {
    if (!media.link.trim()) return;
    send(
      {
        media: {
          type: media.type,
          link: media.link.trim(),
          caption: media.caption.trim() && media.type !== "audio" ? media.caption.trim() : null,
          filename: media.type === "document" && media.filename.trim() ? media.filename.trim() : null,
        },
      },
      () => setMedia((m) => ({ ...m, link: "", caption: "", filename: "" })),
    );
  };
  const sendTemplate = (templateId: string) =>
    send({ template_id: templateId }, () => {
      toast.success(t("composer.templateSent"));
      setTemplatesSent((n) => n + 1);
      setMode("text");
    });

  return (
    <div className="border-t bg-background p-3">
      {closed ? (
        <div role="status" className="mb-2 flex items-start gap-2 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          <Clock className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
          <span>{t("composer.windowClosed")}</span>
        </div>
      ) : null}
      {replyTo ? (
        <div className="mb-2 flex items-center gap-2 rounded-md border-l-4 border-primary bg-muted px-3 py-1.5 text-xs">
          <span className="min-w-0 flex-1 truncate">
            <span className="font-medium">{t("composer.replyingTo")}</span> {excerpt(replyTo.text ?? replyTo.type, 60)}
          </span>
          <Button variant="ghost" size="icon" className="size-6" aria-label={t("composer.cancelReply")} onClick={onClearReply}>
            <X aria-hidden="true" />
          </Button>
        </div>
      ) : null}
      <Tabs value={sms ? "text" : mode} onValueChange={(v) => setMode(v as Mode)}>
        <TabsList aria-label={t("composer.kind")} hidden={sms}>
          <TabsTrigger value="text" disabled={closed}>
            {t("composer.text")}
          </TabsTrigger>
          <TabsTrigger value="media" disabled={closed}>
            {t("composer.media")}
          </TabsTrigger>
          <TabsTrigger value="template">{t("composer.template")}</TabsTrigger>
        </TabsList>
        <TabsContent value="text" className={sms ? undefined : "mt-2"}>
          <form
            className="flex items-end gap-2"
            onSubmit={(e) => {
              e.preventDefault();
              sendText();
            }}
          >
            <Field label={sms ? t("composer.smsMessage") : t("composer.message")} error={errors.text} className="min-w-0 flex-1 [&>label]:sr-only">
              <Textarea
                value={text}
                rows={2}
                maxLength={4096}
                placeholder={sms ? t("composer.smsPlaceholder") : t("composer.placeholder")}
                aria-describedby={sms ? `sms-segments-${conversation.id}` : undefined}
                className="min-h-[44px] resize-none"
                onChange={(e) => setText(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
                    e.preventDefault();
                    sendText();
                  }
                }}
              />
            </Field>
            <Button type="submit" disabled={!text.trim() || reply.isPending}>
              <Send aria-hidden="true" />
              <span className="hidden sm:inline">{reply.isPending ? t("composer.sending") : t("composer.send")}</span>
              <span className="sr-only sm:hidden">{t("composer.send")}</span>
            </Button>
          </form>
          {sms ? <SmsSegments id={`sms-segments-${conversation.id}`} text={text} connectionId={conversation.connection_id} className="mt-1.5" /> : null}
        </TabsContent>
        <TabsContent value="media" className="mt-2">
          <form
            className="grid gap-2 sm:grid-cols-[8rem_1fr]"
            onSubmit={(e) => {
              e.preventDefault();
              sendMedia();
            }}
          >
            <Field label={t("composer.mediaType")} error={errors["media.type"]}>
              <NativeSelect value={media.type} onChange={(e) => setMedia((m) => ({ ...m, type: e.target.value as MediaKind }))}>
                {(["image", "video", "audio", "document"] as const).map((kind) => (
                  <option key={kind} value={kind}>
                    {t(`media.${kind}`)}
                  </option>
                ))}
              </NativeSelect>
            </Field>
            <Field label={t("composer.link")} error={errors["media.link"] ?? errors.media}>
              <Input type="url" required placeholder="https://" value={media.link} onChange={(e) => setMedia((m) => ({ ...m, link: e.target.value }))} />
            </Field>
            {media.type !== "audio" ? (
              <Field label={t("composer.caption")} error={errors["media.caption"]} className="sm:col-span-2">
                <Input value={media.caption} maxLength={1024} onChange={(e) => setMedia((m) => ({ ...m, caption: e.target.value }))} />
              </Field>
            ) : null}
            {media.type === "document" ? (
              <Field label={t("composer.filename")} error={errors["media.filename"]} className="sm:col-span-2">
                <Input value={media.filename} maxLength={240} onChange={(e) => setMedia((m) => ({ ...m, filename: e.target.value }))} />
              </Field>
            ) : null}
            <div className="flex justify-end sm:col-span-2">
              <Button type="submit" disabled={!media.link.trim() || reply.isPending}>
                <Send aria-hidden="true" />
                {reply.isPending ? t("composer.sending") : t("composer.sendMedia")}
              </Button>
            </div>
          </form>
        </TabsContent>
        <TabsContent value="template" className="mt-2">
          <TemplatePicker key={templatesSent} connectionId={conversation.connection_id} contactId={conversation.contact.id} sending={reply.isPending} error={errors.template_id} onSend={sendTemplate} />
        </TabsContent>
      </Tabs>
    </div>
  );
}
