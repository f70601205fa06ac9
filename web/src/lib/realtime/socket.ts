/**
 * Live updates: one WebSocket per tab at `/ws`, authenticated with the subprotocols
 * `["masteria.v1", <access token>]`. Topics are reference-counted across components. After every (re)connect
 * the client subscribes first and then catches up from its last cursor (`GET /v1/realtime/events?after=`),
 * so nothing falls between the two; frames are deduplicated by cursor, so nothing is shown twice.
 */
import { accessToken, refresh } from "@/lib/auth/session";
import { api } from "@/lib/api/client";

export interface EventFrame {
  v: 1;
  type: string;
  cursor: string;
  at: string;
  data: Record<string, unknown>;
}

type Handler = (frame: EventFrame) => void;
export type Status = "connecting" | "open" | "closed";

const SUBPROTOCOL = "masteria.v1";
const MAX_BACKOFF_MS = 30_000;
/** A handshake not answered by then is given up and tried again (a browser would wait minutes). */
export const CONNECT_TIMEOUT_MS = 10_000;
const SEEN_LIMIT = 2_000;

export class RealtimeClient {
  private socket: WebSocket | null = null;
  private topics = new Map<string, number>();
  private handlers = new Set<Handler>();
  private statusListeners = new Set<(status: Status) => void>();
  /** The highest cursor delivered: where the next catch-up starts from. */
  private cursor: bigint | null = null;
  /** Cursors delivered lately, to drop repeats (frames may come out of order, and catch-up overlaps live). */
  private seen = new Set<string>();
  /** Bumped by start() and stop(): a connect or retry begun before them gives up. */
  private generation = 0;
  private attempts = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = true;
  private nextId = 1;
  status: Status = "closed";

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.generation += 1;
    void this.connect(this.generation);
  }

  stop(): void {
    this.stopped = true;
    this.generation += 1;
    clearTimeout(this.retryTimer);
    this.socket?.close(1000);
    this.socket = null;
    this.cursor = null;
    this.seen.clear();
    this.setStatus("closed");
  }

  /** Receive every event frame; returns the unsubscribe function. */
  onFrame(handler: Handler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  onStatus(listener: (status: Status) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Follow a topic while the returned function is not called (reference-counted). */
  follow(topic: string): () => void {
    const count = this.topics.get(topic) ?? 0;
    this.topics.set(topic, count + 1);
    if (count === 0) this.send({ action: "subscribe", topics: [topic] });
    return () => {
      const left = (this.topics.get(topic) ?? 1) - 1;
      if (left > 0) {
        this.topics.set(topic, left);
        return;
      }
      this.topics.delete(topic);
      this.send({ action: "unsubscribe", topics: [topic] });
    };
  }

  private setStatus(status: Status): void {
    this.status = status;
    for (const listener of this.statusListeners) listener(status);
  }

  private send(frame: Record<string, unknown>): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ ...frame, id: String(this.nextId++) }));
  }

  private async connect(generation: number): Promise<void> {
    if (generation !== this.generation) return;
    const token = accessToken() ?? (await refresh());
    if (!token || generation !== this.generation) return;
    this.setStatus("connecting");
    const url = `${window.location.protocol === "https:" ? "wss:" : "ws:"}//${window.location.host}/ws`;
    const socket = new WebSocket(url, [SUBPROTOCOL, token]);
    this.socket = socket;
    let from: bigint | null = null;
    const handshake = setTimeout(() => {
      if (socket.readyState === WebSocket.CONNECTING) socket.close(); // fails it: onclose retries
    }, CONNECT_TIMEOUT_MS);
    socket.onopen = () => {
      clearTimeout(handshake);
      this.attempts = 0;
      this.setStatus("open");
      from = this.cursor; // taken before any live frame of this connection moves it
      if (this.topics.size) socket.send(JSON.stringify({ action: "subscribe", topics: [...this.topics.keys()], id: "resubscribe" }));
      else void this.catchUp(from, generation);
    };
    socket.onmessage = (message: MessageEvent<string>) => {
      const frame = JSON.parse(message.data) as EventFrame | { type: "subscribed" | "pong" | "error"; id?: string };
      if (frame.type === "subscribed") {
        if ((frame as { id?: string }).id === "resubscribe") void this.catchUp(from, generation);
        return;
      }
      if (frame.type === "pong" || frame.type === "error") return;
      this.deliver(frame as EventFrame);
    };
    socket.onclose = () => {
      clearTimeout(handshake);
      if (this.socket !== socket) return;
      this.socket = null;
      this.setStatus("closed");
      this.scheduleReconnect(generation);
    };
  }

  private scheduleReconnect(generation: number): void {
    if (generation !== this.generation) return;
    const base = Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.attempts);
    this.attempts += 1;
    // Jitter so that many tabs do not come back at once; the token may have expired meanwhile.
    this.retryTimer = setTimeout(() => {
      void (this.attempts > 1 ? refresh() : Promise.resolve()).then(() => this.connect(generation));
    }, base / 2 + Math.random() * (base / 2));
  }

  private deliver(frame: EventFrame): void {
    if (this.seen.has(frame.cursor)) return; // a repeat: delivery is at least once
    this.seen.add(frame.cursor);
    if (this.seen.size > SEEN_LIMIT) this.seen.delete(this.seen.values().next().value!);
    const cursor = BigInt(frame.cursor);
    if (this.cursor === null || cursor > this.cursor) this.cursor = cursor;
    for (const handler of this.handlers) handler(frame);
  }

  /** Everything since `from` (the cursor when the connection opened), page by page; live frames that
   * arrive meanwhile are delivered as they come, and repeats on either side are dropped. */
  private async catchUp(from: bigint | null, generation: number): Promise<void> {
    if (from === null) {
      const { data } = await api.GET("/v1/realtime/events", {});
      if (data && this.cursor === null && generation === this.generation) this.cursor = BigInt(data.cursor);
      return;
    }
    let after = from.toString();
    for (let more = true; more && generation === this.generation; ) {
      const { data } = await api.GET("/v1/realtime/events", { params: { query: { after, limit: 500 } } });
      if (!data || generation !== this.generation) return;
      for (const frame of data.frames) this.deliver(frame as unknown as EventFrame);
      after = data.cursor;
      more = data.more;
    }
  }
}

export const realtime = new RealtimeClient();
