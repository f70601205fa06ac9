/** Progress arithmetic shared by the list, the campaign page and its chart. */
export interface Counts {
  total: number;
  queued: number;
  sending: number;
  unknown: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  skipped: number;
}

/** Recipients whose outcome is settled: sent (incl. delivered and read), failed or skipped. */
export function done(c: Counts): number {
  return c.sent + c.failed + c.skipped;
}

/** 0–100, for a progress bar. */
export function percentDone(c: Counts): number {
  if (c.total <= 0) return 0;
  return Math.min(100, Math.round((done(c) / c.total) * 1000) / 10);
}

/** The chart's bars: every recipient in exactly one bucket (sent only, delivered not read, read, …). */
export function buckets(c: Counts): { key: "queued" | "sending" | "unknown" | "sentOnly" | "deliveredOnly" | "read" | "failed" | "skipped"; value: number }[] {
  return [
    { key: "queued", value: c.queued },
    { key: "sending", value: c.sending },
    { key: "unknown", value: c.unknown },
    { key: "sentOnly", value: Math.max(0, c.sent - c.delivered) },
    { key: "deliveredOnly", value: Math.max(0, c.delivered - c.read) },
    { key: "read", value: c.read },
    { key: "failed", value: c.failed },
    { key: "skipped", value: c.skipped },
  ];
}

/** The highest rate a number allows (Meta's throughput: 80/s, 1,000/s at HIGH). */
export function maxRate(throughputLevel: string | null | undefined): number {
  return (throughputLevel ?? "").toUpperCase() === "HIGH" ? 1000 : 80;
}
