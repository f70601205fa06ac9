/** A rule in one line for the list: its trigger with what it listens for (the keywords, the hours…). */
import type { Schema } from "@/lib/api/types";

type Trigger = Schema<"AutomationRead">["trigger"];

/** The catalogue key and its values that say the trigger ("message with preço, orçamento"). */
export function triggerSummary(trigger: Trigger): { key: string; values: Record<string, string | number> } {
  if (trigger.type === "message_received") {
    const keywords = trigger.keywords ?? [];
    if (keywords.length) return { key: "summary.keywords", values: { keywords: keywords.slice(0, 5).join(", ") + (keywords.length > 5 ? "…" : "") } };
    if (trigger.regex) return { key: "summary.regex", values: { regex: trigger.regex } };
  }
  if (trigger.type === "no_reply") return { key: "summary.no_reply", values: { count: trigger.hours } };
  return { key: `triggers.${trigger.type}`, values: {} };
}
