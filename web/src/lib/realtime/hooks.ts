import { useEffect, useRef, useState } from "react";
import { realtime, type EventFrame, type Status } from "./socket";

/** Follow a topic (`inbox`, `conversation:{id}`, `campaign:{id}`, `import:{id}`, `notifications`) while mounted. */
export function useTopic(topic: string | null | undefined): void {
  useEffect(() => (topic ? realtime.follow(topic) : undefined), [topic]);
}

/** Call `handler` for each event frame of the given types while mounted. */
export function useRealtimeEvent(types: string[], handler: (frame: EventFrame) => void): void {
  const ref = useRef(handler);
  useEffect(() => {
    ref.current = handler;
  });
  const key = types.join(",");
  useEffect(() => {
    const wanted = new Set(key.split(","));
    return realtime.onFrame((frame) => {
      if (wanted.has(frame.type)) ref.current(frame);
    });
  }, [key]);
}

export function useRealtimeStatus(): Status {
  const [status, setStatus] = useState<Status>(realtime.status);
  useEffect(() => realtime.onStatus(setStatus), []);
  return status;
}

export type { EventFrame };
