import { describe, expect, it } from "vitest";
import type { Schema } from "@/lib/api/types";
import { draftFrom, emptyRule, fieldValue, move, newAction, newCondition, parseEventData, parseKeywords, problems, ruleBody, updateBody, type RuleDraft } from "./draft";

const USER = "11111111-1111-4111-8111-111111111111";
const USER2 = "22222222-2222-4222-8222-222222222222";
const TAG = "33333333-3333-4333-8333-333333333333";

function rule(draft: Partial<RuleDraft>): RuleDraft {
  return { ...emptyRule(), ...draft };
}

describe("keywords", () => {
  it("splits on commas and lines, trims, keeps each once ignoring case", () => {
    expect(parseKeywords(" preço, Orçamento\nvalor,, PREÇO ")).toEqual(["preço", "Orçamento", "valor"]);
    expect(parseKeywords(" , \n")).toEqual([]);
  });
});

describe("the request body", () => {
  it("is the rule of the brief: message with preço → tag + assign", () => {
    const draft = rule({
      name: "  Preço  ",
      trigger: { ...emptyRule().trigger, match: "keywords", keywords: "preço, orçamento" },
      actions: [
        { ...newAction("add_tag"), tagId: TAG },
        { ...newAction("assign"), userId: USER },
      ],
    });
    expect(ruleBody(draft)).toEqual({
      name: "Preço",
      description: null,
      enabled: true,
      on_failure: "stop",
      trigger: { type: "message_received", keywords: ["preço", "orçamento"] },
      conditions: [],
      actions: [
        { type: "add_tag", tag_id: TAG },
        { type: "assign", user_id: USER, only_unassigned: true },
      ],
    });
  });

  it("sends a regex or nothing to match, as chosen", () => {
    const trigger = { ...emptyRule().trigger, keywords: "preço", regex: "\\bpromo\\w*" };
    expect(ruleBody(rule({ trigger: { ...trigger, match: "regex" } })).trigger).toEqual({ type: "message_received", regex: "\\bpromo\\w*" });
    expect(ruleBody(rule({ trigger: { ...trigger, match: "any" } })).trigger).toEqual({ type: "message_received" });
  });

  it("sends 'any' as null and hours as a number", () => {
    const base = emptyRule().trigger;
    expect(ruleBody(rule({ trigger: { ...base, type: "tag_added" } })).trigger).toEqual({ type: "tag_added", tag_id: null });
    expect(ruleBody(rule({ trigger: { ...base, type: "lead_stage_changed", toStageId: TAG } })).trigger).toEqual({ type: "lead_stage_changed", pipeline_id: null, from_stage_id: null, to_stage_id: TAG });
    expect(ruleBody(rule({ trigger: { ...base, type: "no_reply", hours: "48" } })).trigger).toEqual({ type: "no_reply", hours: 48 });
    expect(ruleBody(rule({ trigger: { ...base, type: "contact_opted_out" } })).trigger).toEqual({ type: "contact_opted_out", channel: null });
  });

  it("writes business hours as one range on each chosen day", () => {
    const c = { ...newCondition("business_hours"), days: ["mon" as const, "fri" as const], start: "08:00", end: "12:00", positive: false };
    expect(ruleBody(rule({ conditions: [c] })).conditions).toEqual([{ type: "business_hours", inside: false, hours: { timezone: "America/Sao_Paulo", days: { mon: [["08:00", "12:00"]], fri: [["08:00", "12:00"]] } } }]);
  });

  it("compares a custom field by number for more or less, and without a value for filled or empty", () => {
    expect(fieldValue("gt", " 10 ")).toBe(10);
    expect(fieldValue("eq", "10")).toBe("10");
    expect(fieldValue("lt", "abc")).toBe("abc");
    expect(fieldValue("exists", "x")).toBeNull();
  });

  it("notifies a user only when the recipient is a user, and reads event data as key=value lines", () => {
    const notify = { ...newAction("notify"), to: "assignee" as const, userId: USER, text: "Oi" };
    expect(ruleBody(rule({ actions: [notify] })).actions).toEqual([{ type: "notify", to: "assignee", user_id: null, text: "Oi" }]);
    expect(parseEventData("plan = pro\n\nsource=bot=1\nflag")).toEqual({ plan: "pro", source: "bot=1", flag: "" });
  });

  it("leaves the enabling out of the changes (it has its own buttons)", () => {
    expect(updateBody(rule({ name: "x" }))).not.toHaveProperty("enabled");
  });
});

