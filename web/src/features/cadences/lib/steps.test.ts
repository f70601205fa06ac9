import { describe, expect, it } from "vitest";
import {
  END,
  NEXT,
  durationSeconds,
  errorsByStep,
  fromApi,
  insertStep,
  kindsFor,
  moveStep,
  newStep,
  problems,
  removeStep,
  sameSteps,
  splitDuration,
  targetsFor,
  toApi,
  unfilled,
  withTemplate,
  type ApiStep,
  type DraftStep,
  type StepOf,
} from "./steps";

const T = "11111111-1111-1111-1111-111111111111";
const TAG = "22222222-2222-2222-2222-222222222222";

function keys(): () => string {
  let n = 0;
  return () => `k${n++}`;
}

const api: ApiStep[] = [
  { kind: "send_template", template_id: T, parameters: { "body.1": "contact.first_name", "body.2": "Black Friday" }, defaults: { "body.1": "cliente" } },
  { kind: "wait", duration_seconds: 172800 },
  { kind: "branch", condition: { type: "replied_since_last_step" }, then_step: 4 },
  { kind: "send_text", text: "Oi {{contact.first_name}}", outside_window: "template", fallback: { template_id: T, parameters: {}, defaults: {} } },
  { kind: "tag", tag_id: TAG, action: "remove" },
];

describe("steps to and from the API", () => {
  it("round-trips every kind, targets included", () => {
    const all: ApiStep[] = [
      ...api,
      { kind: "send_sms", text: "SMS {{lead.value}}" },
      { kind: "wait", until_time: "09:30" },
      { kind: "branch", condition: { type: "has_tag", tag_id: TAG }, then_step: 9, else_step: 10 },
      { kind: "move_lead", stage_id: TAG },
      { kind: "notify", to: "user", user_id: TAG, text: "Ligue" },
      { kind: "emit_event", name: "cadence.qualified" },
    ];
    expect(toApi(fromApi(all, keys()))).toEqual(all);
  });

  it("reads a parameter as a variable with its fallback, or as a fixed text", () => {
    const [first] = fromApi(api, keys()) as [StepOf<"send_template">];
    expect(first.template.params).toEqual({
      "body.1": { source: "variable", value: "contact.first_name", fallback: "cliente" },
      "body.2": { source: "literal", value: "Black Friday", fallback: "" },
    });
  });

  it("names branch targets by step, so they follow a move", () => {
    const steps = fromApi(api, keys());
    const branch = steps[2] as StepOf<"branch">;
    expect(branch.then).toBe("k4");
    expect(branch.otherwise).toBe(NEXT);
    // the tag step moves up one: the branch still jumps to it, now at index 3
    const moved = moveStep(steps, 4, -1);
    const out = toApi(moved);
    expect(out[2]).toEqual({ kind: "branch", condition: { type: "replied_since_last_step" }, then_step: 3 });
  });

  it("writes the end as the number of steps", () => {
    const steps = fromApi(api, keys());
    const branch = { ...(steps[2] as StepOf<"branch">), then: END };
    expect(toApi([...steps.slice(0, 2), branch, ...steps.slice(3)])[2]).toMatchObject({ then_step: 5 });
  });

  it("leaves out empty parameters and fallbacks, and the fallback template when the text skips", () => {
    const step: DraftStep = {
      key: "a",
      kind: "send_text",
      text: "Oi",
      outsideWindow: "skip",
      fallback: { templateId: T, params: {} },
    };
    expect(toApi([step])).toEqual([{ kind: "send_text", text: "Oi", outside_window: "skip" }]);
    const tpl: DraftStep = { key: "b", kind: "send_template", template: { templateId: T, params: { "body.1": { source: "variable", value: "", fallback: " " } } } };
    expect(toApi([tpl])).toEqual([{ kind: "send_template", template_id: T, parameters: {}, defaults: {} }]);
  });

  it("tells the same steps apart from changed ones", () => {
    expect(sameSteps(api, toApi(fromApi(api)))).toBe(true);
    const changed = toApi(fromApi(api));
    changed[1] = { kind: "wait", duration_seconds: 3600 };
    expect(sameSteps(api, changed)).toBe(false);
  });
});

