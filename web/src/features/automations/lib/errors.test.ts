// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import { ApiError } from "@/lib/api/problem";
import i18n from "@/lib/i18n";
import { at, scoped, unplaced, withoutEdited } from "./errors";

describe("the API's field errors, sorted to the editor's parts", () => {
  afterEach(async () => {
    await i18n.changeLanguage("en");
  });
  const problem = new ApiError({
    status: 422,
    title: "Unprocessable",
    detail: "the rule names what the company does not have",
    code: "invalid_rule",
    errors: [
      { field: "trigger.tag_id", message: "no such tag", code: "unknown_tag" },
      { field: "actions.1.user_ids.0", message: "inactive", code: "unknown_user" },
      { field: "actions.1.user_ids.1", message: "inactive", code: "unknown_user" },
      { field: "actions.0", message: "none is active", code: "no_active_user" },
      { field: "actions.10.tag_id", message: "no such tag", code: "unknown_tag" },
      { field: "conditions.0.segment_id", message: "no such segment", code: "unknown_segment" },
    ],
  });
  const errors = problem.fieldErrors();

  it("gives each item its own errors, the item's own under an empty path", () => {
    expect(scoped(errors, "actions.0")).toEqual({ "": "No active user to assign to." });
    expect(Object.keys(scoped(errors, "actions.1"))).toEqual(["user_ids.0", "user_ids.1"]);
    expect(scoped(errors, "trigger")).toEqual({ tag_id: "There is no such tag." });
    expect(scoped(errors, "actions.1")).not.toHaveProperty("0.tag_id");
  });

  it("gathers a list's errors on the list's field, each sentence once", () => {
    expect(at(scoped(errors, "actions.1"), "user_ids")).toBe("Not an active user of this company.");
    expect(at(scoped(errors, "conditions.0"), "segment_id")).toBe("There is no such segment.");
    expect(at(errors, "name")).toBeUndefined();
  });

  it("reads them in Portuguese for a Portuguese reader", async () => {
    await i18n.changeLanguage("pt-BR");
    expect(scoped(problem.fieldErrors(), "actions.0")).toEqual({ "": "Nenhum usuário ativo para atribuir." });
  });

  it("lists what has no field on screen (an action index the form no longer has)", () => {
    expect(unplaced(errors, 1, 2)).toEqual(["actions.10.tag_id: There is no such tag."]);
    expect(unplaced({ name: "Required.", "trigger.regex": "x", actions: "y" }, 0, 0)).toEqual([]);
  });
});

describe("an edited field's error", () => {
  const errors = { name: "Required.", "trigger.keywords": "Give one.", "actions.0.tag_id": "Required.", "actions.1.user_id": "Required.", actions: "Add one." };
  const a0 = { k: 0 };
  const a1 = { k: 1 };
  const draft = { name: "", actions: [a0, a1] };

  it("goes with the edit; the others stay", () => {
    expect(withoutEdited(errors, draft, { name: "x" }, false)).toEqual({ "trigger.keywords": "Give one.", "actions.0.tag_id": "Required.", "actions.1.user_id": "Required.", actions: "Add one." });
    expect(withoutEdited(errors, draft, { actions: [a0, { k: 2 }] }, false)).toEqual({ name: "Required.", "trigger.keywords": "Give one.", "actions.0.tag_id": "Required.", actions: "Add one." });
  });

  it("takes a list's errors when an item is added, moved or removed", () => {
    expect(withoutEdited(errors, draft, { actions: [a1, a0] }, true)).toEqual({ name: "Required.", "trigger.keywords": "Give one." });
  });

  it("keeps the same errors when nothing of them was edited", () => {
    expect(withoutEdited(errors, draft, { onFailure: "continue" }, false)).toBe(errors);
  });
});
