// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import i18n from "@/lib/i18n";
import type { SuggestionView } from "../lib/suggestion";
import { RejectSuggestionDialog, SuggestionBox } from "./suggestion-box";

const view: SuggestionView = {
  suggestion: { id: "s-1", to_stage_id: "meet", confidence: 0.9, evidence: "pode ser amanhã às 15h?", agreed_time: null },
  stageName: "Meeting scheduled",
  percent: 90,
  meeting: true,
  closing: false,
};

beforeAll(async () => {
  await i18n.changeLanguage("en");
  await i18n.loadNamespaces("pipelines");
});
afterEach(cleanup);

describe("SuggestionBox", () => {
  it("shows the stage, the confidence and the customer's words, and accepts or rejects", async () => {
    const user = userEvent.setup();
    const onAccept = vi.fn();
    const onReject = vi.fn();
    render(<SuggestionBox view={view} title="Carla" busy={false} onAccept={onAccept} onReject={onReject} />);
    const box = screen.getByRole("region", { name: "AI suggestion for Carla: Meeting scheduled · 90%" });
    expect(box).toHaveTextContent("“pode ser amanhã às 15h?”");
    expect(box).toHaveTextContent("No time agreed: accepting asks for the appointment.");
    await user.click(screen.getByRole("button", { name: "Accept" }));
    expect(onAccept).toHaveBeenCalledOnce();
    await user.click(screen.getByRole("button", { name: "Reject" }));
    expect(onReject).toHaveBeenCalledOnce();
  });

  it("shows an agreed time, and no buttons to press while a decision is on its way", () => {
    const agreed = { ...view, suggestion: { ...view.suggestion, agreed_time: "2026-12-03T18:00:00Z" } };
    render(<SuggestionBox view={agreed} title="Carla" busy onAccept={() => undefined} onReject={() => undefined} />);
    expect(screen.getByText(/^Agreed time: /)).toBeInTheDocument();
    expect(screen.queryByText(/No time agreed/)).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Accept" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Reject" })).toBeDisabled();
  });
});

describe("RejectSuggestionDialog", () => {
  it("sends the reason given, or none", async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn();
    const { unmount } = render(<RejectSuggestionDialog title="Carla" stageName="Meeting scheduled" pending={false} onCancel={() => undefined} onSubmit={onSubmit} />);
    await user.type(screen.getByLabelText("Why (optional)"), "  só na semana que vem ");
    await user.click(screen.getByRole("button", { name: "Reject" }));
    expect(onSubmit).toHaveBeenLastCalledWith("só na semana que vem");
    unmount();
    render(<RejectSuggestionDialog title="Carla" stageName="Meeting scheduled" pending={false} onCancel={() => undefined} onSubmit={onSubmit} />);
    await user.click(screen.getByRole("button", { name: "Reject" }));
    expect(onSubmit).toHaveBeenLastCalledWith(undefined);
  });
});
