/**
 * A cadence's steps as the builder edits them, and how they become the API's steps and back.
 *
 * Each step carries a local `key`, and a branch names its targets by key ("next" and "end" besides), so moving or
 * removing steps keeps a branch pointing at the step it meant; the API's targets are step indexes (0-based, only
 * forward, the number of steps being the end), computed when saving.
 */
import type { Schema } from "@/lib/api/types";

export type ApiStep = Schema<"CadenceCreate">["steps"][number];

export const STEP_KINDS = ["send_template", "send_text", "send_sms", "wait", "branch", "tag", "move_lead", "notify", "emit_event"] as const;
export type StepKind = (typeof STEP_KINDS)[number];
export const SEND_KINDS: readonly StepKind[] = ["send_template", "send_text", "send_sms"];
export const CONDITIONS = ["replied_since_last_step", "has_tag", "lead_in_stage"] as const;
export type ConditionType = (typeof CONDITIONS)[number];
export const UNITS = ["minutes", "hours", "days"] as const;
export type Unit = (typeof UNITS)[number];
export const UNIT_SECONDS: Record<Unit, number> = { minutes: 60, hours: 3600, days: 86400 };
export const MAX_STEPS = 50;
export const MAX_WAIT_SECONDS = 90 * 86400;
export const EVENT_NAME = /^[a-z][a-z0-9_.-]{0,63}$/;

/** A template parameter: filled from a variable (with a value for when it is empty) or a fixed text. */
export interface ParamDraft {
  source: "variable" | "literal";
  value: string;
  fallback: string;
}

export interface TemplateDraft {
  templateId: string;
  params: Record<string, ParamDraft>;
}

/** "next": the following step; "end": the cadence ends; else the key of the step it jumps to. */
export type Target = string;
export const NEXT = "next";
export const END = "end";

interface Base {
  key: string;
}
export type DraftStep = Base &
  (
    | { kind: "send_template"; template: TemplateDraft }
    | { kind: "send_text"; text: string; outsideWindow: "skip" | "template"; fallback: TemplateDraft }
    | { kind: "send_sms"; text: string }
    | { kind: "wait"; mode: "duration" | "until"; amount: string; unit: Unit; untilTime: string }
    | { kind: "branch"; condition: ConditionType; tagId: string; stageId: string; then: Target; otherwise: Target }
    | { kind: "tag"; tagId: string; action: "add" | "remove" }
    | { kind: "move_lead"; stageId: string }
    | { kind: "notify"; to: "user" | "lead_owner"; userId: string; text: string }
    | { kind: "emit_event"; name: string }
  );
export type StepOf<K extends StepKind> = Extract<DraftStep, { kind: K }>;

let counter = 0;
export function newKey(): string {
  counter += 1;
  return `s${counter}`;
}

export function isSend(kind: string): boolean {
  return (SEND_KINDS as readonly string[]).includes(kind);
}

/** The step kinds a number can carry: SMS numbers send SMS, WhatsApp numbers templates and texts; no number yet: all. */
export function kindsFor(channel: "whatsapp" | "sms" | null | undefined): StepKind[] {
  return STEP_KINDS.filter((kind) => !isSend(kind) || channel == null || (channel === "sms") === (kind === "send_sms"));
}

const emptyTemplate = (): TemplateDraft => ({ templateId: "", params: {} });

export function newStep(kind: StepKind, key: string = newKey()): DraftStep {
  switch (kind) {
    case "send_template":
      return { key, kind, template: emptyTemplate() };
    case "send_text":
      return { key, kind, text: "", outsideWindow: "skip", fallback: emptyTemplate() };
    case "send_sms":
      return { key, kind, text: "" };
    case "wait":
      return { key, kind, mode: "duration", amount: "1", unit: "days", untilTime: "09:00" };
    case "branch":
      return { key, kind, condition: "replied_since_last_step", tagId: "", stageId: "", then: NEXT, otherwise: NEXT };
    case "tag":
      return { key, kind, tagId: "", action: "add" };
    case "move_lead":
      return { key, kind, stageId: "" };
    case "notify":
      return { key, kind, to: "lead_owner", userId: "", text: "" };
    case "emit_event":
      return { key, kind, name: "" };
  }
}

// Durations

