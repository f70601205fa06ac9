// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { keyFromLabel, parseOptions } from "./custom-field-dialog";

describe("keyFromLabel", () => {
  it("makes a key the API accepts from any label", () => {
    expect(keyFromLabel("Plano mensal")).toBe("plano_mensal");
    expect(keyFromLabel("Última compra (data)")).toBe("ultima_compra_data");
    expect(keyFromLabel("2nd phone")).toBe("nd_phone");
    expect(keyFromLabel("   ")).toBe("");
    expect(keyFromLabel("x".repeat(80))).toHaveLength(64);
  });
});

describe("parseOptions", () => {
  it("takes one option per line and drops blanks", () => {
    expect(parseOptions(" basic \n\npro\n  \nenterprise")).toEqual(["basic", "pro", "enterprise"]);
  });
});
