/** A cadence's settings as the builder edits them, and the create and update bodies (a new version only when the
 * steps or the sending window changed). */
import type { Schema } from "@/lib/api/types";
import { sameSteps, toApi, type ApiStep, type DraftStep } from "./steps";

type Cadence = Schema<"CadenceRead">;
type Window = Schema<"CadenceWindow">;

export const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;
export const SEGMENT_MODES = ["none", "once", "continuous"] as const;
export type SegmentMode = (typeof SEGMENT_MODES)[number];

export interface SettingsDraft {
  name: string;
  description: string;
  connectionId: string;
  timezoneMode: "company" | "contact";
  /** "" = the company's */
  timezone: string;
  days: number[];
  allDay: boolean;
  startTime: string;
  endTime: string;
  exitOnReply: boolean;
  exitOnStageChange: boolean;
  goalTagId: string;
  allowReenrollment: boolean;
  segmentId: string;
  segmentMode: SegmentMode;
}

export function emptySettings(): SettingsDraft {
  return {
    name: "",
    description: "",
    connectionId: "",
    timezoneMode: "company",
    timezone: "",
    days: [1, 2, 3, 4, 5],
    allDay: false,
    startTime: "09:00",
    endTime: "18:00",
    exitOnReply: true,
    exitOnStageChange: false,
    goalTagId: "",
    allowReenrollment: false,
    segmentId: "",
    segmentMode: "none",
  };
}

const hhmm = (value: string | null | undefined, otherwise: string) => (value ? value.slice(0, 5) : otherwise);

export function settingsFrom(c: Cadence): SettingsDraft {
  const w = c.window;
  return {
    name: c.name,
    description: c.description ?? "",
    connectionId: c.connection_id ?? "",
    timezoneMode: w.timezone_mode ?? "company",
    timezone: w.timezone ?? "",
    days: [...(w.days ?? WEEKDAYS)],
    allDay: !w.start_time,
    startTime: hhmm(w.start_time, "09:00"),
    endTime: hhmm(w.end_time, "18:00"),
    exitOnReply: c.exit_on_reply,
    exitOnStageChange: c.exit_on_stage_change,
    goalTagId: c.goal_tag_id ?? "",
    allowReenrollment: c.allow_reenrollment,
    segmentId: c.segment_id ?? "",
    segmentMode: c.segment_mode,
  };
}

export function windowBody(s: SettingsDraft): Window {
  return {
    timezone_mode: s.timezoneMode,
    days: [...new Set(s.days)].sort((a, b) => a - b),
    start_time: s.allDay ? null : s.startTime,
    end_time: s.allDay ? null : s.endTime,
    timezone: s.timezone || null,
  };
}

function sameWindow(a: Window, b: Window): boolean {
  const canonical = (w: Window) =>
    JSON.stringify([w.timezone_mode ?? "company", [...(w.days ?? WEEKDAYS)].sort(), hhmm(w.start_time, ""), hhmm(w.end_time, ""), w.timezone ?? null]);
  return canonical(a) === canonical(b);
}

function settingsBody(s: SettingsDraft) {
  return {
    name: s.name.trim(),
    description: s.description.trim() || null,
    connection_id: s.connectionId || null,
    exit_on_reply: s.exitOnReply,
    exit_on_stage_change: s.exitOnStageChange,
    goal_tag_id: s.goalTagId || null,
    allow_reenrollment: s.allowReenrollment,
    segment_id: s.segmentMode === "none" ? null : s.segmentId || null,
    segment_mode: s.segmentMode,
  };
}

export function createBody(s: SettingsDraft, steps: readonly DraftStep[]): Schema<"CadenceCreate"> {
  return { ...settingsBody(s), steps: toApi(steps), window: windowBody(s) };
}

/** What changed since `cadence` was read; new steps or window go with the version read (the API writes the next
 * one). Null: nothing changed. */
export function updateBody(cadence: Cadence, s: SettingsDraft, steps: readonly DraftStep[]): Schema<"CadenceUpdate"> | null {
  const body: Schema<"CadenceUpdate"> = {};
  const wanted = settingsBody(s);
  const before = settingsBody(settingsFrom(cadence));
  for (const key of Object.keys(wanted) as (keyof typeof wanted)[]) {
    if (wanted[key] !== before[key]) (body as Record<string, unknown>)[key] = wanted[key];
  }
  const apiSteps: ApiStep[] = toApi(steps);
  const window = windowBody(s);
  const newSteps = !sameSteps(apiSteps, cadence.steps);
  const newWindow = !sameWindow(window, cadence.window);
  if (newSteps) body.steps = apiSteps;
  if (newWindow) body.window = window;
  if (newSteps || newWindow) body.version = cadence.current_version;
  return Object.keys(body).length ? body : null;
}

/** Whether saving writes a new version (the steps or the window changed). */
export function makesVersion(body: Schema<"CadenceUpdate"> | null): boolean {
  return Boolean(body && (body.steps || body.window));
}

/** Checks of the settings before saving: field → problem code. */
export function settingsProblems(s: SettingsDraft): Record<string, string> {
  const out: Record<string, string> = {};
  if (!s.name.trim()) out.name = "required";
  if (!s.days.length) out["window.days"] = "chooseDay";
  if (!s.allDay && s.startTime === s.endTime) out["window.end_time"] = "sameTimes";
  if (s.segmentMode !== "none" && !s.segmentId) out.segment_id = "chooseSegment";
  return out;
}