/** Seconds as the largest unit that divides them (2 days, 90 minutes). */
export function splitDuration(seconds: number): { amount: string; unit: Unit } {
  for (const unit of ["days", "hours"] as const) {
    if (seconds >= UNIT_SECONDS[unit] && seconds % UNIT_SECONDS[unit] === 0) return { amount: String(seconds / UNIT_SECONDS[unit]), unit };
  }
  return { amount: String(Math.round(seconds / 60)), unit: "minutes" };
}

/** The draft's amount in seconds, or null when it is not a whole positive number. */
export function durationSeconds(amount: string, unit: Unit): number | null {
  if (!/^\d+$/.test(amount.trim())) return null;
  const value = Number(amount.trim()) * UNIT_SECONDS[unit];
  return value > 0 ? value : null;
}

// Template parameters

export function isVariable(value: string): boolean {
  return value.startsWith("contact.") || value.startsWith("lead.");
}

function templateFrom(message: Schema<"TemplateMessage">): TemplateDraft {
  const params: Record<string, ParamDraft> = {};
  const defaults = message.defaults ?? {};
  for (const [key, value] of Object.entries(message.parameters ?? {})) {
    params[key] = isVariable(value) ? { source: "variable", value, fallback: defaults[key] ?? "" } : { source: "literal", value, fallback: "" };
  }
  for (const [key, fallback] of Object.entries(defaults)) {
    if (!params[key]) params[key] = { source: "variable", value: "", fallback };
  }
  return { templateId: message.template_id, params };
}

function templateTo(draft: TemplateDraft): Schema<"TemplateMessage"> {
  const parameters: Record<string, string> = {};
  const defaults: Record<string, string> = {};
  for (const [key, param] of Object.entries(draft.params).sort(([a], [b]) => a.localeCompare(b))) {
    const value = param.value.trim();
    if (value) parameters[key] = param.source === "literal" ? param.value : value;
    if (param.source === "variable" && param.fallback.trim()) defaults[key] = param.fallback.trim();
  }
  return { template_id: draft.templateId, parameters, defaults };
}

/** A template's parameters for a newly chosen template: its keys, each a variable to choose (kept when the key was there). */
export function withTemplate(draft: TemplateDraft, templateId: string, keys: readonly string[]): TemplateDraft {
  const params: Record<string, ParamDraft> = {};
  for (const key of keys) params[key] = draft.templateId === templateId && draft.params[key] ? draft.params[key]! : { source: "variable", value: "", fallback: "" };
  return { templateId, params };
}

/** Parameters of the template with neither a value nor a fallback (the template's own default may still fill them). */
export function unfilled(draft: TemplateDraft, keys: readonly string[]): string[] {
  return keys.filter((key) => {
    const param = draft.params[key];
    return !param || (!param.value.trim() && !param.fallback.trim());
  });
}

// To and from the API

function targetFrom(index: number | null | undefined, keys: string[]): Target {
  if (index == null) return NEXT;
  return index >= keys.length ? END : keys[index] ?? END;
}

function targetTo(target: Target, index: number, keys: string[]): number | null {
  if (target === NEXT) return null;
  if (target === END) return keys.length;
  const at = keys.indexOf(target);
  return at < 0 ? index + 1 : at;
}

export function fromApi(steps: readonly ApiStep[], makeKey: () => string = newKey): DraftStep[] {
  const keys = steps.map(() => makeKey());
  return steps.map((step, i): DraftStep => {
    const key = keys[i]!;
    switch (step.kind) {
      case "send_template":
        return { key, kind: step.kind, template: templateFrom(step) };
      case "send_text":
        return { key, kind: step.kind, text: step.text, outsideWindow: step.outside_window ?? "skip", fallback: step.fallback ? templateFrom(step.fallback) : emptyTemplate() };
      case "send_sms":
        return { key, kind: step.kind, text: step.text };
      case "wait":
        return step.until_time
          ? { key, kind: step.kind, mode: "until", amount: "1", unit: "days", untilTime: step.until_time.slice(0, 5) }
          : { key, kind: step.kind, mode: "duration", ...splitDuration(step.duration_seconds ?? 86400), untilTime: "09:00" };
      case "branch": {
        const c = step.condition;
        return {
          key,
          kind: step.kind,
          condition: c.type,
          tagId: c.type === "has_tag" ? c.tag_id : "",
          stageId: c.type === "lead_in_stage" ? c.stage_id : "",
          then: targetFrom(step.then_step, keys),
          otherwise: targetFrom(step.else_step, keys),
        };
      }
      case "tag":
        return { key, kind: step.kind, tagId: step.tag_id, action: step.action ?? "add" };
      case "move_lead":
        return { key, kind: step.kind, stageId: step.stage_id };
      case "notify":
        return { key, kind: step.kind, to: step.to ?? "user", userId: step.user_id ?? "", text: step.text };
      case "emit_event":
        return { key, kind: step.kind, name: step.name };
    }
  });
}

