/** Where a notification leads, from the ids in its `data` (a disabled webhook endpoint, a paused campaign, a number, a template, a lead's appointment). */
export function notificationLink(data: Record<string, unknown>): string | null {
  const id = (key: string) => (typeof data[key] === "string" ? encodeURIComponent(data[key]) : null);
  const endpoint = id("endpoint_id");
  if (endpoint) return `/webhook-endpoints/${endpoint}`;
  const campaign = id("campaign_id");
  if (campaign) return `/campaigns/${campaign}`;
  const connection = id("connection_id");
  if (id("template_id") && connection) return `/templates?connection=${connection}`;
  if (connection) return "/connections";
  const lead = id("lead_id");
  const pipeline = id("pipeline_id");
  if (lead && pipeline) return `/pipelines/${pipeline}?lead=${lead}`;
  return null;
}

/** The bell's badge: the count, or "99+" past the cap. */
export function badgeText(count: number, more: boolean): string {
  return more || count > 99 ? "99+" : String(count);
}
