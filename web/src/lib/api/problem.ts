/**
 * RFC 9457 problem+json, as every error of the API is shaped. Beside its English `detail` and field
 * `message`s, the API gives a `code` (and `params`) for each: the user reads them in their language from the
 * `problem` and `field` entries of the common catalogue; a code the catalogue does not know falls back to the
 * API's English text for English readers, to a general sentence for the others.
 */
import i18n from "i18next";

type Params = Record<string, string | number>;

export interface FieldError {
  field: string;
  message: string;
  code?: string;
  params?: Params;
}

export interface Problem {
  status: number;
  title: string;
  detail: string;
  code?: string;
  params?: Params;
  errors?: FieldError[];
  correlation_id?: string;
  [extra: string]: unknown;
}

/** The problem's code when it has none, from its status (as the API gives it). */
const STATUS_CODES: Record<number, string> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  413: "too_large",
  422: "invalid",
  429: "rate_limited",
  502: "upstream_rejected",
  503: "unavailable",
};

function english(): boolean {
  return (i18n.resolvedLanguage ?? i18n.language ?? "en").startsWith("en");
}

/** Params as the sentence shows them: a state or status the API names (`running`, `PAUSED`) in words. */
function shown(params: Params | undefined): Params {
  const out: Params = { ...params };
  for (const name of ["state", "status"]) {
    const value = out[name];
    if (typeof value === "string" && i18n.exists(`common:problem.states.${value}`)) out[name] = i18n.t(`common:problem.states.${value}`);
  }
  return out;
}

function translated(key: string, params: Params | undefined, apiText: string, general: string): string {
  if (i18n.exists(key)) return i18n.t(key, { ...shown(params), interpolation: { escapeValue: false } });
  return english() && apiText ? apiText : i18n.t(general);
}

/** A field error in the user's language. */
export function fieldMessage(error: FieldError): string {
  return translated(`common:field.${error.code ?? "invalid"}`, error.params, error.message, "common:field.invalid");
}

/** The problem's sentence in the user's language (for a form's errors: the first field's, named). */
export function problemMessage(problem: Problem): string {
  const code = problem.code ?? STATUS_CODES[problem.status] ?? "error";
  const first = problem.errors?.[0];
  if ((code === "invalid" || code === "invalid_fields") && first) {
    return i18n.t("common:problem.invalidField", { field: first.field, message: fieldMessage(first) });
  }
  const general = `common:problem.${STATUS_CODES[problem.status] ?? "error"}`;
  return translated(`common:problem.${code}`, problem.params, problem.detail || problem.title, i18n.exists(general) ? general : "common:problem.error");
}

export class ApiError extends Error {
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problemMessage(problem));
    this.name = "ApiError";
    this.problem = problem;
  }

  get status(): number {
    return this.problem.status;
  }

  /** The API's own English sentence (for logs and support, never instead of `message` on screen). */
  get detail(): string {
    return this.problem.detail;
  }

  /** Field errors in the user's language, keyed by the field's path (`email`, `window.start`, `filter.custom_fields.0.key`). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.problem.errors ?? []) {
      const message = fieldMessage(e);
      out[e.field] = out[e.field] ? `${out[e.field]}; ${message}` : message;
    }
    return out;
  }
}

export function isProblem(value: unknown): value is Problem {
  return typeof value === "object" && value !== null && "status" in value && "title" in value;
}

/** Turn what openapi-fetch gives back into an ApiError (or a generic one for a non-problem body). */
export function toApiError(error: unknown, response: Response): ApiError {
  if (isProblem(error)) return new ApiError(error);
  return new ApiError({ status: response.status, title: response.statusText || "Error", detail: response.statusText || "Request failed" });
}