type ApiCondition = Extract<ApiStep, { kind: "branch" }>["condition"];

function condition(step: StepOf<"branch">): ApiCondition {
  if (step.condition === "has_tag") return { type: "has_tag", tag_id: step.tagId };
  if (step.condition === "lead_in_stage") return { type: "lead_in_stage", stage_id: step.stageId };
  return { type: "replied_since_last_step" };
}

export function toApi(steps: readonly DraftStep[]): ApiStep[] {
  const keys = steps.map((s) => s.key);
  return steps.map((step, i): ApiStep => {
    switch (step.kind) {
      case "send_template":
        return { kind: step.kind, ...templateTo(step.template) };
      case "send_text":
        return step.outsideWindow === "template"
          ? { kind: step.kind, text: step.text, outside_window: "template", fallback: templateTo(step.fallback) }
          : { kind: step.kind, text: step.text, outside_window: "skip" };
      case "send_sms":
        return { kind: step.kind, text: step.text };
      case "wait":
        return step.mode === "until"
          ? { kind: step.kind, until_time: step.untilTime }
          : { kind: step.kind, duration_seconds: durationSeconds(step.amount, step.unit) ?? 0 };
      case "branch": {
        const then = targetTo(step.then, i, keys);
        const otherwise = targetTo(step.otherwise, i, keys);
        return { kind: step.kind, condition: condition(step), ...(then === null ? {} : { then_step: then }), ...(otherwise === null ? {} : { else_step: otherwise }) };
      }
      case "tag":
        return { kind: step.kind, tag_id: step.tagId, action: step.action };
      case "move_lead":
        return { kind: step.kind, stage_id: step.stageId };
      case "notify":
        return step.to === "user" ? { kind: step.kind, to: "user", user_id: step.userId, text: step.text } : { kind: step.kind, to: "lead_owner", text: step.text };
      case "emit_event":
        return { kind: step.kind, name: step.name.trim() };
    }
  });
}

/** The same steps in one canonical shape (to tell whether the builder changed them). */
export function sameSteps(a: readonly ApiStep[], b: readonly ApiStep[]): boolean {
  const canonical = (steps: readonly ApiStep[]) => JSON.stringify(toApi(fromApi(steps)));
  return canonical(a) === canonical(b);
}

// Editing

export function insertStep(steps: readonly DraftStep[], at: number, step: DraftStep): DraftStep[] {
  const next = [...steps];
  next.splice(Math.max(0, Math.min(at, steps.length)), 0, step);
  return next;
}

/** Move the step at `index` by `delta` places (a branch keeps its targets: they may now be behind it, which `problems` says). */
export function moveStep(steps: readonly DraftStep[], index: number, delta: number): DraftStep[] {
  const to = index + delta;
  if (index < 0 || index >= steps.length || to < 0 || to >= steps.length) return [...steps];
  const next = [...steps];
  const [moved] = next.splice(index, 1);
  next.splice(to, 0, moved!);
  return next;
}

/** Remove the step at `index`; a branch that jumped to it jumps to what came after it instead (or the end). */
export function removeStep(steps: readonly DraftStep[], index: number): DraftStep[] {
  const gone = steps[index];
  if (!gone) return [...steps];
  const after = steps[index + 1]?.key ?? END;
  return steps
    .filter((_, i) => i !== index)
    .map((step) =>
      step.kind === "branch" && (step.then === gone.key || step.otherwise === gone.key)
        ? { ...step, then: step.then === gone.key ? after : step.then, otherwise: step.otherwise === gone.key ? after : step.otherwise }
        : step,
    );
}

export function replaceStep(steps: readonly DraftStep[], step: DraftStep): DraftStep[] {
  return steps.map((s) => (s.key === step.key ? step : s));
}

