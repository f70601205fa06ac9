/**
 * The rule editor's form: a rule as the user edits it (strings, one flat draft per trigger, condition and action),
 * read from the API's rule, checked before it is sent (the same field paths as the API's errors, so both show
 * next to the same field), and written back as the API's body.
 */
import type { Schema } from "@/lib/api/types";

type Rule = Schema<"AutomationRead">;
type Body = Schema<"AutomationCreate">;
export type Trigger = Body["trigger"];
export type Condition = NonNullable<Body["conditions"]>[number];
export type Action = Body["actions"][number];

export const TRIGGER_TYPES = [
  "message_received",
  "conversation_created",
  "conversation_closed",
  "tag_added",
  "tag_removed",
  "lead_created",
  "lead_stage_changed",
  "appointment_scheduled",
  "campaign_replied",
  "contact_opted_out",
  "no_reply",
] as const satisfies readonly Trigger["type"][];
export type TriggerType = (typeof TRIGGER_TYPES)[number];

export const CONDITION_TYPES = ["channel", "connection", "tag", "segment", "business_hours", "custom_field"] as const satisfies readonly Condition["type"][];
export type ConditionType = (typeof CONDITION_TYPES)[number];

export const ACTION_TYPES = [
  "assign",
  "assign_round_robin",
  "add_tag",
  "remove_tag",
  "move_lead",
  "create_lead",
  "enroll_in_cadence",
  "remove_from_cadence",
  "send_text",
  "send_template",
  "hand_to_ai",
  "take_from_ai",
  "notify",
  "emit_event",
] as const satisfies readonly Action["type"][];
export type ActionType = (typeof ACTION_TYPES)[number];

export const CHANNELS = ["whatsapp", "sms"] as const;
export type Channel = (typeof CHANNELS)[number];
export const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Day = (typeof DAYS)[number];
export const OPS = ["eq", "neq", "gt", "lt", "contains", "exists", "missing"] as const;
export type Op = (typeof OPS)[number];
export const NOTIFY_TO = ["assignee", "lead_owner", "user", "everyone"] as const;
export type NotifyTo = (typeof NOTIFY_TO)[number];

export const MAX_ACTIONS = 20;
export const MAX_CONDITIONS = 20;
export const MAX_KEYWORDS = 50;
const EVENT_NAME = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+){0,3}$/;

export type MatchMode = "any" | "keywords" | "regex";

export interface TriggerDraft {
  type: TriggerType;
  match: MatchMode;
  /** comma- or line-separated */
  keywords: string;
  regex: string;
  /** "" is "any" in each of these */
  tagId: string;
  pipelineId: string;
  fromStageId: string;
  toStageId: string;
  campaignId: string;
  channel: Channel | "";
  hours: string;
}

export interface ConditionDraft {
  key: string;
  type: ConditionType;
  channels: Channel[];
  connectionIds: string[];
  tagId: string;
  segmentId: string;
  /** tag: has it; segment: is a member; business hours: inside them */
  positive: boolean;
  timezone: string;
  days: Day[];
  start: string;
  end: string;
  /** the hours as the API gave them, sent back untouched until the user edits them (several ranges a day…) */
  rawHours: Record<string, unknown> | null;
  fieldKey: string;
  op: Op;
  value: string;
}

export interface ActionDraft {
  key: string;
  type: ActionType;
  userId: string;
  userIds: string[];
  onlyUnassigned: boolean;
  tagId: string;
  stageId: string;
  pipelineId: string;
  ownerId: string;
  title: string;
  cadenceId: string;
  text: string;
  /** send_template: the number whose templates are offered (not part of the rule: the conversation's number sends) */
  connectionId: string;
  templateId: string;
  to: NotifyTo;
  eventName: string;
  /** emit_event: `key=value` lines */
  eventData: string;
  /** what the editor does not show but keeps (a text's or a template's defaults and parameters) */
  extra: Record<string, unknown>;
}

