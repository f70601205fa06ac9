/** `{{variables}}` of local templates (the backend's rendering.py): which a text uses, and inserting one. */

export const CONTACT_VARIABLES = ["name", "first_name", "phone", "email", "language"] as const;
const VARIABLE = /{{\s*([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)?)\s*}}/g;
export const LOCAL_TEXT_MAX = 4096;

/** The variables a text uses, each once, in order of first use. */
export function variablesOf(text: string): string[] {
  return [...new Set(Array.from(text.matchAll(VARIABLE), (m) => m[1]!))];
}

/** Variables the API would refuse: neither a contact field nor a known `custom.<key>`. */
export function unknownVariables(text: string, customKeys: readonly string[]): string[] {
  const known = new Set<string>([...CONTACT_VARIABLES, ...customKeys.map((k) => `custom.${k}`)]);
  return variablesOf(text).filter((v) => !known.has(v));
}

/** `text` with `{{variable}}` put in place of the selection [start, end), and where the caret goes next. */
export function insertVariable(text: string, start: number, end: number, variable: string): { text: string; caret: number } {
  const token = `{{${variable}}}`;
  const from = Math.max(0, Math.min(start, text.length));
  const to = Math.max(from, Math.min(end, text.length));
  return { text: text.slice(0, from) + token + text.slice(to), caret: from + token.length };
}

/** The variables an API 422 names (`variables.first_name` → `first_name`, `parameters.body.1` → `body.1`). */
export function missingFromErrors(errors: Record<string, string>, prefix: "variables" | "parameters"): string[] {
  return Object.keys(errors)
    .filter((field) => field.startsWith(`${prefix}.`))
    .map((field) => field.slice(prefix.length + 1));
}

/** A readable name for a WhatsApp parameter key: `body.1` → section body, placeholder 1; `button.0.1` → button 1. */
export function describeKey(key: string): { section: "header" | "body" | "button" | "media"; placeholder: string; button?: number } {
  if (key === "header.media") return { section: "media", placeholder: "" };
  const parts = key.split(".");
  if (parts[0] === "button") return { section: "button", button: Number(parts[1]) + 1, placeholder: parts.slice(2).join(".") };
  return { section: parts[0] === "header" ? "header" : "body", placeholder: parts.slice(1).join(".") };
}
