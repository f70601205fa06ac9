/** The cadence events pushed over the WebSocket (`cadence:{id}`) applied to the per-step statistics in the cache,
 * until the next read brings the exact counts (delivered, read and replied come only from that read). */
import type { Schema } from "@/lib/api/types";

type Stats = Schema<"CadenceStats">;
type StepStats = Schema<"CadenceStepStats">;

export const CADENCE_EVENTS = ["cadence.enrolled", "cadence.step_sent", "cadence.exited"] as const;

export interface CadenceFrame {
  type: string;
  data: Record<string, unknown>;
}

/** The cadence a frame is about (null: not a cadence frame). */
export function frameCadence(frame: CadenceFrame): string | null {
  return (CADENCE_EVENTS as readonly string[]).includes(frame.type) && typeof frame.data.cadence_id === "string" ? frame.data.cadence_id : null;
}

const less = (n: number) => Math.max(0, n - 1);

function patchStep(stats: Stats, index: unknown, patch: (s: StepStats) => StepStats): StepStats[] {
  return stats.steps.map((s) => (s.step_index === index ? patch(s) : s));
}

/** The statistics with the frame counted (unchanged when the frame is of another version or kind). */
export function applyFrame(stats: Stats, frame: CadenceFrame): Stats {
  const data = frame.data;
  if (data.version !== stats.version) return stats;
  switch (frame.type) {
    case "cadence.enrolled":
      return {
        ...stats,
        enrolled: stats.enrolled + 1,
        states: { ...stats.states, active: (stats.states.active ?? 0) + 1 },
        steps: patchStep(stats, 0, (s) => ({ ...s, waiting: s.waiting + 1 })),
      };
    case "cadence.step_sent":
      return { ...stats, steps: patchStep(stats, data.step_index, (s) => ({ ...s, ran: s.ran + 1, sent: s.sent + 1 })) };
    case "cadence.exited": {
      const reason = typeof data.reason === "string" ? data.reason : "other";
      return {
        ...stats,
        states: { ...stats.states, active: less(stats.states.active ?? 0), exited: (stats.states.exited ?? 0) + 1 },
        exit_reasons: { ...stats.exit_reasons, [reason]: (stats.exit_reasons[reason] ?? 0) + 1 },
        steps: patchStep(stats, data.step_index, (s) => ({ ...s, exited: s.exited + 1, waiting: less(s.waiting) })),
      };
    }
    default:
      return stats;
  }
}
