// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, render, screen, within } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import i18n from "@/lib/i18n";
import { aiKeys } from "../api/ai";
import type { ConversationAi } from "../lib/ai";
import type { Conversation } from "../lib/filters";
import { AiAuthorLine, AiBadge, AiDetails, AiNotice, AiToggle } from "./ai-state";

function conversation(ai: ConversationAi | null): Conversation {
  return {
    id: "conv-1",
    assignee_id: ai?.assignee_id ?? null,
    channel: "whatsapp",
    connection_id: "conn-1",
    contact: { id: "contact-1", name: "Carla", phone: "+5511999990000" },
    created_at: "2026-11-01T00:00:00Z",
    last_inbound_at: "2026-11-01T00:00:00Z",
    last_message_at: "2026-11-01T00:00:00Z",
    status: "open",
    unread_count: 0,
    window_expires_at: "2026-11-02T00:00:00Z",
    window_open: true,
    ai,
  };
}

const handedOff: ConversationAi = {
  status: "handed_off",
  reason: "customer_request",
  detail: "customer asked for a person",
  persona_id: "p-1",
  assignee_id: "u-1",
  since: "2026-12-01T12:00:00Z",
};

function wrap(children: ReactNode) {
  const client = new QueryClient();
  client.setQueryData(aiKeys.persona("p-1"), "Aurora");
  return render(<QueryClientProvider client={client}>{children}</QueryClientProvider>);
}

beforeAll(async () => {
  await i18n.changeLanguage("en");
  await i18n.loadNamespaces("inbox");
});
afterEach(cleanup);

describe("the AI's state in a conversation", () => {
  it("says a handoff's reason, the model's words and who has the conversation now", () => {
    wrap(<AiNotice conversation={conversation(handedOff)} assigneeName={(id) => (id === "u-1" ? "Ana" : null)} />);
    const notice = screen.getByRole("region", { name: "The AI handed this conversation to a person" });
    expect(within(notice).getByText("The customer asked for a person.")).toBeInTheDocument();
    expect(within(notice).getByText("In its words: “customer asked for a person”")).toBeInTheDocument();
    expect(within(notice).getByText("Handed to Ana")).toBeInTheDocument();
  });

  it("says why a paused AI stopped, and nothing above the thread while it answers", () => {
    const paused = { ...handedOff, status: "paused" as const, reason: "human_reply", detail: null, assignee_id: null };
    const { unmount } = wrap(<AiNotice conversation={conversation(paused)} assigneeName={() => null} />);
    expect(screen.getByRole("region", { name: "The AI is not answering here" })).toHaveTextContent("A person replied here, so the AI stopped.");
    unmount();
    wrap(<AiNotice conversation={conversation({ ...paused, status: "active", reason: null })} assigneeName={() => null} />);
    expect(screen.queryByRole("region")).not.toBeInTheDocument();
  });

  it("offers to pause an AI that answers, to hand back one that stopped, and nothing where it never was", () => {
    const { unmount } = wrap(<AiToggle conversation={conversation({ ...handedOff, status: "active", reason: null })} meId="u-1" />);
    expect(screen.getByRole("button", { name: "Pause AI" })).toBeEnabled();
    unmount();
    const second = wrap(<AiToggle conversation={conversation(handedOff)} meId="u-1" />);
    expect(screen.getByRole("button", { name: "Hand back to AI" })).toBeEnabled();
    second.unmount();
    wrap(<AiToggle conversation={conversation(null)} meId="u-1" />);
    expect(screen.queryByRole("button")).not.toBeInTheDocument();
  });

  it("shows the state, the reason and the persona in the details, and a compact mark for the list", () => {
    wrap(
      <>
        <AiDetails conversation={conversation(handedOff)} />
        <AiBadge ai={handedOff} compact />
      </>,
    );
    const details = screen.getByRole("region", { name: "AI" });
    expect(within(details).getByText("Handed off by the AI")).toBeInTheDocument();
    expect(within(details).getByText("Aurora")).toBeInTheDocument();
    expect(screen.getByRole("img", { name: "Handed off by the AI" })).toBeInTheDocument();
  });

  it("marks a message the AI sent with the persona's name and its part", () => {
    wrap(<AiAuthorLine author={{ personaId: "p-1", personaVersion: 1, part: 2, parts: 3 }} />);
    expect(screen.getByText("AI · Aurora")).toBeInTheDocument();
    expect(screen.getByText("· part 2 of 3")).toBeInTheDocument();
  });
});
