import { describe, expect, it } from "vitest";
import { addTopics, bodyOf, draftChanged, draftIsValid, draftOf, emptyDraft, validateDraft, type PersonaFields } from "./persona-form";

const SAVED: PersonaFields = {
  name: "Ana",
  role: "Sales assistant",
  tone: "friendly",
  language: "pt-BR",
  instructions: "Answer from the FAQ.",
  knowledge_base_ids: ["kb-2", "kb-1"],
  tools: ["handoff", "propose_stage"],
  connection_ids: ["c-1"],
  active_hours: { timezone: "America/Sao_Paulo", days: { mon: [["09:00", "18:00"]] } },
  blocked_topics: ["refunds"],
  max_reply_chars: 600,
  debounce_seconds: 8,
  chat_model: null,
  temperature: "0.30",
  outside_window_template_id: null,
};

describe("validateDraft", () => {
  it("a new persona needs only a name", () => {
    const draft = emptyDraft("pt-BR", "America/Sao_Paulo");
    expect(validateDraft(draft).fields.name).toEqual({ key: "required" });
    expect(draftIsValid(validateDraft({ ...draft, name: "Ana" }))).toBe(true);
  });

  it("holds the numbers to the API's bounds, whole numbers only", () => {
    const draft = { ...emptyDraft("en", "UTC"), name: "Bot" };
    const errors = validateDraft({ ...draft, max_reply_chars: "49", debounce_seconds: "2.5", temperature: "2.1" }).fields;
    expect(errors.max_reply_chars).toEqual({ key: "between", values: { min: 50, max: 4000 } });
    expect(errors.debounce_seconds).toEqual({ key: "between", values: { min: 0, max: 120 } });
    expect(errors.temperature).toEqual({ key: "between", values: { min: 0, max: 2 } });
    expect(validateDraft({ ...draft, max_reply_chars: "4000", debounce_seconds: "0", temperature: "0,7" }).fields).toEqual({});
  });

  it("checks the schedule only when the persona is not always active", () => {
    const draft = { ...emptyDraft("en", "UTC"), name: "Bot", hours: { timezone: "UTC", days: { mon: [["18:00", "09:00"]] as [string, string][] } } };
    expect(validateDraft(draft).hours).toBeNull();
    expect(validateDraft({ ...draft, always: false }).hours?.ranges).toEqual({ "mon.0": "order" });
  });
});

describe("bodyOf / draftOf", () => {
  it("round-trips a saved persona, with numbers as numbers and the decimal read", () => {
    const draft = draftOf(SAVED);
    expect(draft.temperature).toBe("0.3");
    expect(draft.always).toBe(false);
    const body = bodyOf(draft);
    expect(body).toMatchObject({ max_reply_chars: 600, debounce_seconds: 8, temperature: 0.3, chat_model: null, tools: ["handoff", "propose_stage"] });
    expect(body.active_hours).toEqual(SAVED.active_hours);
  });

  it("sends no schedule for always, empty texts as null, tools in the API's order", () => {
    const draft = { ...draftOf(SAVED), always: true, chat_model: "  ", temperature: "", tools: ["update_lead" as const, "handoff" as const] };
    expect(bodyOf(draft)).toMatchObject({ active_hours: null, chat_model: null, temperature: null, tools: ["handoff", "update_lead"] });
  });

  it("knows when nothing changed (ids in another order are the same choice)", () => {
    const draft = draftOf(SAVED);
    expect(draftChanged(draft, SAVED)).toBe(false);
    expect(draftChanged({ ...draft, knowledge_base_ids: ["kb-1", "kb-2"] }, SAVED)).toBe(false);
    expect(draftChanged({ ...draft, tone: "formal" }, SAVED)).toBe(true);
  });
});

describe("addTopics", () => {
  it("splits on commas and semicolons, trims, and drops repeats whatever their case", () => {
    expect(addTopics(["Refunds"], "prices, refunds; legal ,, ")).toEqual(["Refunds", "prices", "legal"]);
  });
});
