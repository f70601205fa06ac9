/** The AI in a conversation as the inbox shows it: its state, why it stopped, what an agent may do, and which
 * messages it sent. Pure: the components and the live frames use these. */
import type { Message } from "./cache";
import type { Conversation } from "./filters";

export type ConversationAi = NonNullable<Conversation["ai"]>;
export type AiStatus = ConversationAi["status"];

/** Why the AI stopped, as the API says it (`ai.reason`): a pause's, or a handoff's trigger. */
export const PAUSE_REASONS = ["human_reply", "assigned", "opted_out", "paused_by_user"] as const;
export const HANDOFF_TRIGGERS = ["customer_request", "tool", "low_confidence", "repeated_misunderstanding", "blocked_topic"] as const;

/** What the AI said of a message it sent (`content.ai`), or null for a person's, a campaign's or the contact's. */
export interface AiAuthor {
  personaId: string | null;
  personaVersion: number | null;
  part: number;
  parts: number;
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

export function aiAuthor(message: Pick<Message, "direction" | "content">): AiAuthor | null {
  if (message.direction !== "out") return null;
  const ai = record(message.content.ai);
  if (!ai) return null;
  const number = (value: unknown, fallback: number) => (typeof value === "number" && Number.isFinite(value) ? value : fallback);
  return {
    personaId: typeof ai.persona_id === "string" && ai.persona_id ? ai.persona_id : null,
    personaVersion: typeof ai.persona_version === "number" ? ai.persona_version : null,
    part: number(ai.part, 1),
    parts: number(ai.parts, 1),
  };
}

/** The action an agent is offered: pause an AI that answers, hand a stopped one the conversation (back), or
 * nothing where the AI has never been. */
export function aiAction(ai: Conversation["ai"] | undefined): "pause" | "resume" | null {
  if (!ai) return null;
  return ai.status === "active" ? "pause" : "resume";
}

/** The catalogue key (under `ai.`) of why the AI is not answering, or null while it answers. */
export function aiReasonKey(ai: Conversation["ai"] | undefined): string | null {
  if (!ai || ai.status === "active") return null;
  const known: readonly string[] = ai.status === "handed_off" ? HANDOFF_TRIGGERS : PAUSE_REASONS;
  const group = ai.status === "handed_off" ? "trigger" : "paused";
  return ai.reason && known.includes(ai.reason) ? `${group}.${ai.reason}` : `${group}.other`;
}
