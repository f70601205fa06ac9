import { describe, expect, it } from "vitest";
import { addKeywords, keywordKey, listError } from "./keywords";
import { regions, timezones } from "./regions";

describe("addKeywords", () => {
  it("splits on commas, semicolons and new lines and trims", () => {
    expect(addKeywords([], " pare , basta;\nchega ")).toEqual(["pare", "basta", "chega"]);
  });
  it("skips repeats as the API compares them: case, accents, punctuation", () => {
    expect(addKeywords(["NÃO"], "nao, Não!, sair")).toEqual(["NÃO", "sair"]);
  });
  it("ignores empty parts", () => {
    expect(addKeywords(["STOP"], " , ;")).toEqual(["STOP"]);
  });
});

describe("keywordKey", () => {
  it("drops accents, case and surrounding punctuation", () => {
    expect(keywordKey("  ¡Descadastrár! ")).toBe("descadastrar");
  });
});

describe("listError", () => {
  it("joins the errors of the list and its items", () => {
    expect(listError({ "stop_keywords.2": "too long", stop_keywords: "too many", opt_in_keywords: "x" }, "stop_keywords")).toBe("too long; too many");
    expect(listError({}, "stop_keywords")).toBeUndefined();
  });
});

describe("regions and timezones", () => {
  it("names Brazil and leaves out groupings", () => {
    const list = regions("pt-BR");
    expect(list.find((r) => r.code === "BR")?.name).toBe("Brasil");
    expect(list.some((r) => r.code === "EU" || r.code === "UN")).toBe(false);
  });
  it("keeps the current zone", () => {
    expect(timezones("Mars/Olympus")[0]).toBe("Mars/Olympus");
  });
});