describe("a rule read back", () => {
  const read: Schema<"AutomationRead"> = {
    id: "r1",
    name: "Preço",
    description: null,
    enabled: false,
    position: 0,
    on_failure: "continue",
    trigger: { type: "message_received", keywords: ["preço", "orçamento"] },
    conditions: [
      { type: "business_hours", hours: { timezone: "America/Sao_Paulo", days: { mon: [["09:00", "12:00"], ["13:00", "18:00"]] } }, inside: true },
      { type: "custom_field", key: "plan", op: "gt", value: 3 },
    ],
    actions: [
      { type: "assign_round_robin", user_ids: [USER, USER2], only_unassigned: false },
      { type: "send_template", template_id: TAG, parameters: { "body.1": "first_name" } },
      { type: "emit_event", name: "lead.qualified", data: { plan: "pro", n: 2 } },
    ],
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
  };

  it("is sent back as it came (hours with several ranges and a template's parameters kept)", () => {
    const body = ruleBody(draftFrom(read));
    expect(body.trigger).toEqual(read.trigger);
    expect(body.conditions).toEqual(read.conditions);
    expect(body.actions).toEqual([
      { type: "assign_round_robin", user_ids: [USER, USER2], only_unassigned: false },
      { type: "send_template", template_id: TAG, parameters: { "body.1": "first_name" } },
      { type: "emit_event", name: "lead.qualified", data: { plan: "pro", n: "2" } },
    ]);
    expect(body.on_failure).toBe("continue");
    expect(body.enabled).toBe(false);
  });
});

describe("what is checked before sending", () => {
  it("names each missing field by the API's path", () => {
    const draft = rule({
      name: " ",
      trigger: { ...emptyRule().trigger, match: "keywords", keywords: "" },
      conditions: [newCondition("tag"), { ...newCondition("custom_field"), fieldKey: "plan", op: "exists" }],
      actions: [newAction("assign"), { ...newAction("assign_round_robin"), userIds: [USER] }, { ...newAction("emit_event"), eventName: "Lead Qualified" }, { ...newAction("notify"), to: "user", text: "x" }],
    });
    expect(problems(draft)).toEqual({
      name: "required",
      "trigger.keywords": "keywords_required",
      "conditions.0.tag_id": "required",
      "actions.0.user_id": "required",
      "actions.1.user_ids": "two_users",
      "actions.2.name": "event_name",
      "actions.3.user_id": "required",
    });
  });

  it("wants an action, hours from 1 to 720 and a business range that starts before it ends", () => {
    const base = emptyRule();
    const draft = rule({
      name: "x",
      trigger: { ...base.trigger, type: "no_reply", hours: "0" },
      conditions: [{ ...newCondition("business_hours"), start: "18:00", end: "09:00" }],
      actions: [],
    });
    expect(problems(draft)).toEqual({ "trigger.hours": "hours_range", "conditions.0.hours.start": "range_order", actions: "one_action" });
  });

  it("passes a complete rule", () => {
    const draft = rule({ name: "x", trigger: { ...emptyRule().trigger, keywords: "preço" }, actions: [{ ...newAction("add_tag"), tagId: TAG }] });
    expect(problems(draft)).toEqual({});
  });
});

describe("moving an item", () => {
  it("moves up or down, and not past the ends", () => {
    expect(move(["a", "b", "c"], 2, -1)).toEqual(["a", "c", "b"]);
    expect(move(["a", "b", "c"], 0, 1)).toEqual(["b", "a", "c"]);
    expect(move(["a", "b"], 0, -1)).toEqual(["a", "b"]);
  });
});