export interface RuleDraft {
  name: string;
  description: string;
  enabled: boolean;
  onFailure: "stop" | "continue";
  trigger: TriggerDraft;
  conditions: ConditionDraft[];
  actions: ActionDraft[];
}

let counter = 0;
const nextKey = () => `k${++counter}`;

export function emptyTrigger(type: TriggerType = "message_received"): TriggerDraft {
  return { type, match: type === "message_received" ? "keywords" : "any", keywords: "", regex: "", tagId: "", pipelineId: "", fromStageId: "", toStageId: "", campaignId: "", channel: "", hours: "24" };
}

export function newCondition(type: ConditionType): ConditionDraft {
  return {
    key: nextKey(),
    type,
    channels: type === "channel" ? ["whatsapp"] : [],
    connectionIds: [],
    tagId: "",
    segmentId: "",
    positive: true,
    timezone: "America/Sao_Paulo",
    days: ["mon", "tue", "wed", "thu", "fri"],
    start: "09:00",
    end: "18:00",
    rawHours: null,
    fieldKey: "",
    op: "eq",
    value: "",
  };
}

export function newAction(type: ActionType): ActionDraft {
  return {
    key: nextKey(),
    type,
    userId: "",
    userIds: [],
    onlyUnassigned: true,
    tagId: "",
    stageId: "",
    pipelineId: "",
    ownerId: "",
    title: "",
    cadenceId: "",
    text: "",
    connectionId: "",
    templateId: "",
    to: "assignee",
    eventName: "",
    eventData: "",
    extra: {},
  };
}

export function emptyRule(): RuleDraft {
  return { name: "", description: "", enabled: true, onFailure: "stop", trigger: emptyTrigger(), conditions: [], actions: [newAction("add_tag")] };
}

/** "preço, orçamento\nvalor" → ["preço", "orçamento", "valor"]: trimmed, each once (ignoring case). */
export function parseKeywords(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const part of text.split(/[,\n]/)) {
    const word = part.trim();
    if (word && !seen.has(word.toLocaleLowerCase())) {
      seen.add(word.toLocaleLowerCase());
      out.push(word);
    }
  }
  return out;
}

/** `key=value` lines → the event's data (a line without `=` is a key with an empty value; blank lines dropped). */
export function parseEventData(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const at = line.indexOf("=");
    const key = (at < 0 ? line : line.slice(0, at)).trim();
    if (key) out[key] = at < 0 ? "" : line.slice(at + 1).trim();
  }
  return out;
}

function eventDataText(data: Record<string, unknown> | undefined): string {
  return Object.entries(data ?? {})
    .map(([k, v]) => `${k}=${v === null || v === undefined ? "" : String(v)}`)
    .join("\n");
}

// ---- from the API

function triggerFrom(trigger: Trigger): TriggerDraft {
  const draft = emptyTrigger(trigger.type);
  switch (trigger.type) {
    case "message_received": {
      const keywords = trigger.keywords ?? [];
      const match: MatchMode = keywords.length ? "keywords" : trigger.regex ? "regex" : "any";
      return { ...draft, match, keywords: keywords.join(", "), regex: trigger.regex ?? "" };
    }
    case "tag_added":
    case "tag_removed":
      return { ...draft, tagId: trigger.tag_id ?? "" };
    case "lead_created":
    case "appointment_scheduled":
      return { ...draft, pipelineId: trigger.pipeline_id ?? "" };
    case "lead_stage_changed":
      return { ...draft, pipelineId: trigger.pipeline_id ?? "", fromStageId: trigger.from_stage_id ?? "", toStageId: trigger.to_stage_id ?? "" };
    case "campaign_replied":
      return { ...draft, campaignId: trigger.campaign_id ?? "" };
    case "contact_opted_out":
      return { ...draft, channel: trigger.channel ?? "" };
    case "no_reply":
      return { ...draft, hours: String(trigger.hours) };
    default:
      return draft;
  }
}

