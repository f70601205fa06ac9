/**
 * The persona editor's model: the form's values as typed (numbers as text, the schedule as an editor state), the
 * checks made before sending (the same bounds the API enforces, so the user learns at once), and the body sent.
 * Field errors are keyed by the API's field names, so the API's own 422s land on the same inputs.
 */
import { defaultHours, hasErrors, normalizeHours, parseHours, validateHours, type ActiveHours, type HoursErrors } from "./active-hours";

export const TOOLS = ["handoff", "propose_stage", "update_lead"] as const;
export type Tool = (typeof TOOLS)[number];
export const LANGUAGES = ["pt-BR", "en"] as const;
export type Language = (typeof LANGUAGES)[number];

export const LIMITS = {
  name: 120,
  role: 200,
  tone: 200,
  instructions: 20_000,
  topic: 120,
  topics: 50,
  replyChars: [50, 4000],
  debounce: [0, 120],
  temperature: [0, 2],
} as const;

/** What a persona is, as the API reads and writes it (the fields every version carries). */
export interface PersonaFields {
  name: string;
  role: string;
  tone: string;
  language: string;
  instructions: string;
  knowledge_base_ids: string[];
  tools: string[];
  connection_ids: string[];
  active_hours?: unknown;
  blocked_topics: string[];
  max_reply_chars: number;
  debounce_seconds: number;
  chat_model?: string | null;
  temperature?: number | string | null;
  outside_window_template_id?: string | null;
}

export interface PersonaDraft {
  name: string;
  role: string;
  tone: string;
  language: Language;
  instructions: string;
  knowledge_base_ids: string[];
  tools: Tool[];
  connection_ids: string[];
  /** Active at any hour (`active_hours: null`). */
  always: boolean;
  hours: ActiveHours;
  blocked_topics: string[];
  max_reply_chars: string;
  debounce_seconds: string;
  chat_model: string;
  temperature: string;
  outside_window_template_id: string | null;
}

/** The body a create or a new version sends. */
export interface PersonaBody {
  name: string;
  role: string;
  tone: string;
  language: Language;
  instructions: string;
  knowledge_base_ids: string[];
  tools: Tool[];
  connection_ids: string[];
  active_hours: ActiveHours | null;
  blocked_topics: string[];
  max_reply_chars: number;
  debounce_seconds: number;
  chat_model: string | null;
  temperature: number | null;
  outside_window_template_id: string | null;
}

/** A field's problem: an i18n key of `ai:form.errors` and its values. */
export interface DraftError {
  key: string;
  values?: Record<string, number | string>;
}

export interface DraftErrors {
  fields: Partial<Record<keyof PersonaBody, DraftError>>;
  hours: HoursErrors | null;
}

export function browserTimezone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "America/Sao_Paulo";
  } catch {
    return "America/Sao_Paulo";
  }
}

export function emptyDraft(language: Language, timezone = browserTimezone()): PersonaDraft {
  return {
    name: "",
    role: "",
    tone: "",
    language,
    instructions: "",
    knowledge_base_ids: [],
    tools: ["handoff"],
    connection_ids: [],
    always: true,
    hours: defaultHours(timezone),
    blocked_topics: [],
    max_reply_chars: "600",
    debounce_seconds: "8",
    chat_model: "",
    temperature: "",
    outside_window_template_id: null,
  };
}

const isTool = (value: string): value is Tool => (TOOLS as readonly string[]).includes(value);

/** The form's values for a persona (its current version, or an older one being restored). */
export function draftOf(persona: PersonaFields, timezone = browserTimezone()): PersonaDraft {
  const hours = parseHours(persona.active_hours);
  const temperature = persona.temperature === null || persona.temperature === undefined ? "" : String(Number(persona.temperature));
  return {
    name: persona.name,
    role: persona.role,
    tone: persona.tone,
    language: persona.language === "en" ? "en" : "pt-BR",
    instructions: persona.instructions,
    knowledge_base_ids: [...persona.knowledge_base_ids],
    tools: persona.tools.filter(isTool),
    connection_ids: [...persona.connection_ids],
    always: hours === null,
    hours: hours ?? defaultHours(timezone),
    blocked_topics: [...persona.blocked_topics],
    max_reply_chars: String(persona.max_reply_chars),
    debounce_seconds: String(persona.debounce_seconds),
    chat_model: persona.chat_model ?? "",
    temperature,
    outside_window_template_id: persona.outside_window_template_id ?? null,
  };
}

