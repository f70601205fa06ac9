import { describe, expect, it } from "vitest";
import type { CustomFieldDef } from "../api/contacts";
import { customChanges, customInputs } from "./custom-values";

const def = (key: string, type: CustomFieldDef["type"]): CustomFieldDef => ({ id: key, key, label: key, type, options: [], created_at: "" });

describe("custom field values", () => {
  it("shows stored values as strings", () => {
    expect(customInputs({ plan: "gold", seats: 3, vip: false, gone: null })).toEqual({ plan: "gold", seats: "3", vip: "false" });
  });

  it("sends only what changed, typed, and null to remove", () => {
    const defs = [def("plan", "text"), def("seats", "number"), def("vip", "boolean"), def("since", "date")];
    const current = { plan: "gold", seats: 3, vip: false };
    expect(customChanges(defs, current, { plan: "gold", seats: "5", vip: "true", since: "" })).toEqual({ seats: 5, vip: true });
    expect(customChanges(defs, current, { plan: "", seats: "3", vip: "false", since: "2026-01-02" })).toEqual({ plan: null, since: "2026-01-02" });
  });
});
