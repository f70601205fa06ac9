/** The typed API client: paths and bodies come from the generated OpenAPI types (`make api-types`). */
import createClient from "openapi-fetch";
import { accessToken, refresh } from "@/lib/auth/session";
import type { paths } from "./schema";
import { toApiError } from "./problem";

/** Adds the access token; on a 401 refreshes once (the cookie) and repeats the request. */
export async function authFetch(input: Request): Promise<Response> {
  const retry = input.clone();
  const token = accessToken();
  if (token) input.headers.set("Authorization", `Bearer ${token}`);
  const response = await fetch(input);
  if (response.status !== 401 || !token) return response;
  const fresh = await refresh();
  if (!fresh) return response;
  retry.headers.set("Authorization", `Bearer ${fresh}`);
  return fetch(retry);
}

export const api = createClient<paths>({ baseUrl: window.location.origin, fetch: authFetch });

/** Unwrap an openapi-fetch result: the data, or throw the API's problem as an ApiError. */
export async function unwrap<T>(promise: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await promise;
  if (error !== undefined || !response.ok) throw toApiError(error, response);
  return data as T;
}

/** A raw fetch with the session's token, for files (CSV upload and download). */
export function fetchWithAuth(path: string, init: RequestInit = {}): Promise<Response> {
  return authFetch(new Request(new URL(path, window.location.origin), init));
}

export type { paths };
export type { components } from "./schema";