/** A whole number within the bounds, else null ("12.5", "", "abc" are not). */
function integer(value: string, [min, max]: readonly [number, number]): number | null {
  if (!/^\s*-?\d+\s*$/.test(value)) return null;
  const n = Number(value);
  return n >= min && n <= max ? n : null;
}

function decimal(value: string, [min, max]: readonly [number, number]): number | null {
  const text = value.trim().replace(",", ".");
  if (!/^\d+(\.\d+)?$/.test(text)) return null;
  const n = Number(text);
  return n >= min && n <= max ? n : null;
}

/** Everything the API would refuse that the form can tell before sending. */
export function validateDraft(draft: PersonaDraft): DraftErrors {
  const fields: DraftErrors["fields"] = {};
  if (!draft.name.trim()) fields.name = { key: "required" };
  else if (draft.name.trim().length > LIMITS.name) fields.name = { key: "tooLong", values: { max: LIMITS.name } };
  if (draft.role.length > LIMITS.role) fields.role = { key: "tooLong", values: { max: LIMITS.role } };
  if (draft.tone.length > LIMITS.tone) fields.tone = { key: "tooLong", values: { max: LIMITS.tone } };
  if (draft.instructions.length > LIMITS.instructions) fields.instructions = { key: "tooLong", values: { max: LIMITS.instructions } };
  if (integer(draft.max_reply_chars, LIMITS.replyChars) === null)
    fields.max_reply_chars = { key: "between", values: { min: LIMITS.replyChars[0], max: LIMITS.replyChars[1] } };
  if (integer(draft.debounce_seconds, LIMITS.debounce) === null)
    fields.debounce_seconds = { key: "between", values: { min: LIMITS.debounce[0], max: LIMITS.debounce[1] } };
  if (draft.temperature.trim() && decimal(draft.temperature, LIMITS.temperature) === null)
    fields.temperature = { key: "between", values: { min: LIMITS.temperature[0], max: LIMITS.temperature[1] } };
  if (draft.blocked_topics.length > LIMITS.topics) fields.blocked_topics = { key: "tooMany", values: { max: LIMITS.topics } };
  else if (draft.blocked_topics.some((t) => t.length > LIMITS.topic)) fields.blocked_topics = { key: "tooLong", values: { max: LIMITS.topic } };
  const hours = draft.always ? null : validateHours(draft.hours);
  return { fields, hours: hours && hasErrors(hours) ? hours : null };
}

export function draftIsValid(errors: DraftErrors): boolean {
  return Object.keys(errors.fields).length === 0 && errors.hours === null;
}

/** The body sent (call it on a draft that validated). */
export function bodyOf(draft: PersonaDraft): PersonaBody {
  return {
    name: draft.name.trim(),
    role: draft.role.trim(),
    tone: draft.tone.trim(),
    language: draft.language,
    instructions: draft.instructions.trim(),
    knowledge_base_ids: draft.knowledge_base_ids,
    tools: TOOLS.filter((t) => draft.tools.includes(t)),
    connection_ids: draft.connection_ids,
    active_hours: draft.always ? null : normalizeHours(draft.hours),
    blocked_topics: draft.blocked_topics,
    max_reply_chars: Number(draft.max_reply_chars.trim()),
    debounce_seconds: Number(draft.debounce_seconds.trim()),
    chat_model: draft.chat_model.trim() || null,
    temperature: draft.temperature.trim() ? Number(draft.temperature.trim().replace(",", ".")) : null,
    outside_window_template_id: draft.outside_window_template_id,
  };
}

/** Whether the draft says something the saved version does not (a save would make a new version). */
export function draftChanged(draft: PersonaDraft, saved: PersonaFields): boolean {
  const a = bodyOf(draft);
  const b = bodyOf(draftOf(saved, draft.hours.timezone));
  const key = (body: PersonaBody) =>
    JSON.stringify({ ...body, knowledge_base_ids: [...body.knowledge_base_ids].sort(), connection_ids: [...body.connection_ids].sort() });
  return key(a) !== key(b);
}

/** Add topics typed in one go ("prices, refunds; legal"), trimmed, without repeats (case-insensitive). */
export function addTopics(current: string[], typed: string): string[] {
  const seen = new Set(current.map((t) => t.toLocaleLowerCase()));
  const out = [...current];
  for (const part of typed.split(/[,;\n]/)) {
    const topic = part.trim();
    if (topic && !seen.has(topic.toLocaleLowerCase())) {
      seen.add(topic.toLocaleLowerCase());
      out.push(topic);
    }
  }
  return out;
}
