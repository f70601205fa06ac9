/** What a message shows: its media, the reason it failed, a short excerpt for quotes and the list. */
import type { Message } from "./cache";

export const MEDIA_TYPES = ["image", "video", "audio", "document", "sticker"] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

export interface MediaView {
  type: MediaType;
  url: string | null;
  caption: string | null;
  filename: string | null;
  /** an inbound file still being copied from WhatsApp (it shows when it lands) */
  pending: boolean;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function text(value: unknown): string | null {
  return typeof value === "string" && value ? value : null;
}

function isMediaType(type: string): type is MediaType {
  return (MEDIA_TYPES as readonly string[]).includes(type);
}

/** The media of a message: a stored inbound file (`media_url`) or the link we sent. */
export function mediaOf(message: Message): MediaView | null {
  if (!isMediaType(message.type)) return null;
  const body = record(message.content[message.type]);
  return {
    type: message.type,
    url: message.media_url ?? text(body.link),
    caption: text(body.caption),
    filename: text(body.filename),
    pending: message.direction === "in" && !message.media_url && message.content.stored === undefined,
  };
}

/** Meta's reason for a failure (`errors[0]`: code, title, message, error_data.details). */
export function failureReason(message: Message): { code: string | null; detail: string | null } | null {
  if (message.status !== "failed") return null;
  const first = record(message.errors[0]);
  const code = first.code === undefined || first.code === null ? null : String(first.code);
  const detail = text(record(first.error_data).details) ?? text(first.message) ?? text(first.title);
  return { code, detail };
}

/** The name of the template a message sent, if it was one. */
export function templateName(message: Message): string | null {
  return message.type === "template" ? text(record(message.content.template).name) : null;
}

/** A one-line excerpt (quotes, the conversation list). */
export function excerpt(value: string | null | undefined, length = 80): string {
  const line = (value ?? "").replace(/\s+/g, " ").trim();
  return line.length > length ? `${line.slice(0, length - 1)}…` : line;
}

/** A WhatsApp call shown in the thread: ringing, answered (with its duration in seconds) or missed. */
export interface CallView {
  status: "ringing" | "answered" | "missed";
  duration: number;
  fromContact: boolean;
}

export function callOf(message: Message): CallView | null {
  if (message.type !== "call") return null;
  const call = record(message.content.call);
  const status = call.status === "answered" || call.status === "missed" ? call.status : "ringing";
  const duration = typeof call.duration === "number" && call.duration > 0 ? call.duration : 0;
  return { status, duration, fromContact: call.direction !== "business_initiated" };
}

/** A call's duration as m:ss (or h:mm:ss). */
export function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** The types the thread shows as a message (anything else is shown as a kind it does not show yet). */
const SHOWN = new Set(["text", "template", "location", "contacts", "interactive", "button", "order", "reaction", ...MEDIA_TYPES]);

/** What a message of a kind we do not show is: Meta's "unsupported" (with its error title) or another type. */
export function unsupportedOf(message: Message): { type: string; reason: string | null } | null {
  if (SHOWN.has(message.type) && (message.text || mediaOf(message))) return null;
  if (message.type === "call" || message.type === "system") return null;
  const first = record(message.errors[0]);
  return { type: message.type, reason: text(record(first.error_data).details) ?? text(first.title) };
}
