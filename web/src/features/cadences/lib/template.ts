/** A WhatsApp template's body as the contact would read it, each `{{n}}` shown as what fills it. */

const PLACEHOLDER = /{{\s*([A-Za-z0-9_]+)\s*}}/g;

export function bodyText(components: readonly Record<string, unknown>[]): string {
  const body = components.find((c) => String(c.type ?? "").toUpperCase() === "BODY");
  return body && typeof body.text === "string" ? body.text : "";
}

/** The body with `{{1}}` replaced by `fill("body.1")`. */
export function fillBody(components: readonly Record<string, unknown>[], fill: (key: string) => string): string {
  return bodyText(components).replace(PLACEHOLDER, (_, name: string) => fill(`body.${name}`));
}
