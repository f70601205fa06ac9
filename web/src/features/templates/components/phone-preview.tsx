import { ExternalLink, FileText, Image, Phone, Reply, Video } from "lucide-react";
import { useTranslation } from "react-i18next";

export interface PhoneMessage {
  header?: string | null;
  /** A media header: its kind and, once filled in, its link. */
  headerMedia?: { type: string; link?: string } | null;
  body: string;
  footer?: string | null;
  buttons?: { type: string; text: string; url?: string }[];
}

const MEDIA_ICON = { image: Image, video: Video, document: FileText } as const;

/** A WhatsApp-style chat bubble: header, body, footer, then the buttons under it, on a phone's screen. */
export function PhonePreview({ message, title }: { message: PhoneMessage; title?: string }) {
  const { t } = useTranslation("templates");
  const media = message.headerMedia;
  const MediaIcon = media ? (MEDIA_ICON[media.type.toLowerCase() as keyof typeof MEDIA_ICON] ?? FileText) : null;
  return (
    <figure aria-label={title ?? t("phone.label")} className="mx-auto w-full max-w-[300px] rounded-[2rem] border-4 border-neutral-800 bg-neutral-800 p-1 shadow-lg">
      <div className="rounded-t-[1.6rem] bg-[#075e54] px-4 py-2 text-sm font-medium text-white">{t("phone.chat")}</div>
      <div className="min-h-48 rounded-b-[1.6rem] bg-[#e5ddd5] p-3">
        <div className="max-w-[95%] rounded-lg rounded-tl-none bg-white shadow-sm">
          {media && MediaIcon ? (
            <div className="m-1 flex h-28 flex-col items-center justify-center gap-1 rounded-md bg-neutral-200 text-neutral-700">
              <MediaIcon className="size-8" aria-hidden="true" />
              <span className="max-w-full truncate px-2 text-xs">{media.link ?? t(`phone.media.${media.type.toLowerCase()}`, { defaultValue: media.type })}</span>
            </div>
          ) : null}
          <div className="grid gap-1 px-2.5 py-2 text-sm text-neutral-900">
            {message.header ? <p className="font-semibold break-words">{message.header}</p> : null}
            <p className="whitespace-pre-wrap break-words">{message.body || "\u00a0"}</p>
            {message.footer ? <p className="text-xs break-words text-neutral-600">{message.footer}</p> : null}
            <p className="text-right text-[10px] text-neutral-600">12:00</p>
          </div>
        </div>
        {message.buttons?.length ? (
          <ul className="mt-1 grid w-[95%] gap-1">
            {message.buttons.map((button, i) => {
              const Icon = button.type === "URL" ? ExternalLink : button.type === "PHONE_NUMBER" ? Phone : Reply;
              return (
                <li key={i} className="flex min-w-0 items-center justify-center gap-1.5 overflow-hidden rounded-lg bg-white px-2 py-1.5 text-sm font-medium text-[#0b6bcb] shadow-sm" title={button.url}>
                  <Icon className="size-4" aria-hidden="true" />
                  <span className="min-w-0 truncate">{button.text || "\u00a0"}</span>
                </li>
              );
            })}
          </ul>
        ) : null}
      </div>
    </figure>
  );
}
