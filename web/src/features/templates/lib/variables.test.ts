import { describe, expect, it } from "vitest";
import { describeKey, insertVariable, missingFromErrors, unknownVariables, variablesOf } from "./variables";

describe("local template variables", () => {
  it("lists the variables used, once, in order", () => {
    expect(variablesOf("Oi {{first_name}}, {{ custom.city }} {{first_name}}")).toEqual(["first_name", "custom.city"]);
  });

  it("flags variables the API would refuse", () => {
    expect(unknownVariables("{{first_name}} {{custom.city}} {{custom.nope}} {{surname}}", ["city"])).toEqual(["custom.nope", "surname"]);
  });

  it("inserts a variable at the caret, replacing the selection", () => {
    expect(insertVariable("Oi !", 3, 3, "first_name")).toEqual({ text: "Oi {{first_name}}!", caret: 17 });
    expect(insertVariable("Oi XX!", 3, 5, "name")).toEqual({ text: "Oi {{name}}!", caret: 11 });
  });

  it("reads what a 422 says has no value", () => {
    expect(missingFromErrors({ "variables.first_name": "no value", body: "x" }, "variables")).toEqual(["first_name"]);
    expect(missingFromErrors({ "parameters.body.1": "no value" }, "parameters")).toEqual(["body.1"]);
  });

  it("describes WhatsApp parameter keys", () => {
    expect(describeKey("body.1")).toEqual({ section: "body", placeholder: "1" });
    expect(describeKey("button.0.1")).toEqual({ section: "button", button: 1, placeholder: "1" });
    expect(describeKey("header.media")).toEqual({ section: "media", placeholder: "" });
  });
});
