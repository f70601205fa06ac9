import { describe, expect, it } from "vitest";
import { aiFormErrors, aiFormOf, aiFormValues, percentOf } from "./ai-thresholds";

describe("the AI thresholds form", () => {
  it("shows fractions as percents and sends them back as fractions", () => {
    const form = aiFormOf({ ai_auto_apply_threshold: 0.8, ai_backward_threshold: 0.955, ai_may_close: false });
    expect(form).toEqual({ auto: "80", backward: "95.5", mayClose: false });
    expect(aiFormValues(form)).toEqual({ ai_auto_apply_threshold: 0.8, ai_backward_threshold: 0.955, ai_may_close: false });
    expect(aiFormValues({ auto: "95", backward: "99", mayClose: true })).toEqual({ ai_auto_apply_threshold: 0.95, ai_backward_threshold: 0.99, ai_may_close: true });
    expect(percentOf(0.07)).toBe("7");
    expect(aiFormValues({ auto: "7", backward: "7,5", mayClose: false }).ai_backward_threshold).toBe(0.075);
  });

  it("needs percents from 0 to 100, the one to move back at least the one to move forward", () => {
    expect(aiFormErrors({ auto: "80", backward: "95", mayClose: false })).toEqual({});
    expect(aiFormErrors({ auto: "80", backward: "80", mayClose: false })).toEqual({});
    expect(aiFormErrors({ auto: "90", backward: "85", mayClose: false })).toEqual({ backward: "backwardBelow" });
    expect(aiFormErrors({ auto: "", backward: "101", mayClose: false })).toEqual({ auto: "range", backward: "range" });
    expect(aiFormErrors({ auto: "-1", backward: "50", mayClose: false })).toEqual({ auto: "range" });
    expect(aiFormErrors({ auto: "abc", backward: "50", mayClose: false })).toEqual({ auto: "range" });
  });
});
