/** A contact's custom field values as form inputs (strings) and back to what `PATCH` takes. */
import type { CustomFieldDef } from "../api/contacts";

export type CustomInputs = Record<string, string>;

export function customInputs(values: Record<string, unknown>): CustomInputs {
  const out: CustomInputs = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === null || value === undefined) continue;
    out[key] = typeof value === "object" ? JSON.stringify(value) : String(value);
  }
  return out;
}

function typed(definition: CustomFieldDef, raw: string): unknown {
  if (raw === "") return null; // an empty input removes the value
  if (definition.type === "number") {
    const n = Number(raw);
    return Number.isFinite(n) ? n : raw; // the API says why a non-number is refused
  }
  if (definition.type === "boolean") return raw === "true";
  return raw;
}

/** Only the fields whose input differs from the stored value; `null` removes one. */
export function customChanges(definitions: readonly CustomFieldDef[], current: Record<string, unknown>, inputs: CustomInputs): Record<string, unknown> {
  const stored = customInputs(current);
  const out: Record<string, unknown> = {};
  for (const definition of definitions) {
    const raw = inputs[definition.key] ?? "";
    if (raw === (stored[definition.key] ?? "")) continue;
    out[definition.key] = typed(definition, raw);
  }
  return out;
}
