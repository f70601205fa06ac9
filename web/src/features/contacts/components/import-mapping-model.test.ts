import { describe, expect, it } from "vitest";
import { initialMapping, mappingProblems, targetsFor } from "./import-mapping-model";

describe("import mapping", () => {
  it("offers custom fields as targets", () => {
    expect(targetsFor(["plan"])).toEqual(["phone", "name", "email", "language", "notes", "tags", "custom.plan", "ignore"]);
  });

  it("completes the suggested mapping, ignoring what it does not know", () => {
    const targets = targetsFor(["plan"]);
    expect(initialMapping(["Telefone", "Nome", "Cidade", "Plano"], { Telefone: "phone", Nome: "name", Plano: "custom.gone" }, targets)).toEqual({
      Telefone: "phone",
      Nome: "name",
      Cidade: "ignore",
      Plano: "ignore",
    });
  });

  it("needs a phone column and one column per target", () => {
    expect(mappingProblems({ A: "name", B: "ignore" })).toEqual([{ problem: "noPhone" }]);
    expect(mappingProblems({ A: "phone", B: "name", C: "name", D: "tags", E: "tags" })).toEqual([{ problem: "duplicate", target: "name" }]);
    expect(mappingProblems({ A: "phone", B: "ignore", C: "ignore" })).toEqual([]);
  });
});
