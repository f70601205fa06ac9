import { describe, expect, it } from "vitest";
import { buildTemplate, checkDraft, emptyButton, emptyDraft, fieldOfApiPath, fillExamples, isNamed, META_LIMITS, placeholders, type TemplateDraft } from "./meta-limits";

function draft(patch: Partial<TemplateDraft>): TemplateDraft {
  return { ...emptyDraft(), name: "promo", body: "Oi {{1}}", ...patch };
}

describe("Meta's limits", () => {
  it("are Meta's published figures (tests/unit/test_web_meta_limits.py checks they are the API's too)", () => {
    expect(META_LIMITS).toMatchObject({ headerText: 60, bodyText: 1024, footerText: 60, buttons: 10, urlButtons: 2, phoneButtons: 1, buttonText: 25, buttonUrl: 2000, buttonPhone: 20 });
  });

  it("accept a valid draft", () => {
    expect(checkDraft(draft({ headerFormat: "TEXT", headerText: "Olá {{1}}", body: "Oi {{1}}, use {{2}}", footer: "Até logo", buttons: [{ ...emptyButton("QUICK_REPLY"), text: "Sim" }] }))).toEqual({});
  });

  it("count characters at the limit and one past it", () => {
    expect(checkDraft(draft({ body: "a".repeat(1024) }))).toEqual({});
    expect(checkDraft(draft({ body: "a".repeat(1025) })).body).toEqual([{ code: "tooLong", limit: 1024, length: 1025 }]);
    expect(checkDraft(draft({ headerFormat: "TEXT", headerText: "h".repeat(61) })).headerText).toContainEqual({ code: "tooLong", limit: 60, length: 61 });
    expect(checkDraft(draft({ footer: "f".repeat(61) })).footer).toEqual([{ code: "tooLong", limit: 60, length: 61 }]);
  });

  it("allow one parameter in a header and none in a footer", () => {
    expect(checkDraft(draft({ headerFormat: "TEXT", headerText: "{{1}} {{2}}" })).headerText).toContainEqual({ code: "tooManyParameters", limit: 1 });
    expect(checkDraft(draft({ footer: "{{1}}" })).footer).toContainEqual({ code: "tooManyParameters", limit: 0 });
  });

  it("want positional parameters in order", () => {
    expect(checkDraft(draft({ body: "{{2}} {{1}}" })).body).toContainEqual({ code: "positionalOrder" });
    expect(checkDraft(draft({ body: "{{1}} {{2}} {{1}}" })).body).toBeUndefined();
  });

  it("check the name", () => {
    expect(checkDraft(draft({ name: "" })).name).toEqual([{ code: "required" }]);
    expect(checkDraft(draft({ name: "Promo Fall" })).name).toEqual([{ code: "name" }]);
    expect(checkDraft(draft({ name: "promo_fall_2026" })).name).toBeUndefined();
  });

  it("limit buttons: 10 in all, 2 URL, 1 phone, 25 characters of text, 2000 of URL", () => {
    const quick = (n: number) => Array.from({ length: n }, () => ({ ...emptyButton("QUICK_REPLY"), text: "ok" }));
    expect(checkDraft(draft({ buttons: quick(10) })).buttons).toBeUndefined();
    expect(checkDraft(draft({ buttons: quick(11) })).buttons).toEqual([{ code: "tooManyButtons", limit: 10 }]);
    const url = { ...emptyButton("URL"), text: "Site", url: "https://example.com" };
    expect(checkDraft(draft({ buttons: [url, url, url] })).buttons).toEqual([{ code: "tooManyUrlButtons", limit: 2 }]);
    const phone = { ...emptyButton("PHONE_NUMBER"), text: "Ligar", phone_number: "+5511999999999" };
    expect(checkDraft(draft({ buttons: [phone, phone] })).buttons).toEqual([{ code: "tooManyPhoneButtons", limit: 1 }]);
    expect(checkDraft(draft({ buttons: [{ ...url, text: "x".repeat(26) }] }))["buttons.0.text"]).toEqual([{ code: "tooLong", limit: 25, length: 26 }]);
    const long = "https://example.com/" + "a".repeat(1981);
    expect(checkDraft(draft({ buttons: [{ ...url, url: long }] }))["buttons.0.url"]).toEqual([{ code: "tooLong", limit: 2000, length: 2001 }]);
    expect(checkDraft(draft({ buttons: [{ ...url, url: "https://x.com/{{1}}/{{2}}" }] }))["buttons.0.url"]).toContainEqual({ code: "tooManyParameters", limit: 1 });
  });
});

describe("building Meta's body", () => {
  it("puts components in order with examples and maps error paths back to fields", () => {
    const built = buildTemplate(
      draft({
        headerFormat: "TEXT",
        headerText: "Oi {{1}}",
        body: "Oi {{1}}, cupom {{2}}",
        footer: "Loja",
        buttons: [{ ...emptyButton("URL"), text: "Ver", url: "https://x.com/{{1}}", example: "abc" }],
        examples: { "1": "Ana", "2": "FALL25" },
      }),
    );
    expect(built.body.components).toEqual([
      { type: "HEADER", format: "TEXT", text: "Oi {{1}}", example: { header_text: ["Ana"] } },
      { type: "BODY", text: "Oi {{1}}, cupom {{2}}", example: { body_text: [["Ana", "FALL25"]] } },
      { type: "FOOTER", text: "Loja" },
      { type: "BUTTONS", buttons: [{ type: "URL", text: "Ver", url: "https://x.com/{{1}}", example: ["https://x.com/abc"] }] },
    ]);
    expect(built.body.parameter_format).toBeUndefined();
    expect(fieldOfApiPath("components.1.text", built.kinds)).toBe("body");
    expect(fieldOfApiPath("components.0.text", built.kinds)).toBe("headerText");
    expect(fieldOfApiPath("components.3.buttons.0.text", built.kinds)).toBe("buttons.0.text");
    expect(fieldOfApiPath("components.3.buttons", built.kinds)).toBe("buttons");
    expect(fieldOfApiPath("name", built.kinds)).toBe("name");
  });

  it("uses the NAMED format when every placeholder is a name", () => {
    const named = draft({ body: "Oi {{first_name}}", examples: { first_name: "Ana" } });
    expect(isNamed(named)).toBe(true);
    expect(buildTemplate(named).body).toMatchObject({ parameter_format: "NAMED", components: [{ type: "BODY", example: { body_text_named_params: [{ param_name: "first_name", example: "Ana" }] } }] });
  });

  it("finds placeholders once each and fills in examples", () => {
    expect(placeholders("{{1}} {{ 2 }} {{1}}")).toEqual(["1", "2"]);
    expect(fillExamples("Oi {{1}} e {{2}}", { "1": "Ana" })).toBe("Oi Ana e {{2}}");
  });
});
