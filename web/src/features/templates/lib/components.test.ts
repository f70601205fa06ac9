import { describe, expect, it } from "vitest";
import { messageOf } from "./components";

describe("a template's components, for display", () => {
  it("reads header, body, footer and buttons", () => {
    expect(
      messageOf([
        { type: "HEADER", format: "TEXT", text: "Oi {{1}}" },
        { type: "BODY", text: "Seu cupom {{1}}" },
        { type: "FOOTER", text: "Loja" },
        { type: "BUTTONS", buttons: [{ type: "URL", text: "Ver", url: "https://x.com/{{1}}" }, { type: "QUICK_REPLY", text: "Parar" }] },
      ]),
    ).toEqual({
      header: "Oi {{1}}",
      body: "Seu cupom {{1}}",
      footer: "Loja",
      buttons: [
        { type: "URL", text: "Ver", url: "https://x.com/{{1}}" },
        { type: "QUICK_REPLY", text: "Parar", url: undefined },
      ],
    });
  });

  it("shows a media header as its kind", () => {
    expect(messageOf([{ type: "HEADER", format: "IMAGE" }, { type: "BODY", text: "Oi" }])).toEqual({ headerMedia: { type: "image" }, body: "Oi", buttons: [] });
  });
});
