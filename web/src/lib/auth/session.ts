/**
 * The browser's sign-in. The access token lives in memory only (this module); the refresh token is an
 * HttpOnly cookie the API sets for `/v1/auth` when asked with `X-Refresh-Cookie: 1`, so script never sees it.
 * Tabs refresh one at a time (Web Locks), so a rotation is never mistaken for a reused token; a sign-out in
 * one tab (or a refused refresh) signs out every tab through a BroadcastChannel.
 */

export interface Tokens {
  access_token: string;
  expires_in: number;
}

type Listener = (state: SessionState) => void;
export type SessionState = { status: "unknown" } | { status: "signed-in"; token: string } | { status: "signed-out"; reason?: "expired" | "logout" };

const COOKIE_HEADER = { "X-Refresh-Cookie": "1" };
const LOCK = "masteria-refresh";
const channel = typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel("masteria-auth");

let state: SessionState = { status: "unknown" };
let timer: ReturnType<typeof setTimeout> | undefined;
let inflight: Promise<string | null> | null = null;
const listeners = new Set<Listener>();

function set(next: SessionState): void {
  state = next;
  for (const listener of listeners) listener(state);
}

export function getState(): SessionState {
  return state;
}

export function accessToken(): string | null {
  return state.status === "signed-in" ? state.token : null;
}

export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Keep a freshly issued access token and refresh it a minute before it expires. */
export function adopt(tokens: Tokens): void {
  clearTimeout(timer);
  const lead = Math.max(10, tokens.expires_in - 60);
  timer = setTimeout(() => void refresh(), lead * 1000);
  set({ status: "signed-in", token: tokens.access_token });
}

/** Counts sign-outs: a refresh answered after one (its request was already out) must not sign back in. */
let signOuts = 0;

function end(reason: "expired" | "logout", broadcast: boolean): void {
  signOuts += 1;
  clearTimeout(timer);
  const wasSignedIn = state.status === "signed-in";
  set({ status: "signed-out", reason: wasSignedIn || reason === "logout" ? reason : undefined });
  if (broadcast) channel?.postMessage({ type: "signed-out", reason });
}

/** Why a refresh gave no token: the sign-in is over (401, 403), or it could not be asked (offline, 5xx). */
let lastFailure: "refused" | "unreachable" | null = null;

async function exchange(): Promise<string | null> {
  const before = signOuts;
  let response: Response;
  try {
    response = await fetch("/v1/auth/refresh", { method: "POST", headers: COOKIE_HEADER, credentials: "same-origin" });
  } catch {
    lastFailure = "unreachable"; // offline: the sign-in may well be fine, so nobody is signed out
    return null;
  }
  if (response.status === 401 || response.status === 403) {
    lastFailure = "refused";
    end("expired", response.status === 401);
    return null;
  }
  if (!response.ok) {
    lastFailure = "unreachable";
    return null;
  }
  lastFailure = null;
  const tokens = (await response.json()) as Tokens;
  if (signOuts !== before) return null; // signed out meanwhile (here or in another tab): stay out
  adopt(tokens);
  channel?.postMessage({ type: "refreshed" });
  return tokens.access_token;
}

/** Rotate the refresh cookie for a new access token; one tab at a time, one request per tab. */
export function refresh(): Promise<string | null> {
  if (!inflight) {
    const run = (): Promise<string | null> => exchange().catch(() => null);
    const locked: Promise<string | null> = typeof navigator !== "undefined" && navigator.locks ? navigator.locks.request(LOCK, run).then((token) => token) : run();
    inflight = locked.finally(() => {
      inflight = null;
    });
  }
  return inflight!;
}

/** Sign out here and in every other tab; the API revokes the sign-in and clears the cookie. */
export async function logout(): Promise<void> {
  // Under the refresh lock: no tab's rotation is in flight while the sign-in is revoked.
  const run = async (): Promise<void> => {
    try {
      await fetch("/v1/auth/logout", { method: "POST", headers: COOKIE_HEADER, credentials: "same-origin" });
    } finally {
      end("logout", true);
    }
  };
  await (typeof navigator !== "undefined" && navigator.locks ? navigator.locks.request(LOCK, run) : run());
}

/** The user a token was issued to (its `sub`), to tell a refresh from another user's sign-in. */
export function subjectOf(token: string): string | null {
  try {
    const payload = token.split(".")[1] ?? "";
    const json = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as { sub?: unknown };
    return typeof json.sub === "string" ? json.sub : null;
  } catch {
    return null;
  }
}

/**
 * On load: a valid refresh cookie keeps the user signed in across reloads. When the API cannot be reached
 * (offline, or down for a moment) the state stays "unknown" (the app says it is offline) and the same
 * question is asked again once the browser is back online, or a few seconds later.
 */
export async function resume(): Promise<void> {
  const token = await refresh();
  if (token || state.status !== "unknown") return;
  if (lastFailure !== "unreachable") {
    set({ status: "signed-out" });
    return;
  }
  await new Promise<void>((wake) => {
    const timer = setTimeout(done, 5000);
    function done() {
      clearTimeout(timer);
      window.removeEventListener("online", done);
      wake();
    }
    window.addEventListener("online", done);
  });
  return resume();
}

channel?.addEventListener("message", (event: MessageEvent<{ type: string; reason?: "expired" | "logout" }>) => {
  if (event.data.type === "signed-out") end(event.data.reason ?? "expired", false);
});

export const refreshCookieHeader = COOKIE_HEADER;
