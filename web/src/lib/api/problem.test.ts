// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import i18n from "@/lib/i18n";
import { ApiError, type Problem } from "./problem";

const invalid: Problem = {
  status: 422,
  title: "Unprocessable Entity",
  detail: "the request has invalid fields",
  code: "invalid_fields",
  errors: [
    { field: "name", message: "String should have at least 1 character", code: "string_too_short", params: { min_length: 1 } },
    { field: "email", message: "value is not a valid email address: no @", code: "invalid_email", params: { reason: "no @" } },
    { field: "weird", message: "some check the dashboard does not know", code: "brand_new_code" },
  ],
};

describe("problem+json in the user's language", () => {
  afterEach(async () => {
    await i18n.changeLanguage("en");
  });

  it("translates field errors by their code, with their params", async () => {
    await i18n.changeLanguage("pt-BR");
    const fields = new ApiError(invalid).fieldErrors();
    expect(fields.name).toBe("Pelo menos 1 caractere(s).");
    expect(fields.email).toBe("Não é um endereço de e-mail válido.");
  });

  it("falls back to the API's English text in English, to a general sentence in Portuguese", async () => {
    expect(new ApiError(invalid).fieldErrors().weird).toBe("some check the dashboard does not know");
    await i18n.changeLanguage("pt-BR");
    expect(new ApiError(invalid).fieldErrors().weird).toBe("Este valor não é válido.");
  });

  it("names the first invalid field in the message of a form's error", async () => {
    await i18n.changeLanguage("pt-BR");
    expect(new ApiError(invalid).message).toBe("name: Pelo menos 1 caractere(s).");
  });

  it("translates a problem's code, with its state in words", async () => {
    await i18n.changeLanguage("pt-BR");
    const conflict = { status: 409, title: "Conflict", detail: "the campaign is running; only drafts can be deleted", code: "state_conflict", params: { state: "running" } };
    expect(new ApiError(conflict).message).toBe("Não é possível agora: está em andamento.");
    const taken = { status: 409, title: "Conflict", detail: "a tag named 'VIP' already exists", code: "name_taken", params: { name: "VIP" } };
    expect(new ApiError(taken).message).toBe('"VIP" já está em uso.');
  });

  it("uses the status's sentence for a code it does not know, and the detail in English", async () => {
    const unknown = { status: 404, title: "Not Found", detail: "widget not found", code: "widget_gone" };
    expect(new ApiError(unknown).message).toBe("widget not found");
    await i18n.changeLanguage("pt-BR");
    expect(new ApiError(unknown).message).toBe("Não encontrado; pode ter sido excluído.");
  });
});
