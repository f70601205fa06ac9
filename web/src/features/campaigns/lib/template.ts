/** A WhatsApp template's components → what the contact sees, with its parameters filled in for a preview. */
export interface TemplateComponent {
  [key: string]: unknown;
}

export interface PreviewParts {
  header: string | null;
  headerMedia: string | null;
  body: string;
  footer: string | null;
  buttons: string[];
}

const PLACEHOLDER = /{{\s*([A-Za-z0-9_]+)\s*}}/g;

function text(component: TemplateComponent | undefined): string | null {
  return component && typeof component.text === "string" ? component.text : null;
}

function fill(value: string, prefix: string, sample: (key: string) => string): string {
  return value.replace(PLACEHOLDER, (_, name: string) => sample(`${prefix}.${name}`));
}

/** The template's header, body, footer and buttons, each `{{n}}` replaced by `sample("body.n")` etc. */
export function previewParts(components: TemplateComponent[], sample: (key: string) => string): PreviewParts {
  const find = (type: string) => components.find((c) => String(c.type ?? "").toUpperCase() === type);
  const header = find("HEADER");
  const format = String(header?.format ?? "TEXT").toUpperCase();
  const headerText = format === "TEXT" ? text(header) : null;
  const buttons = find("BUTTONS");
  const list = Array.isArray(buttons?.buttons) ? (buttons.buttons as TemplateComponent[]) : [];
  return {
    header: headerText === null ? null : fill(headerText, "header", sample),
    headerMedia: header && format !== "TEXT" ? format.toLowerCase() : null,
    body: fill(text(find("BODY")) ?? "", "body", sample),
    footer: text(find("FOOTER")),
    buttons: list.map((b) => (typeof b.text === "string" ? b.text : "")).filter(Boolean),
  };
}

/** The contact variables a parameter can take (plus `custom.<key>` of the company's custom fields). */
export const CONTACT_FIELDS = ["first_name", "name", "phone", "email", "language"] as const;

/** Each parameter has a contact field or a default (a media header needs its link). */
export function missingParameters(keys: string[], parameters: Record<string, string>, defaults: Record<string, string>): string[] {
  return keys.filter((key) => !(parameters[key] ?? "").trim() && !(defaults[key] ?? "").trim());
}
