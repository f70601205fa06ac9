/** What a campaign's connection decides: its channel (WhatsApp or SMS) and how fast it may send. */
import type { Connection } from "../api/campaigns";
import { maxRate } from "./progress";

export function isSms(connection: Pick<Connection, "channel"> | undefined | null): boolean {
  return connection?.channel === "sms";
}

/** Messages per second the number allows: an SMS origination number's MPS, else WhatsApp's throughput level. */
export function rateCap(connection: (Pick<Connection, "channel" | "throughput_level"> & { sms?: { messages_per_second: number } | null }) | undefined | null): number {
  if (isSms(connection)) return Math.max(1, Math.floor(connection?.sms?.messages_per_second ?? 1));
  return maxRate(connection?.throughput_level);
}
