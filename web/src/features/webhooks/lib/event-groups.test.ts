import { describe, expect, it } from "vitest";
import { groupEventTypes, toggleGroup } from "./event-groups";

describe("groupEventTypes", () => {
  it("groups by the first segment, keeping the catalogue's order", () => {
    const groups = groupEventTypes([{ type: "message.received" }, { type: "contact.created" }, { type: "message.status" }]);
    expect(groups.map((g) => [g.group, g.types.map((t) => t.type)])).toEqual([
      ["message", ["message.received", "message.status"]],
      ["contact", ["contact.created"]],
    ]);
  });
});

describe("toggleGroup", () => {
  it("selects the whole group when part of it is off", () => {
    expect(toggleGroup(["a.x"], ["a.x", "a.y"])).toEqual(["a.x", "a.y"]);
  });
  it("clears the group when all of it is on, keeping other groups", () => {
    expect(toggleGroup(["a.x", "b.z", "a.y"], ["a.x", "a.y"])).toEqual(["b.z"]);
  });
});
