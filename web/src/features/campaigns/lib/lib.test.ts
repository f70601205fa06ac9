import { describe, expect, it } from "vitest";
import { reasonKey, reasonRows, statusReason } from "./reasons";
import { buckets, done, maxRate, percentDone } from "./progress";
import { missingParameters, previewParts } from "./template";

describe("reasons", () => {
  it("names common codes and falls back for the others", () => {
    expect(reasonKey(131026)).toBe("reasons.131026");
    expect(reasonKey("failed_unknown")).toBe("reasons.failed_unknown");
    expect(reasonKey(999999)).toBe("reasons.other");
    expect(reasonKey(null)).toBe("reasons.unknown");
    expect(reasonKey("campaign cancelled")).toBe("reasons.campaign_cancelled");
  });
  it("orders reasons by count", () => {
    expect(reasonRows({ "131026": 1, "131050": 3, worker_error: 1 })).toEqual([
      { code: "131050", count: 3 },
      { code: "131026", count: 1 },
      { code: "worker_error", count: 1 },
    ]);
  });
});

describe("progress", () => {
  const counts = { total: 10, queued: 2, sending: 1, unknown: 1, sent: 4, delivered: 3, read: 1, failed: 1, skipped: 1 };
  it("counts settled recipients", () => {
    expect(done(counts)).toBe(6);
    expect(percentDone(counts)).toBe(60);
    expect(percentDone({ ...counts, total: 0 })).toBe(0);
  });
  it("puts each recipient in one bucket", () => {
    const sum = buckets(counts).reduce((n, b) => n + b.value, 0);
    expect(sum).toBe(counts.total);
  });
  it("caps the rate by throughput", () => {
    expect(maxRate("HIGH")).toBe(1000);
    expect(maxRate(null)).toBe(80);
  });
});

describe("template preview", () => {
  const components = [
    { type: "HEADER", format: "TEXT", text: "Olá {{1}}" },
    { type: "BODY", text: "Oi {{1}}, seu cupom é {{2}}." },
    { type: "FOOTER", text: "Loja" },
    { type: "BUTTONS", buttons: [{ type: "URL", text: "Comprar", url: "https://x/{{1}}" }] },
  ];
  it("fills each placeholder by its key", () => {
    const parts = previewParts(components, (key) => `[${key}]`);
    expect(parts.header).toBe("Olá [header.1]");
    expect(parts.body).toBe("Oi [body.1], seu cupom é [body.2].");
    expect(parts.footer).toBe("Loja");
    expect(parts.buttons).toEqual(["Comprar"]);
  });
  it("lists parameters with neither a field nor a default", () => {
    expect(missingParameters(["body.1", "body.2"], { "body.1": "first_name" }, { "body.2": " " })).toEqual(["body.2"]);
  });
});

describe("status reasons", () => {
  it("words the API's reasons in the catalogue, Meta's code kept", () => {
    expect(statusReason("paused by a user")).toEqual({ key: "statusReason.pausedByUser" });
    expect(statusReason("WhatsApp error 131048: spam rate limit")).toEqual({
      key: "statusReason.whatsapp",
      values: { code: "131048", reasonKey: "reasons.131048" },
    });
    expect(statusReason("the campaign cannot send: no template")).toBeNull();
  });

  it("names the template Meta paused or disabled, with Meta's reason when it gave one", () => {
    expect(statusReason("template promo (pt_BR) paused by Meta: FIRST_PAUSE; low quality")).toEqual({
      key: "statusReason.templatePausedBecause",
      values: { name: "promo", language: "pt_BR", detail: "FIRST_PAUSE; low quality" },
    });
    expect(statusReason("template promo (en_US) disabled by Meta")).toEqual({
      key: "statusReason.templateDisabled",
      values: { name: "promo", language: "en_US", detail: "" },
    });
  });
});
