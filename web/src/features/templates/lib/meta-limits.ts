/**
 * Meta's rules for a WhatsApp template, checked as the user types. The numbers are the backend's
 * (layers/core/masteria/templates/whatsapp.py, from Meta's "Template components"): keep them equal, the
 * API refuses what breaks them with the same field paths (`components.<i>.text`, `…buttons.<j>.text`).
 */

export const META_LIMITS = {
  headerText: 60,
  headerParameters: 1,
  bodyText: 1024,
  footerText: 60,
  footerParameters: 0,
  buttons: 10,
  urlButtons: 2,
  phoneButtons: 1,
  buttonText: 25,
  buttonUrl: 2000,
  urlParameters: 1,
  buttonPhone: 20,
  name: 512,
} as const;

export const NAME_PATTERN = /^[a-z0-9_]{1,512}$/;
const PARAMETER = /{{\s*([A-Za-z0-9_]+)\s*}}/g;

export const HEADER_FORMATS = ["NONE", "TEXT", "IMAGE", "VIDEO", "DOCUMENT"] as const;
export type HeaderFormat = (typeof HEADER_FORMATS)[number];
export const BUTTON_TYPES = ["QUICK_REPLY", "URL", "PHONE_NUMBER"] as const;
export type ButtonType = (typeof BUTTON_TYPES)[number];
export const CATEGORIES = ["MARKETING", "UTILITY", "AUTHENTICATION"] as const;
export type Category = (typeof CATEGORIES)[number];

export interface ButtonDraft {
  type: ButtonType;
  text: string;
  url: string;
  phone_number: string;
  /** An example value of the URL's parameter (Meta reviews it). */
  example: string;
}

export interface TemplateDraft {
  name: string;
  language: string;
  category: Category;
  headerFormat: HeaderFormat;
  headerText: string;
  /** An example link of a media header (Meta reviews it). */
  headerMedia: string;
  body: string;
  footer: string;
  buttons: ButtonDraft[];
  /** Example values by placeholder (`1`, `first_name`), for the header, body and URLs. */
  examples: Record<string, string>;
}

export function emptyDraft(language = "pt_BR"): TemplateDraft {
  return { name: "", language, category: "MARKETING", headerFormat: "NONE", headerText: "", headerMedia: "", body: "", footer: "", buttons: [], examples: {} };
}

export function emptyButton(type: ButtonType): ButtonDraft {
  return { type, text: "", url: type === "URL" ? "https://" : "", phone_number: type === "PHONE_NUMBER" ? "+" : "", example: "" };
}

export type Problem =
  | { code: "required" }
  | { code: "name" }
  | { code: "tooLong"; limit: number; length: number }
  | { code: "tooManyParameters"; limit: number }
  | { code: "positionalOrder" }
  | { code: "tooManyButtons"; limit: number }
  | { code: "tooManyUrlButtons"; limit: number }
  | { code: "tooManyPhoneButtons"; limit: number };

/** Field → its problems; fields: name, headerText, headerMedia, body, footer, buttons, buttons.<i>.text|url|phone_number. */
export type Problems = Record<string, Problem[]>;

/** The placeholders of a text (`{{1}}`, `{{first_name}}`), each once, in order of first use. */
export function placeholders(text: string): string[] {
  return [...new Set(Array.from(text.matchAll(PARAMETER), (m) => m[1]!))];
}

function add(problems: Problems, field: string, problem: Problem): void {
  (problems[field] ??= []).push(problem);
}

function checkText(problems: Problems, field: string, text: string, limit: number, maxParameters?: number): void {
  if (text.length > limit) add(problems, field, { code: "tooLong", limit, length: text.length });
  const found = placeholders(text);
  if (maxParameters !== undefined && found.length > maxParameters) add(problems, field, { code: "tooManyParameters", limit: maxParameters });
  const positional = found.filter((p) => /^\d+$/.test(p));
  if (positional.some((p, i) => p !== String(i + 1))) add(problems, field, { code: "positionalOrder" });
}

/** Every rule the draft breaks, by field (empty: Meta's limits are met). */
export function checkDraft(draft: TemplateDraft): Problems {
  const problems: Problems = {};
  if (!draft.name) add(problems, "name", { code: "required" });
  else if (!NAME_PATTERN.test(draft.name)) add(problems, "name", { code: "name" });
  if (draft.headerFormat === "TEXT") {
    if (!draft.headerText) add(problems, "headerText", { code: "required" });
    checkText(problems, "headerText", draft.headerText, META_LIMITS.headerText, META_LIMITS.headerParameters);
  }
  if (!draft.body.trim()) add(problems, "body", { code: "required" });
  checkText(problems, "body", draft.body, META_LIMITS.bodyText);
  checkText(problems, "footer", draft.footer, META_LIMITS.footerText, META_LIMITS.footerParameters);
  const buttons = draft.buttons;
  if (buttons.length > META_LIMITS.buttons) add(problems, "buttons", { code: "tooManyButtons", limit: META_LIMITS.buttons });
  if (buttons.filter((b) => b.type === "URL").length > META_LIMITS.urlButtons) add(problems, "buttons", { code: "tooManyUrlButtons", limit: META_LIMITS.urlButtons });
  if (buttons.filter((b) => b.type === "PHONE_NUMBER").length > META_LIMITS.phoneButtons)
    add(problems, "buttons", { code: "tooManyPhoneButtons", limit: META_LIMITS.phoneButtons });
  buttons.forEach((button, i) => {
    const at = `buttons.${i}`;
    if (!button.text) add(problems, `${at}.text`, { code: "required" });
    if (button.text.length > META_LIMITS.buttonText) add(problems, `${at}.text`, { code: "tooLong", limit: META_LIMITS.buttonText, length: button.text.length });
    if (button.type === "URL") {
      if (!/^https?:\/\/\S+/.test(button.url)) add(problems, `${at}.url`, { code: "required" });
      checkText(problems, `${at}.url`, button.url, META_LIMITS.buttonUrl, META_LIMITS.urlParameters);
    }
    if (button.type === "PHONE_NUMBER") {
      if (!/^\+?\d{6,}$/.test(button.phone_number)) add(problems, `${at}.phone_number`, { code: "required" });
      if (button.phone_number.length > META_LIMITS.buttonPhone)
        add(problems, `${at}.phone_number`, { code: "tooLong", limit: META_LIMITS.buttonPhone, length: button.phone_number.length });
    }
  });
  return problems;
}

