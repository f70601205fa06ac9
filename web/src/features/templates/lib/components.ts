/** A mirrored template's Meta `components`, read back for display (before any contact fills it in). */
import type { PhoneMessage } from "../components/phone-preview";

type Component = Record<string, unknown>;

const text = (value: unknown): string => (typeof value === "string" ? value : "");

/** The message as Meta stores it: header, body, footer and buttons, placeholders left as they are. */
export function messageOf(components: Component[]): PhoneMessage {
  const message: PhoneMessage = { body: "", buttons: [] };
  for (const component of components) {
    const type = text(component.type).toUpperCase();
    if (type === "HEADER") {
      const format = text(component.format).toUpperCase() || "TEXT";
      if (format === "TEXT") message.header = text(component.text);
      else message.headerMedia = { type: format.toLowerCase() };
    } else if (type === "BODY") message.body = text(component.text);
    else if (type === "FOOTER") message.footer = text(component.text);
    else if (type === "BUTTONS" && Array.isArray(component.buttons))
      message.buttons = (component.buttons as Component[]).map((b) => ({ type: text(b.type).toUpperCase(), text: text(b.text), url: text(b.url) || undefined }));
  }
  return message;
}
