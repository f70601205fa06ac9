import { describe, expect, it } from "vitest";
import { createBody, emptyForm, scheduleBody, stepOfField, timingBody } from "./wizard-form";

describe("the wizard's bodies", () => {
  const form = {
    ...emptyForm("America/Sao_Paulo"),
    name: "  Black Friday ",
    connectionId: "c1",
    templateId: "t1",
    parameters: { "body.1": "first_name", "body.2": "" },
    defaults: { "body.1": " cliente ", "body.2": "" },
    audience: { tag_ids: ["tag"], list_ids: [], segment_ids: [], contact_ids: [] },
    rate: "5",
  };

  it("leaves out empty parameters and defaults", () => {
    expect(createBody(form)).toMatchObject({
      name: "Black Friday",
      parameters: { "body.1": "first_name" },
      defaults: { "body.1": "cliente" },
      rate_per_second: 5,
      timezone: "America/Sao_Paulo",
    });
  });

  it("sends a WhatsApp template, or on an SMS connection a local text template", () => {
    expect(createBody(form)).toMatchObject({ whatsapp_template_id: "t1", local_template_id: null });
    expect(createBody({ ...form, templateId: "", localTemplateId: "l1" })).toMatchObject({ whatsapp_template_id: null, local_template_id: "l1" });
  });

  it("sends a window only when on, and clears it otherwise", () => {
    expect(timingBody(form)).toEqual({ timezone: "America/Sao_Paulo", rate_per_second: 5, clear_window: true, clear_reply_lead: true });
    expect(timingBody({ ...form, windowOn: true, windowZone: "contact" }).window).toEqual({ start: "08:00", end: "20:00", timezone: "contact" });
  });

  it("opens a lead on a reply only when ticked with a pipeline, and clears it otherwise", () => {
    const ticked = { ...form, replyLead: true, replyPipelineId: "p1" };
    expect(timingBody(ticked).reply_lead).toEqual({ pipeline_id: "p1", stage_id: null, owner_id: null });
    expect(timingBody({ ...ticked, replyStageId: "s2", replyOwnerId: "u1" }).reply_lead).toEqual({ pipeline_id: "p1", stage_id: "s2", owner_id: "u1" });
    expect(timingBody({ ...ticked, replyPipelineId: "" })).toMatchObject({ clear_reply_lead: true });
    expect(timingBody({ ...ticked, replyLead: false })).toMatchObject({ clear_reply_lead: true });
    expect(timingBody(ticked)).not.toHaveProperty("clear_reply_lead");
    expect(stepOfField("reply_lead.stage_id")).toBe("schedule");
  });

  it("starts now unless a time is chosen", () => {
    expect(scheduleBody(form)).toEqual({});
    expect(scheduleBody({ ...form, startMode: "later", at: "2026-12-24T09:00" })).toEqual({ at: "2026-12-24T09:00:00", timezone: "America/Sao_Paulo" });
  });

  it("knows which step shows each of the API's field errors", () => {
    expect(stepOfField("rate_per_second")).toBe("schedule");
    expect(stepOfField("parameters.body.1")).toBe("parameters");
    expect(stepOfField("audience.tag_ids")).toBe("audience");
    expect(stepOfField("whatsapp_template_id")).toBe("template");
    expect(stepOfField("local_template_id")).toBe("template");
  });
});
