import { describe, expect, it } from "vitest";
import type { ConsentEvent } from "../api/consent-events";
import { eventDetails } from "./consent-timeline";

const base: ConsentEvent = {
  id: 1,
  contact_id: "c",
  channel: "whatsapp",
  status: "opted_in",
  source: "user",
  opt_in_source: null,
  proof: null,
  reason: null,
  actor: { id: "u", name: "Ana" },
  created_at: "2026-12-01T12:00:00Z",
};

describe("eventDetails", () => {
  it("gives an opt-in's source and proof, skipping empty ones", () => {
    expect(eventDetails({ ...base, opt_in_source: "site form", proof: "checkbox" })).toEqual([
      ["source", "site form"],
      ["proof", "checkbox"],
    ]);
    expect(eventDetails({ ...base, proof: "checkbox" })).toEqual([["proof", "checkbox"]]);
    expect(eventDetails(base)).toEqual([]);
  });

  it("gives an opt-out's reason only", () => {
    expect(eventDetails({ ...base, status: "opted_out", reason: "asked by phone", proof: "stale" })).toEqual([["reason", "asked by phone"]]);
  });

  it("says what the contact wrote for a keyword, either way", () => {
    const keyword = { ...base, source: "inbound_keyword" as const, actor: null };
    expect(eventDetails({ ...keyword, status: "opted_out", reason: "SAIR" })).toEqual([["wrote", "SAIR"]]);
    expect(eventDetails({ ...keyword, proof: "Voltar" })).toEqual([["wrote", "Voltar"]]);
  });
});