/** The first open day's first range, and the days that have ranges (the editor's one range for every day). */
function hoursFrom(hours: Record<string, unknown>): Pick<ConditionDraft, "timezone" | "days" | "start" | "end"> {
  const days = (hours.days ?? {}) as Record<string, [string, string][] | undefined>;
  const open = DAYS.filter((d) => (days[d] ?? []).length > 0);
  const first = open.length ? days[open[0]!]![0]! : ["09:00", "18:00"];
  return { timezone: typeof hours.timezone === "string" ? hours.timezone : "America/Sao_Paulo", days: open, start: first[0]!, end: first[1]! };
}

function conditionFrom(condition: Condition): ConditionDraft {
  const draft = newCondition(condition.type);
  switch (condition.type) {
    case "channel":
      return { ...draft, channels: [...condition.channels] };
    case "connection":
      return { ...draft, connectionIds: [...condition.connection_ids] };
    case "tag":
      return { ...draft, tagId: condition.tag_id, positive: condition.present ?? true };
    case "segment":
      return { ...draft, segmentId: condition.segment_id, positive: condition.member ?? true };
    case "business_hours":
      return { ...draft, ...hoursFrom(condition.hours), positive: condition.inside ?? true, rawHours: condition.hours };
    case "custom_field":
      return { ...draft, fieldKey: condition.key, op: condition.op, value: condition.value === null || condition.value === undefined ? "" : String(condition.value) };
  }
}

function actionFrom(action: Action): ActionDraft {
  const draft = newAction(action.type);
  switch (action.type) {
    case "assign":
      return { ...draft, userId: action.user_id, onlyUnassigned: action.only_unassigned ?? true };
    case "assign_round_robin":
      return { ...draft, userIds: [...action.user_ids], onlyUnassigned: action.only_unassigned ?? true };
    case "add_tag":
    case "remove_tag":
      return { ...draft, tagId: action.tag_id };
    case "move_lead":
      return { ...draft, stageId: action.stage_id };
    case "create_lead":
      return { ...draft, pipelineId: action.pipeline_id, stageId: action.stage_id ?? "", ownerId: action.owner_id ?? "", title: action.title ?? "" };
    case "enroll_in_cadence":
    case "remove_from_cadence":
      return { ...draft, cadenceId: action.cadence_id };
    case "send_text":
      return { ...draft, text: action.text, extra: action.defaults ? { defaults: action.defaults } : {} };
    case "send_template": {
      const extra: Record<string, unknown> = {};
      if (action.parameters && Object.keys(action.parameters).length) extra.parameters = action.parameters;
      if (action.defaults && Object.keys(action.defaults).length) extra.defaults = action.defaults;
      return { ...draft, templateId: action.template_id, extra };
    }
    case "notify":
      return { ...draft, to: action.to, userId: action.user_id ?? "", text: action.text };
    case "emit_event":
      return { ...draft, eventName: action.name, eventData: eventDataText(action.data) };
    default:
      return draft;
  }
}

export function draftFrom(rule: Rule): RuleDraft {
  return {
    name: rule.name,
    description: rule.description ?? "",
    enabled: rule.enabled,
    onFailure: rule.on_failure,
    trigger: triggerFrom(rule.trigger),
    conditions: rule.conditions.map(conditionFrom),
    actions: rule.actions.map(actionFrom),
  };
}

// ---- to the API

const orNull = (value: string) => value || null;

export function triggerBody(t: TriggerDraft): Trigger {
  switch (t.type) {
    case "message_received":
      if (t.match === "keywords") return { type: t.type, keywords: parseKeywords(t.keywords) };
      if (t.match === "regex") return { type: t.type, regex: t.regex };
      return { type: t.type };
    case "tag_added":
    case "tag_removed":
      return { type: t.type, tag_id: orNull(t.tagId) };
    case "lead_created":
    case "appointment_scheduled":
      return { type: t.type, pipeline_id: orNull(t.pipelineId) };
    case "lead_stage_changed":
      return { type: t.type, pipeline_id: orNull(t.pipelineId), from_stage_id: orNull(t.fromStageId), to_stage_id: orNull(t.toStageId) };
    case "campaign_replied":
      return { type: t.type, campaign_id: orNull(t.campaignId) };
    case "contact_opted_out":
      return { type: t.type, channel: t.channel || null };
    case "no_reply":
      return { type: t.type, hours: Number(t.hours) };
    default:
      return { type: t.type };
  }
}

