/** The wizard's form: what the user picked, and how it becomes the API's bodies. */
import type { Campaign, CampaignCreate, CampaignUpdate, Schedule } from "../api/campaigns";

export interface AudienceForm {
  tag_ids: string[];
  list_ids: string[];
  segment_ids: string[];
  contact_ids: string[];
}

export interface WizardForm {
  name: string;
  connectionId: string;
  /** a WhatsApp connection's approved template */
  templateId: string;
  /** an SMS connection's local text template */
  localTemplateId: string;
  parameters: Record<string, string>;
  defaults: Record<string, string>;
  audience: AudienceForm;
  startMode: "now" | "later";
  at: string;
  timezone: string;
  windowOn: boolean;
  windowStart: string;
  windowEnd: string;
  windowZone: "company" | "contact";
  rate: string;
  /** a reply opens a lead on this pipeline (and stage: "" is its first open one) */
  replyLead: boolean;
  replyPipelineId: string;
  replyStageId: string;
  /** kept as the API has it (the wizard does not choose it) */
  replyOwnerId: string | null;
}

export const STEPS = ["number", "template", "parameters", "audience", "schedule", "review"] as const;
export type Step = (typeof STEPS)[number];

export function emptyForm(timezone: string): WizardForm {
  return {
    name: "",
    connectionId: "",
    templateId: "",
    localTemplateId: "",
    parameters: {},
    defaults: {},
    audience: { tag_ids: [], list_ids: [], segment_ids: [], contact_ids: [] },
    startMode: "now",
    at: "",
    timezone,
    windowOn: false,
    windowStart: "08:00",
    windowEnd: "20:00",
    windowZone: "company",
    rate: "80",
    replyLead: false,
    replyPipelineId: "",
    replyStageId: "",
    replyOwnerId: null,
  };
}

/** A draft back in the wizard, to go on where it was left. */
export function formFromCampaign(c: Campaign): WizardForm {
  return {
    ...emptyForm(c.timezone),
    name: c.name,
    connectionId: c.connection_id ?? "",
    templateId: c.whatsapp_template_id ?? "",
    localTemplateId: c.local_template_id ?? "",
    parameters: { ...c.parameters },
    defaults: { ...c.defaults },
    audience: {
      tag_ids: c.audience.tag_ids ?? [],
      list_ids: c.audience.list_ids ?? [],
      segment_ids: c.audience.segment_ids ?? [],
      contact_ids: c.audience.contact_ids ?? [],
    },
    windowOn: Boolean(c.window),
    windowStart: c.window?.start.slice(0, 5) ?? "08:00",
    windowEnd: c.window?.end.slice(0, 5) ?? "20:00",
    windowZone: c.window?.timezone ?? "company",
    rate: String(c.rate_per_second),
    replyLead: Boolean(c.reply_lead),
    replyPipelineId: c.reply_lead?.pipeline_id ?? "",
    replyStageId: c.reply_lead?.stage_id ?? "",
    replyOwnerId: c.reply_lead?.owner_id ?? null,
  };
}

export function audienceSize(a: AudienceForm): number {
  return a.tag_ids.length + a.list_ids.length + a.segment_ids.length + a.contact_ids.length;
}

/** Only what has a value: an empty field or default means "none". */
function compact(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v.trim() !== "").map(([k, v]) => [k, v.trim()]));
}

function rate(form: WizardForm): number {
  const value = Number(form.rate);
  return Number.isFinite(value) && form.rate.trim() !== "" ? value : 80;
}

/** What the campaign sends: a local text template on SMS, else a WhatsApp template (the channel follows the connection). */
function content(form: WizardForm): { whatsapp_template_id: string | null; local_template_id: string | null } {
  return form.localTemplateId ? { whatsapp_template_id: null, local_template_id: form.localTemplateId } : { whatsapp_template_id: form.templateId, local_template_id: null };
}

export function createBody(form: WizardForm): CampaignCreate {
  return {
    name: form.name.trim(),
    connection_id: form.connectionId,
    ...content(form),
    parameters: compact(form.parameters),
    defaults: compact(form.defaults),
    audience: form.audience,
    timezone: form.timezone || undefined,
    rate_per_second: rate(form),
  };
}

/** The message: number, template and its parameters (steps 1–3). */
export function messageBody(form: WizardForm): CampaignUpdate {
  return {
    name: form.name.trim(),
    connection_id: form.connectionId,
    ...content(form),
    parameters: compact(form.parameters),
    defaults: compact(form.defaults),
  };
}

/** Whether a reply opens a lead, and where. */
function replyLead(form: WizardForm): CampaignUpdate {
  if (!form.replyLead || !form.replyPipelineId) return { clear_reply_lead: true };
  return { reply_lead: { pipeline_id: form.replyPipelineId, stage_id: form.replyStageId || null, owner_id: form.replyOwnerId } };
}

/** When and how fast, and a reply's lead (step 5). */
export function timingBody(form: WizardForm): CampaignUpdate {
  return {
    timezone: form.timezone || undefined,
    rate_per_second: rate(form),
    ...(form.windowOn ? { window: { start: form.windowStart, end: form.windowEnd, timezone: form.windowZone } } : { clear_window: true }),
    ...replyLead(form),
  };
}

export function scheduleBody(form: WizardForm): Schedule {
  if (form.startMode === "now" || !form.at) return {};
  return { at: form.at.length === 16 ? `${form.at}:00` : form.at, timezone: form.timezone || undefined };
}

/** Which step shows a field error of the API (`parameters.body.1` → parameters). */
export function stepOfField(field: string): Step {
  if (field === "name" || field === "connection_id") return "number";
  if (field === "whatsapp_template_id" || field === "local_template_id") return "template";
  if (field.startsWith("parameters") || field.startsWith("defaults")) return "parameters";
  if (field.startsWith("audience")) return "audience";
  if (field === "at") return "review";
  return "schedule";
}
