// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { afterEach, describe, expect, it } from "vitest";
import i18n from "@/lib/i18n";
import { smsKeys, type SmsSegments as Count } from "../api/segments";
import { SmsSegments } from "./sms-segments";

const gsm: Count = { encoding: "gsm7", characters: 2, units: 2, segments: 1, per_segment: 160, non_gsm: [], cost: { per_segment: "0.07", total: "0.07", currency: "BRL" } };
const ucs: Count = { encoding: "ucs2", characters: 4, units: 5, segments: 2, per_segment: 67, non_gsm: ["🚚", "ç"], cost: { per_segment: "0.07", total: "0.14", currency: "BRL" } };

function Typing() {
  const [text, setText] = useState("Oi");
  return (
    <>
      <textarea aria-label="SMS" value={text} onChange={(e) => setText(e.target.value)} />
      <SmsSegments text={text} connectionId="conn-1" />
    </>
  );
}

function renderTyping() {
  const client = new QueryClient();
  // the API's answers for the texts of this test (no network in unit tests)
  client.setQueryData(smsKeys.segments("Oi", "conn-1"), gsm);
  client.setQueryData(smsKeys.segments("Oi🚚ç", "conn-1"), ucs);
  return render(
    <QueryClientProvider client={client}>
      <Typing />
    </QueryClientProvider>,
  );
}

describe("SmsSegments", () => {
  afterEach(cleanup);

  it("shows the encoding, segments and cost, and names what forces UCS-2 once typed", async () => {
    await i18n.changeLanguage("en");
    renderTyping();
    expect(await screen.findByText("GSM-7")).toBeInTheDocument();
    const line = screen.getByText("GSM-7").parentElement!;
    expect(line).toHaveTextContent("GSM-7 · 1 segment · 160 per segment · ~R$0.07");
    expect(screen.queryByText(/as UCS-2/)).not.toBeInTheDocument();

    await userEvent.setup().type(screen.getByRole("textbox", { name: "SMS" }), "🚚ç");
    expect(await screen.findByText("UCS-2")).toBeInTheDocument();
    expect(screen.getByText("UCS-2").parentElement).toHaveTextContent("UCS-2 · 2 segments · 67 per segment · ~R$0.14");
    expect(screen.getByText(/These characters send the SMS as UCS-2/)).toBeInTheDocument();
    expect(screen.getByText("🚚").tagName).toBe("KBD");
    expect(screen.getByText("ç").tagName).toBe("KBD");
  });

  it("speaks Portuguese with the currency as Brazil writes it", async () => {
    await i18n.changeLanguage("pt-BR");
    renderTyping();
    expect(await screen.findByText("GSM-7")).toBeInTheDocument();
    expect(screen.getByText("GSM-7").parentElement).toHaveTextContent("GSM-7 · 1 segmento · 160 por segmento · ~R$ 0,07"); // the matcher reads the no-break space as a space
    await i18n.changeLanguage("en");
  });
});