/** The custom field's value as the API compares it: a number for `gt`/`lt` when it reads as one, none for exists/missing. */
export function fieldValue(op: Op, value: string): string | number | null {
  if (op === "exists" || op === "missing") return null;
  const trimmed = value.trim();
  if ((op === "gt" || op === "lt") && trimmed !== "" && !Number.isNaN(Number(trimmed))) return Number(trimmed);
  return value;
}

export function hoursBody(c: Pick<ConditionDraft, "timezone" | "days" | "start" | "end">): Record<string, unknown> {
  const days: Record<string, [string, string][]> = {};
  for (const day of DAYS) if (c.days.includes(day)) days[day] = [[c.start, c.end]];
  return { timezone: c.timezone.trim(), days };
}

export function conditionBody(c: ConditionDraft): Condition {
  switch (c.type) {
    case "channel":
      return { type: c.type, channels: c.channels };
    case "connection":
      return { type: c.type, connection_ids: c.connectionIds };
    case "tag":
      return { type: c.type, tag_id: c.tagId, present: c.positive };
    case "segment":
      return { type: c.type, segment_id: c.segmentId, member: c.positive };
    case "business_hours":
      return { type: c.type, hours: c.rawHours ?? hoursBody(c), inside: c.positive };
    case "custom_field":
      return { type: c.type, key: c.fieldKey, op: c.op, value: fieldValue(c.op, c.value) };
  }
}

export function actionBody(a: ActionDraft): Action {
  switch (a.type) {
    case "assign":
      return { type: a.type, user_id: a.userId, only_unassigned: a.onlyUnassigned };
    case "assign_round_robin":
      return { type: a.type, user_ids: a.userIds, only_unassigned: a.onlyUnassigned };
    case "add_tag":
    case "remove_tag":
      return { type: a.type, tag_id: a.tagId };
    case "move_lead":
      return { type: a.type, stage_id: a.stageId };
    case "create_lead":
      return { type: a.type, pipeline_id: a.pipelineId, stage_id: orNull(a.stageId), owner_id: orNull(a.ownerId), title: a.title.trim() || null };
    case "enroll_in_cadence":
    case "remove_from_cadence":
      return { type: a.type, cadence_id: a.cadenceId };
    case "send_text":
      return { ...a.extra, type: a.type, text: a.text };
    case "send_template":
      return { ...a.extra, type: a.type, template_id: a.templateId };
    case "notify":
      return { type: a.type, to: a.to, user_id: a.to === "user" ? orNull(a.userId) : null, text: a.text };
    case "emit_event":
      return { type: a.type, name: a.eventName.trim(), data: parseEventData(a.eventData) };
    default:
      return { type: a.type };
  }
}

export function ruleBody(d: RuleDraft): Body {
  return {
    name: d.name.trim(),
    description: d.description.trim() || null,
    enabled: d.enabled,
    on_failure: d.onFailure,
    trigger: triggerBody(d.trigger),
    conditions: d.conditions.map(conditionBody),
    actions: d.actions.map(actionBody),
  };
}

/** The changes' body: every part of the rule (its enabling has its own buttons). */
export function updateBody(d: RuleDraft): Schema<"AutomationUpdate"> {
  const body: Schema<"AutomationUpdate"> & { enabled?: boolean } = ruleBody(d);
  delete body.enabled;
  return body;
}

// ---- checked before sending: field path → a code of the `problems` catalogue

export type Problems = Record<string, string>;