describe("editing steps", () => {
  it("inserts and moves within bounds", () => {
    const steps = [newStep("wait", "a"), newStep("tag", "b")];
    expect(insertStep(steps, 1, newStep("notify", "c")).map((s) => s.key)).toEqual(["a", "c", "b"]);
    expect(moveStep(steps, 0, 1).map((s) => s.key)).toEqual(["b", "a"]);
    expect(moveStep(steps, 0, -1).map((s) => s.key)).toEqual(["a", "b"]);
    expect(moveStep(steps, 1, 1).map((s) => s.key)).toEqual(["a", "b"]);
  });

  it("retargets a branch whose target is removed to the step after it", () => {
    const steps = fromApi(api, keys());
    const removed = removeStep(steps, 4); // the tag step, the branch's then: now the end
    expect((removed[2] as StepOf<"branch">).then).toBe(END);
    const branchTo3 = steps.map((s) => (s.kind === "branch" ? { ...s, then: "k3" } : s));
    expect((removeStep(branchTo3, 3)[2] as StepOf<"branch">).then).toBe("k4");
  });

  it("offers forward targets only: the next, any later step, the end", () => {
    const steps = ["a", "b", "c", "d"].map((k) => newStep("wait", k));
    expect(targetsFor(steps, 1)).toEqual([
      { value: NEXT, position: null },
      { value: "d", position: 3 },
      { value: END, position: null },
    ]);
  });

  it("limits send steps to the number's channel", () => {
    expect(kindsFor("sms")).not.toContain("send_template");
    expect(kindsFor("sms")).toContain("send_sms");
    expect(kindsFor("whatsapp")).not.toContain("send_sms");
    expect(kindsFor(null)).toHaveLength(9);
  });

  it("keeps a parameter's choice when the same template is chosen again, and starts fresh for another", () => {
    const draft = { templateId: T, params: { "body.1": { source: "literal" as const, value: "x", fallback: "" } } };
    expect(withTemplate(draft, T, ["body.1", "body.2"]).params["body.1"]!.value).toBe("x");
    expect(withTemplate(draft, TAG, ["body.1"]).params["body.1"]!.value).toBe("");
    expect(unfilled(withTemplate(draft, T, ["body.1", "body.2"]), ["body.1", "body.2"])).toEqual(["body.2"]);
  });
});

describe("durations", () => {
  it("shows seconds in the largest whole unit", () => {
    expect(splitDuration(172800)).toEqual({ amount: "2", unit: "days" });
    expect(splitDuration(5400)).toEqual({ amount: "90", unit: "minutes" });
    expect(splitDuration(7200)).toEqual({ amount: "2", unit: "hours" });
  });
  it("reads whole positive amounts only", () => {
    expect(durationSeconds("3", "hours")).toBe(10800);
    expect(durationSeconds("1.5", "hours")).toBeNull();
    expect(durationSeconds("0", "days")).toBeNull();
  });
});

describe("checks before saving", () => {
  it("says what each step misses", () => {
    const steps: DraftStep[] = [
      newStep("send_template", "a"),
      { ...(newStep("wait", "b") as StepOf<"wait">), amount: "0" },
      newStep("tag", "c"),
      { ...(newStep("notify", "d") as StepOf<"notify">), to: "user" },
      { ...(newStep("emit_event", "e") as StepOf<"emit_event">), name: "Bad Name" },
      { ...(newStep("wait", "f") as StepOf<"wait">), amount: "91" },
    ];
    expect(problems(steps)).toEqual({
      "steps.0.template_id": { code: "chooseTemplate" },
      "steps.1.duration_seconds": { code: "waitTooShort" },
      "steps.2.tag_id": { code: "chooseTag" },
      "steps.3.user_id": { code: "chooseUser" },
      "steps.3.text": { code: "required" },
      "steps.4.name": { code: "eventName" },
      "steps.5.duration_seconds": { code: "waitTooLong", params: { days: 90 } },
    });
  });

  it("refuses a branch that jumps back after a move", () => {
    const steps = fromApi(api, keys());
    const moved = moveStep(moveStep(steps, 4, -1), 3, -1); // the tag step is now before the branch
    expect(problems(moved)).toMatchObject({ "steps.3.then_step": { code: "backwardJump", params: { step: 3 } } });
  });

  it("wants at least one step", () => {
    expect(problems([])).toEqual({ steps: { code: "noSteps" } });
  });
});

describe("the API's field errors by step", () => {
  it("splits them by step, without a tagged union's choice in the path", () => {
    const { steps, other } = errorsByStep({
      "steps.0.send_template.template_id": "no such template",
      "steps.0.parameters.body.1": "unknown variable",
      "steps.2": "a branch only jumps forward",
      name: "required",
    });
    expect(steps.get(0)).toEqual({ template_id: "no such template", "parameters.body.1": "unknown variable" });
    expect(steps.get(2)).toEqual({ step: "a branch only jumps forward" });
    expect(other).toEqual({ name: "required" });
  });
});
