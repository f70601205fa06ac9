/** The pipeline settings' AI thresholds as the form holds them: whole percents typed (80), fractions sent (0.8). */
import type { Schema } from "@/lib/api/types";

type Pipeline = Schema<"PipelineRead">;

export interface AiForm {
  /** percent, as typed */
  auto: string;
  backward: string;
  mayClose: boolean;
}

/** A fraction as a whole percent (0.8 → "80"; 0.955 → "95.5": what the API holds is never rounded away). */
export function percentOf(fraction: number): string {
  return String(Math.round(fraction * 1000) / 10);
}

export function aiFormOf(pipeline: Pick<Pipeline, "ai_auto_apply_threshold" | "ai_backward_threshold" | "ai_may_close">): AiForm {
  return { auto: percentOf(pipeline.ai_auto_apply_threshold), backward: percentOf(pipeline.ai_backward_threshold), mayClose: pipeline.ai_may_close };
}

function parsed(value: string): number | null {
  if (!value.trim()) return null;
  const number = Number(value.replace(",", "."));
  return Number.isFinite(number) ? number : null;
}

/** The catalogue keys (under `settings.ai.`) of what is wrong, per field. */
export function aiFormErrors(form: AiForm): { auto?: string; backward?: string } {
  const auto = parsed(form.auto);
  const backward = parsed(form.backward);
  const errors: { auto?: string; backward?: string } = {};
  if (auto === null || auto < 0 || auto > 100) errors.auto = "range";
  if (backward === null || backward < 0 || backward > 100) errors.backward = "range";
  else if (auto !== null && !errors.auto && backward < auto) errors.backward = "backwardBelow";
  return errors;
}

/** The body of the PATCH (a valid form: see `aiFormErrors`). */
export function aiFormValues(form: AiForm): { ai_auto_apply_threshold: number; ai_backward_threshold: number; ai_may_close: boolean } {
  const fraction = (value: string) => Math.round((parsed(value) ?? 0) * 10) / 1000;
  return { ai_auto_apply_threshold: fraction(form.auto), ai_backward_threshold: fraction(form.backward), ai_may_close: form.mayClose };
}
