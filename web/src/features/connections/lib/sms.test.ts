import { describe, expect, it } from "vitest";
import { decimalText, originationKind } from "./sms";

describe("originationKind", () => {
  it("tells a sender ID (a letter) from a phone number", () => {
    expect(originationKind("+55 31 99123-4001")).toBe("number");
    expect(originationKind("LOJA ANA")).toBe("sender_id");
    expect(originationKind("Açaí 24")).toBe("sender_id");
  });
});

describe("decimalText", () => {
  it("reads a decimal comma as the API's point", () => {
    expect(decimalText(" 0,045 ")).toBe("0.045");
    expect(decimalText("1.5")).toBe("1.5");
    expect(decimalText("")).toBe("");
  });
});
