import { describe, expect, it } from "vitest";
import { money, summarize, visibleCharacter } from "./summary";

describe("visibleCharacter", () => {
  it("keeps what one can see and names the invisible by code point", () => {
    expect(visibleCharacter("ç")).toBe("ç");
    expect(visibleCharacter("🚚")).toBe("🚚");
    expect(visibleCharacter("\u00a0")).toBe("U+00A0"); // a non-breaking space pasted from a document
    expect(visibleCharacter("\t")).toBe("U+0009");
    expect(visibleCharacter("\u200b")).toBe("U+200B"); // a zero-width space
  });
});

describe("money", () => {
  it("formats in the locale's currency, a fraction of a cent with up to four decimals", () => {
    expect(money("pt-BR", "0.14", "BRL")).toBe("R$\u00a00,14");
    expect(money("en", "0.14", "BRL")).toBe("R$0.14");
    expect(money("pt-BR", "0.0645", "BRL")).toBe("R$\u00a00,0645");
    expect(money("en", "1.5", "USD")).toBe("$1.50");
    expect(money("pt-BR", "0", "BRL")).toBe("R$\u00a00,00");
  });
});

describe("summarize", () => {
  it("reads the API's count as the line shows it", () => {
    const count = { encoding: "ucs2", characters: 10, units: 11, segments: 1, per_segment: 70, non_gsm: ["á", "\u00a0"], cost: { per_segment: "0.07", total: "0.07", currency: "BRL" } } as const;
    expect(summarize({ ...count, non_gsm: [...count.non_gsm] }, "pt-BR")).toEqual({ encoding: "UCS-2", segments: 1, perSegment: 70, cost: "R$\u00a00,07", forcing: ["á", "U+00A0"] });
    expect(summarize({ ...count, encoding: "gsm7", non_gsm: [], cost: null }, "en")).toMatchObject({ encoding: "GSM-7", cost: null, forcing: [] });
    // no price set on the connection: no cost shown
    expect(summarize({ ...count, non_gsm: [], cost: { per_segment: "0", total: "0", currency: "BRL" } }, "en").cost).toBeNull();
  });
});