/** Where a branch at `index` may jump: the next step, any step after the next, or the end. */
export function targetsFor(steps: readonly DraftStep[], index: number): { value: Target; position: number | null }[] {
  return [
    { value: NEXT, position: null },
    ...steps.slice(index + 2).map((s, i) => ({ value: s.key, position: index + 2 + i })),
    { value: END, position: null },
  ];
}

// Checks before saving (the API checks again, against the company's templates, tags, stages and users)

export interface Problem {
  code: string;
  params?: Record<string, string | number>;
}
/** `steps.<i>.<field>` → what is wrong there. */
export type Problems = Record<string, Problem>;

function templateProblems(out: Problems, at: string, draft: TemplateDraft): void {
  if (!draft.templateId) out[`${at}template_id`] = { code: "chooseTemplate" };
}

export function problems(steps: readonly DraftStep[]): Problems {
  const out: Problems = {};
  if (!steps.length) out.steps = { code: "noSteps" };
  if (steps.length > MAX_STEPS) out.steps = { code: "tooManySteps", params: { max: MAX_STEPS } };
  const keys = steps.map((s) => s.key);
  steps.forEach((step, i) => {
    const at = `steps.${i}.`;
    switch (step.kind) {
      case "send_template":
        templateProblems(out, at, step.template);
        break;
      case "send_text":
        if (!step.text.trim()) out[`${at}text`] = { code: "required" };
        if (step.outsideWindow === "template") templateProblems(out, `${at}fallback.`, step.fallback);
        break;
      case "send_sms":
        if (!step.text.trim()) out[`${at}text`] = { code: "required" };
        break;
      case "wait": {
        if (step.mode === "until") {
          if (!/^\d{2}:\d{2}$/.test(step.untilTime)) out[`${at}until_time`] = { code: "required" };
          break;
        }
        const seconds = durationSeconds(step.amount, step.unit);
        if (seconds === null || seconds < 60) out[`${at}duration_seconds`] = { code: "waitTooShort" };
        else if (seconds > MAX_WAIT_SECONDS) out[`${at}duration_seconds`] = { code: "waitTooLong", params: { days: MAX_WAIT_SECONDS / 86400 } };
        break;
      }
      case "branch":
        if (step.condition === "has_tag" && !step.tagId) out[`${at}condition.tag_id`] = { code: "chooseTag" };
        if (step.condition === "lead_in_stage" && !step.stageId) out[`${at}condition.stage_id`] = { code: "chooseStage" };
        for (const [field, target] of [["then_step", step.then], ["else_step", step.otherwise]] as const) {
          const to = keys.indexOf(target);
          if (target !== NEXT && target !== END && to <= i) out[`${at}${field}`] = to < 0 ? { code: "targetGone" } : { code: "backwardJump", params: { step: to + 1 } };
        }
        break;
      case "tag":
        if (!step.tagId) out[`${at}tag_id`] = { code: "chooseTag" };
        break;
      case "move_lead":
        if (!step.stageId) out[`${at}stage_id`] = { code: "chooseStage" };
        break;
      case "notify":
        if (step.to === "user" && !step.userId) out[`${at}user_id`] = { code: "chooseUser" };
        if (!step.text.trim()) out[`${at}text`] = { code: "required" };
        break;
      case "emit_event":
        if (!EVENT_NAME.test(step.name.trim())) out[`${at}name`] = { code: "eventName" };
        break;
    }
  });
  return out;
}

/**
 * Field errors (the API's, keyed `steps.<i>.<field>`, a tagged union's choice possibly in the path as
 * `steps.<i>.send_template.<field>`) split by step: index → field → message; anything else under `other`.
 */
export function errorsByStep(errors: Record<string, string>): { steps: Map<number, Record<string, string>>; other: Record<string, string> } {
  const steps = new Map<number, Record<string, string>>();
  const other: Record<string, string> = {};
  for (const [field, message] of Object.entries(errors)) {
    const match = /^steps\.(\d+)(?:\.(.*))?$/.exec(field);
    if (!match) {
      other[field] = message;
      continue;
    }
    const index = Number(match[1]);
    const parts = (match[2] ?? "").split(".").filter(Boolean);
    if ((STEP_KINDS as readonly string[]).includes(parts[0] ?? "")) parts.shift();
    const entry = steps.get(index) ?? {};
    const name = parts.join(".") || "step";
    entry[name] = entry[name] ? `${entry[name]}; ${message}` : message;
    steps.set(index, entry);
  }
  return { steps, other };
}
