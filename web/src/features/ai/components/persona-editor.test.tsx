// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ApiError } from "@/lib/api/problem";
import i18n from "@/lib/i18n";
import { draftOf, emptyDraft, type PersonaBody, type PersonaFields } from "../lib/persona-form";
import { PersonaEditor } from "./persona-editor";

// the pickers' collections come from the API: here, fixed ones
vi.mock("../api/lookups", () => ({
  useKnowledgeBaseOptions: () => ({ options: [{ id: "kb-1", label: "FAQ" }], isPending: false, isError: false }),
  useConnectionOptions: () => ({ options: [{ id: "c-1", label: "Vendas", hint: "+55 11 4000-0000" }], channels: new Map([["c-1", "whatsapp"]]), isPending: false, isError: false }),
  useTemplateOptions: () => ({ options: [{ id: "t-1", label: "fora_da_janela", hint: "pt_BR" }], isPending: false }),
}));

const SAVED: PersonaFields = {
  name: "Ana",
  role: "",
  tone: "formal",
  language: "pt-BR",
  instructions: "",
  knowledge_base_ids: ["kb-1"],
  tools: ["handoff"],
  connection_ids: ["c-1"],
  active_hours: null,
  blocked_topics: [],
  max_reply_chars: 600,
  debounce_seconds: 8,
  chat_model: null,
  temperature: null,
  outside_window_template_id: null,
};

beforeAll(async () => {
  // jsdom has no ResizeObserver; Radix's checkboxes in a form measure themselves with one
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
  await i18n.changeLanguage("en");
  await i18n.loadNamespaces(["ai", "common"]);
});
afterEach(cleanup);

// (the timezone picker lists every zone the browser knows: slow to render in jsdom)
describe("PersonaEditor", { timeout: 20_000 }, () => {
  it("says what is wrong before sending, and sends nothing then", async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn();
    render(<PersonaEditor initial={emptyDraft("en", "UTC")} pending={false} submitLabel="Create persona" onSubmit={onSubmit} />);
    const length = screen.getByLabelText("Reply length limit (characters)");
    await user.clear(length);
    await user.type(length, "20");
    await user.click(screen.getByRole("button", { name: "Create persona" }));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getByLabelText("Name")).toHaveAccessibleDescription("Required.");
    expect(length).toHaveAccessibleDescription("A whole number from 50 to 4000.");
    expect(screen.getByText("Some fields need attention.")).toBeInTheDocument();
  });

  it("sends the whole version, with the schedule and the template chosen", async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn<(body: PersonaBody, onError: (e: unknown) => void) => void>();
    render(<PersonaEditor initial={draftOf(SAVED, "UTC")} saved={SAVED} pending={false} submitLabel="Save" onSubmit={onSubmit} />);
    // nothing changed yet: nothing to save
    expect(screen.getByRole("button", { name: "Save" })).toBeDisabled();
    await user.click(screen.getByRole("radio", { name: "Only at these hours" }));
    await user.selectOptions(screen.getByLabelText("Template outside the 24-hour window"), "t-1");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(onSubmit).toHaveBeenCalledOnce();
    const body = onSubmit.mock.calls[0]![0];
    expect(body).toMatchObject({ name: "Ana", outside_window_template_id: "t-1", connection_ids: ["c-1"], knowledge_base_ids: ["kb-1"] });
    expect(body.active_hours?.days.mon).toEqual([["09:00", "18:00"]]);
  });

  it("on a stale version offers to reload instead of a toast", async () => {
    const user = userEvent.setup();
    const onReload = vi.fn();
    const stale = new ApiError({ status: 409, title: "Conflict", detail: "the persona changed", code: "stale_version", params: { version: 1, current_version: 2 } });
    render(
      <PersonaEditor
        initial={{ ...draftOf(SAVED, "UTC"), tone: "friendly" }}
        saved={SAVED}
        pending={false}
        submitLabel="Save"
        onReload={onReload}
        onSubmit={(_body, onError) => onError(stale)}
      />,
    );
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(screen.getByText("Someone saved this persona after you opened it").closest("[role=alert]")).toHaveTextContent("Reload to see the persona as it is now");
    await user.click(screen.getByRole("button", { name: "Reload the persona" }));
    expect(onReload).toHaveBeenCalledOnce();
  });

  it("says next to the numbers that another persona answers on one", async () => {
    const user = userEvent.setup();
    const claimed = new ApiError({ status: 409, title: "Conflict", detail: "claimed", code: "connection_claimed", params: { connection: "Vendas", persona: "Bia" } });
    render(<PersonaEditor initial={{ ...draftOf(SAVED, "UTC"), tone: "x" }} saved={SAVED} pending={false} submitLabel="Save" onSubmit={(_b, onError) => onError(claimed)} />);
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(screen.getByRole("group", { name: "Numbers" })).toHaveTextContent("The number Vendas is already answered by the persona Bia");
  });

  it("read-only: the values without the controls that change them", () => {
    render(<PersonaEditor initial={draftOf(SAVED, "UTC")} saved={SAVED} readOnly pending={false} submitLabel="Save" onSubmit={vi.fn()} />);
    expect(screen.getByLabelText("Tone")).toHaveAttribute("readonly");
    expect(screen.queryByRole("button", { name: "Save" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Add a knowledge base/ })).not.toBeInTheDocument();
    expect(screen.getByRole("list", { name: "Chosen: Knowledge bases" })).toHaveTextContent("FAQ");
  });
});