function triggerProblems(t: TriggerDraft, out: Problems) {
  if (t.type === "message_received") {
    if (t.match === "keywords") {
      const words = parseKeywords(t.keywords);
      if (!words.length) out["trigger.keywords"] = "keywords_required";
      else if (words.length > MAX_KEYWORDS) out["trigger.keywords"] = "too_many_keywords";
      else if (words.some((w) => w.length > 100)) out["trigger.keywords"] = "keyword_too_long";
    }
    if (t.match === "regex" && !t.regex.trim()) out["trigger.regex"] = "required";
  }
  if (t.type === "no_reply") {
    const hours = Number(t.hours);
    if (!/^\d+$/.test(t.hours.trim()) || hours < 1 || hours > 720) out["trigger.hours"] = "hours_range";
  }
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

function conditionProblems(c: ConditionDraft, at: string, out: Problems) {
  if (c.type === "channel" && !c.channels.length) out[`${at}channels`] = "choose_one";
  if (c.type === "connection" && !c.connectionIds.length) out[`${at}connection_ids`] = "choose_one";
  if (c.type === "tag" && !c.tagId) out[`${at}tag_id`] = "required";
  if (c.type === "segment" && !c.segmentId) out[`${at}segment_id`] = "required";
  if (c.type === "custom_field") {
    if (!c.fieldKey) out[`${at}key`] = "required";
    if (c.op !== "exists" && c.op !== "missing" && !c.value.trim()) out[`${at}value`] = "required";
  }
  if (c.type === "business_hours" && c.rawHours === null) {
    if (!c.timezone.trim()) out[`${at}hours.timezone`] = "required";
    if (!c.days.length) out[`${at}hours.days`] = "choose_one";
    if (!TIME.test(c.start) || !TIME.test(c.end)) out[`${at}hours.start`] = "invalid_time";
    else if (c.start >= c.end) out[`${at}hours.start`] = "range_order";
  }
}

function actionProblems(a: ActionDraft, at: string, out: Problems) {
  const need = (value: string, field: string) => {
    if (!value) out[`${at}${field}`] = "required";
  };
  switch (a.type) {
    case "assign":
      need(a.userId, "user_id");
      break;
    case "assign_round_robin":
      if (a.userIds.length < 2) out[`${at}user_ids`] = "two_users";
      break;
    case "add_tag":
    case "remove_tag":
      need(a.tagId, "tag_id");
      break;
    case "move_lead":
      need(a.stageId, "stage_id");
      break;
    case "create_lead":
      need(a.pipelineId, "pipeline_id");
      break;
    case "enroll_in_cadence":
    case "remove_from_cadence":
      need(a.cadenceId, "cadence_id");
      break;
    case "send_text":
      need(a.text.trim(), "text");
      break;
    case "send_template":
      need(a.templateId, "template_id");
      break;
    case "notify":
      need(a.text.trim(), "text");
      if (a.to === "user") need(a.userId, "user_id");
      break;
    case "emit_event":
      if (!EVENT_NAME.test(a.eventName.trim())) out[`${at}name`] = "event_name";
      break;
    default:
      break;
  }
}

/** What must be fixed before the rule is sent (empty: send it). */
export function problems(d: RuleDraft): Problems {
  const out: Problems = {};
  if (!d.name.trim()) out.name = "required";
  triggerProblems(d.trigger, out);
  d.conditions.forEach((c, i) => conditionProblems(c, `conditions.${i}.`, out));
  if (!d.actions.length) out.actions = "one_action";
  d.actions.forEach((a, i) => actionProblems(a, `actions.${i}.`, out));
  return out;
}

// ---- list edits

/** The item at `index` moved by `delta` (−1 up, +1 down); the same list when it cannot move. */
export function move<T>(items: readonly T[], index: number, delta: number): T[] {
  const to = index + delta;
  if (index < 0 || index >= items.length || to < 0 || to >= items.length) return [...items];
  const out = [...items];
  const [item] = out.splice(index, 1);
  out.splice(to, 0, item!);
  return out;
}

export function removeAt<T>(items: readonly T[], index: number): T[] {
  return items.filter((_, i) => i !== index);
}

export function replaceAt<T>(items: readonly T[], index: number, item: T): T[] {
  return items.map((x, i) => (i === index ? item : x));
}
