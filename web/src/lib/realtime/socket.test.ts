// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { adopt } from "@/lib/auth/session";
import { CONNECT_TIMEOUT_MS, RealtimeClient } from "./socket";

/** The browser's WebSocket, at the edge: a handshake the server never answers, unless told to open. */
class FakeSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 3;
  static made: FakeSocket[] = [];
  static nth(index: number): FakeSocket {
    const socket = FakeSocket.made[index];
    if (!socket) throw new Error(`no socket ${index} was made`);
    return socket;
  }
  readyState = FakeSocket.CONNECTING;
  onopen: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onmessage: ((message: MessageEvent<string>) => void) | null = null;
  sent: string[] = [];
  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {
    FakeSocket.made.push(this);
  }
  send(data: string): void {
    this.sent.push(data);
  }
  open(): void {
    this.readyState = FakeSocket.OPEN;
    this.onopen?.();
  }
  close(): void {
    if (this.readyState === FakeSocket.CLOSED) return;
    this.readyState = FakeSocket.CLOSED;
    this.onclose?.();
  }
}

describe("RealtimeClient", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.made = [];
    vi.stubGlobal("WebSocket", FakeSocket);
    vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify({ frames: [], cursor: "0", more: false }))));
    adopt({ access_token: "token", expires_in: 900 });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it("gives up a handshake left unanswered and connects again", async () => {
    const client = new RealtimeClient();
    const statuses: string[] = [];
    client.onStatus((status) => statuses.push(status));
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeSocket.made).toHaveLength(1);
    expect(FakeSocket.nth(0).protocols).toEqual(["masteria.v1", "token"]);

    await vi.advanceTimersByTimeAsync(CONNECT_TIMEOUT_MS - 1);
    expect(FakeSocket.nth(0).readyState).toBe(FakeSocket.CONNECTING); // still waiting
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.nth(0).readyState).toBe(FakeSocket.CLOSED);
    expect(client.status).toBe("closed");

    await vi.advanceTimersByTimeAsync(500); // the first retry comes within half a second
    expect(FakeSocket.made).toHaveLength(2);
    FakeSocket.nth(1).open();
    expect(client.status).toBe("open");
    await vi.advanceTimersByTimeAsync(CONNECT_TIMEOUT_MS * 2);
    expect(FakeSocket.nth(1).readyState).toBe(FakeSocket.OPEN); // an open socket is never timed out
    expect(statuses).toEqual(["connecting", "closed", "connecting", "open"]);
    client.stop();
  });
});
