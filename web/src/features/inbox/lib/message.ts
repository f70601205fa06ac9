/** What a message shows: its media, the reason it failed, a short excerpt for quotes and the list. */
import type { Message } from "./cache";

export const MEDIA_TYPES = ["image", "video", "audio", "document", "sticker"] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

export interface MediaView {
  type: MediaType;
  url: string | null;
  caption: string | null;
  filename: string | null;
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
