/** The variables a cadence's messages are filled with (as the API's `cadences.variables` has them): contact and
 * lead fields, and the company's contact custom fields. */

export const CONTACT_FIELDS = ["first_name", "name", "phone", "email", "language"] as const;
export const LEAD_FIELDS = ["title", "value", "currency", "next_step", "due_date"] as const;

export interface VariableOption {
  value: string;
  /** i18n key of its label (custom fields: none, the field's own label is shown) */
  labelKey?: string;
  label?: string;
  group: "contact" | "lead" | "custom";
}

export function variableOptions(customFields: readonly { key: string; label: string }[]): VariableOption[] {
  return [
    ...CONTACT_FIELDS.map((f) => ({ value: `contact.${f}`, labelKey: `variables.contact.${f}`, group: "contact" as const })),
    ...customFields.map((f) => ({ value: `contact.custom.${f.key}`, label: f.label, group: "custom" as const })),
    ...LEAD_FIELDS.map((f) => ({ value: `lead.${f}`, labelKey: `variables.lead.${f}`, group: "lead" as const })),
  ];
}

/** `text` with `{{variable}}` put at `at` (the caret; the end when absent). */
export function insertVariable(text: string, variable: string, at?: number): { text: string; caret: number } {
  const where = at === undefined || at < 0 || at > text.length ? text.length : at;
  const token = `{{${variable}}}`;
  return { text: text.slice(0, where) + token + text.slice(where), caret: where + token.length };
}
