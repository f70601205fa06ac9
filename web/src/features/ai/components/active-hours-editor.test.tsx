// @vitest-environment jsdom
import { cleanup, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import * as React from "react";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import i18n from "@/lib/i18n";
import { defaultHours, hasErrors, validateHours, type ActiveHours } from "../lib/active-hours";
import { ActiveHoursEditor } from "./active-hours-editor";

function Harness({ initial, always = false, onChange }: { initial: ActiveHours; always?: boolean; onChange?: (v: { always: boolean; hours: ActiveHours }) => void }) {
  const [value, setValue] = React.useState({ always, hours: initial });
  const errors = validateHours(value.hours);
  return (
    <ActiveHoursEditor
      always={value.always}
      hours={value.hours}
      errors={!value.always && hasErrors(errors) ? errors : null}
      onChange={(next) => {
        setValue(next);
        onChange?.(next);
      }}
    />
  );
}

beforeAll(async () => {
  await i18n.changeLanguage("en");
  await i18n.loadNamespaces("ai");
});
afterEach(cleanup);

// the timezone picker lists every zone the browser knows: slow to render in jsdom, slower beside other test files
describe("ActiveHoursEditor", { timeout: 20_000 }, () => {
  it("starts as always, and shows the week once scheduled", async () => {
    const user = userEvent.setup();
    render(<Harness initial={defaultHours("America/Sao_Paulo")} always />);
    expect(screen.getByRole("radio", { name: "Always" })).toBeChecked();
    expect(screen.queryByRole("list", { name: "Days of the week" })).not.toBeInTheDocument();
    await user.click(screen.getByRole("radio", { name: "Only at these hours" }));
    const week = screen.getByRole("list", { name: "Days of the week" });
    expect(within(week).getByRole("checkbox", { name: "Monday" })).toBeChecked();
    expect(within(week).getByRole("checkbox", { name: "Sunday" })).not.toBeChecked();
    expect(screen.getByLabelText("Monday, start of range 1")).toHaveValue("09:00");
    expect(screen.getByLabelText("Timezone")).toHaveValue("America/Sao_Paulo");
  });

  it("a day switched on takes the day before's hours; one switched off has none", async () => {
    const user = userEvent.setup();
    let last: ActiveHours | undefined;
    render(<Harness initial={{ timezone: "UTC", days: { fri: [["10:00", "16:00"]] } }} onChange={(v) => (last = v.hours)} />);
    await user.click(screen.getByRole("checkbox", { name: "Saturday" }));
    expect(screen.getByLabelText("Saturday, end of range 1")).toHaveValue("16:00");
    await user.click(screen.getByRole("checkbox", { name: "Friday" }));
    expect(screen.queryByLabelText("Friday, start of range 1")).not.toBeInTheDocument();
    expect(last?.days).toEqual({ fri: [], sat: [["10:00", "16:00"]] });
  });

  it("says next to the range that it ends before it starts, and that ranges overlap", async () => {
    const user = userEvent.setup();
    render(<Harness initial={{ timezone: "UTC", days: { mon: [["09:00", "12:00"]] } }} />);
    const end = screen.getByLabelText("Monday, end of range 1");
    await user.clear(end);
    await user.type(end, "08:00");
    expect(end).toHaveAttribute("aria-invalid", "true");
    expect(end).toHaveAccessibleDescription("The start must be before the end.");
    await user.clear(end);
    await user.type(end, "12:00");
    expect(end).not.toHaveAttribute("aria-invalid");
    await user.click(screen.getByRole("button", { name: "Add a range on Monday" }));
    const secondStart = screen.getByLabelText("Monday, start of range 2");
    expect(secondStart).toHaveValue("13:00");
    await user.clear(secondStart);
    await user.type(secondStart, "11:00");
    expect(secondStart).toHaveAccessibleDescription("This range overlaps another of the day.");
    await user.click(screen.getByRole("button", { name: "Remove range 2 of Monday" }));
    expect(screen.queryByText("This range overlaps another of the day.")).not.toBeInTheDocument();
  });

  it("copies a day's hours to the other active days", async () => {
    const user = userEvent.setup();
    render(<Harness initial={{ timezone: "UTC", days: { mon: [["08:00", "12:00"]], wed: [["09:00", "17:00"]] } }} />);
    await user.click(screen.getByRole("button", { name: "Copy to the other days (from Monday)" }));
    expect(screen.getByLabelText("Wednesday, start of range 1")).toHaveValue("08:00");
    expect(screen.getByLabelText("Wednesday, end of range 1")).toHaveValue("12:00");
    expect(screen.getByRole("checkbox", { name: "Tuesday" })).not.toBeChecked();
  });

  it("says when no day is left", async () => {
    const user = userEvent.setup();
    render(<Harness initial={{ timezone: "UTC", days: { mon: [["08:00", "12:00"]] } }} />);
    await user.click(screen.getByRole("checkbox", { name: "Monday" }));
    expect(screen.getByRole("alert")).toHaveTextContent("Choose at least one day with hours, or make it always active.");
  });
});
