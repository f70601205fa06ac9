// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import i18n from "@/lib/i18n";
import { smsKeys } from "@/features/sms";
import { inboxKeys } from "../api/inbox";
import type { Conversation } from "../lib/filters";
import { Composer } from "./composer";

function conversation(windowOpen: boolean, channel: "whatsapp" | "sms" = "whatsapp"): Conversation {
  return {
    id: "conv-1",
    assignee_id: null,
    channel,
    connection_id: "conn-1",
    contact: { id: "contact-1", name: "Carla", phone: "+5511999990000" },
    created_at: "2026-11-01T00:00:00Z",
    last_inbound_at: "2026-11-01T00:00:00Z",
    last_message_at: "2026-11-01T00:00:00Z",
    status: "open",
    unread_count: 0,
    window_expires_at: "2026-11-02T00:00:00Z",
    window_open: windowOpen,
  };
}

function renderComposer(windowOpen: boolean, channel: "whatsapp" | "sms" = "whatsapp") {
  const client = new QueryClient();
  client.setQueryData(inboxKeys.templateSearch("conn-1", ""), { items: [], next_cursor: null });
  client.setQueryData(smsKeys.segments("", "conn-1"), { encoding: "gsm7", characters: 0, units: 0, segments: 0, per_segment: 160, non_gsm: [], cost: null });
  return render(
    <QueryClientProvider client={client}>
      <Composer conversation={conversation(windowOpen, channel)} replyTo={null} onClearReply={() => undefined} />
    </QueryClientProvider>,
  );
}

describe("Composer", () => {
  afterEach(cleanup);

  it("offers free text while the 24-hour window is open", async () => {
    await i18n.changeLanguage("en");
    renderComposer(true);
    expect(await screen.findByRole("textbox", { name: "Message" })).toBeInTheDocument();
    expect(screen.getByRole("tab", { name: "Text" })).toBeEnabled();
    expect(screen.queryByText(/24-hour window is closed/)).not.toBeInTheDocument();
  });

  it("says the window is closed and offers only a template", async () => {
    await i18n.changeLanguage("en");
    renderComposer(false);
    expect(await screen.findByRole("status")).toHaveTextContent("The 24-hour window is closed");
    expect(screen.getByRole("tab", { name: "Text" })).toBeDisabled();
    expect(screen.getByRole("tab", { name: "Media" })).toBeDisabled();
    expect(screen.getByRole("tab", { name: "Template" })).toHaveAttribute("aria-selected", "true");
    expect(screen.queryByRole("textbox", { name: "Message" })).not.toBeInTheDocument();
    expect(screen.getByText(/no approved WhatsApp template/)).toBeInTheDocument();
  });

  it("writes an SMS as text only, with its segments, whatever WhatsApp's window says", async () => {
    await i18n.changeLanguage("en");
    renderComposer(false, "sms");
    const box = await screen.findByRole("textbox", { name: "SMS message" });
    expect(screen.queryByRole("tab", { name: "Media" })).not.toBeInTheDocument();
    expect(screen.queryByRole("tab", { name: "Template" })).not.toBeInTheDocument();
    expect(screen.queryByText(/24-hour window is closed/)).not.toBeInTheDocument();
    expect(await screen.findByText("GSM-7")).toBeInTheDocument();
    expect(screen.getByText("GSM-7").parentElement).toHaveTextContent("GSM-7 · 0 segments · 160 per segment");
    expect(box).toHaveAccessibleDescription(/GSM-7/);
  });
});