/** True when every placeholder is a name (Meta's NAMED parameter format), false for {{1}}, {{2}}… */
export function isNamed(draft: TemplateDraft): boolean {
  const all = [...placeholders(draft.headerFormat === "TEXT" ? draft.headerText : ""), ...placeholders(draft.body)];
  return all.length > 0 && all.every((p) => !/^\d+$/.test(p));
}

/** Every placeholder that needs an example, in the order shown (header, body). */
export function exampleKeys(draft: TemplateDraft): string[] {
  return [...new Set([...placeholders(draft.headerFormat === "TEXT" ? draft.headerText : ""), ...placeholders(draft.body)])];
}

type Component = Record<string, unknown>;

export interface Built {
  body: { name: string; language: string; category: Category; parameter_format?: "POSITIONAL" | "NAMED"; components: Component[] };
  /** What each component index is, to put the API's `components.<i>…` errors next to the right field. */
  kinds: ("header" | "body" | "footer" | "buttons")[];
}

function example(draft: TemplateDraft, key: string): string {
  return draft.examples[key]?.trim() || key;
}

/** The draft as Meta's creation body (`name`, `language`, `category`, `components` with examples). */
export function buildTemplate(draft: TemplateDraft): Built {
  const named = isNamed(draft);
  const components: Component[] = [];
  const kinds: Built["kinds"] = [];
  if (draft.headerFormat === "TEXT") {
    const header: Component = { type: "HEADER", format: "TEXT", text: draft.headerText };
    const keys = placeholders(draft.headerText);
    if (keys.length)
      header.example = named
        ? { header_text_named_params: keys.map((k) => ({ param_name: k, example: example(draft, k) })) }
        : { header_text: keys.map((k) => example(draft, k)) };
    components.push(header);
    kinds.push("header");
  } else if (draft.headerFormat !== "NONE") {
    components.push({ type: "HEADER", format: draft.headerFormat, ...(draft.headerMedia ? { example: { header_handle: [draft.headerMedia] } } : {}) });
    kinds.push("header");
  }
  const body: Component = { type: "BODY", text: draft.body };
  const bodyKeys = placeholders(draft.body);
  if (bodyKeys.length)
    body.example = named
      ? { body_text_named_params: bodyKeys.map((k) => ({ param_name: k, example: example(draft, k) })) }
      : { body_text: [bodyKeys.map((k) => example(draft, k))] };
  components.push(body);
  kinds.push("body");
  if (draft.footer) {
    components.push({ type: "FOOTER", text: draft.footer });
    kinds.push("footer");
  }
  if (draft.buttons.length) {
    components.push({
      type: "BUTTONS",
      buttons: draft.buttons.map((b) => {
        if (b.type === "URL") {
          const withParameter = placeholders(b.url).length > 0;
          return { type: "URL", text: b.text, url: b.url, ...(withParameter ? { example: [b.url.replace(PARAMETER, b.example || "example")] } : {}) };
        }
        if (b.type === "PHONE_NUMBER") return { type: "PHONE_NUMBER", text: b.text, phone_number: b.phone_number };
        return { type: "QUICK_REPLY", text: b.text };
      }),
    });
    kinds.push("buttons");
  }
  return {
    body: { name: draft.name, language: draft.language, category: draft.category, ...(named ? { parameter_format: "NAMED" as const } : {}), components },
    kinds,
  };
}

/** The form field an API error path names: `components.1.text` → `body`, `components.3.buttons.0.text` → `buttons.0.text`. */
export function fieldOfApiPath(path: string, kinds: Built["kinds"]): string {
  const match = /^components\.(\d+)(?:\.(.+))?$/.exec(path);
  if (!match) return path === "components" ? "form" : path;
  const kind = kinds[Number(match[1])];
  const rest = match[2] ?? "";
  if (kind === "header") return "headerText";
  if (kind === "body") return "body";
  if (kind === "footer") return "footer";
  if (kind === "buttons") return rest.startsWith("buttons.") ? rest : "buttons";
  return "form";
}

/** The draft's text with example values in place of its placeholders (the live phone preview). */
export function fillExamples(text: string, examples: Record<string, string>): string {
  return text.replace(PARAMETER, (whole, key: string) => examples[key]?.trim() || whole);
}
