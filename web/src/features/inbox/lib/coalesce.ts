/**
 * Run `task(key)` at most once at a time per key: a call while one runs asks for exactly one more run after
 * it. A burst of frames for one conversation (a customer sending ten messages) costs two fetches, not ten.
 */
export function coalesce(task: (key: string) => Promise<unknown>): (key: string) => void {
  const running = new Map<string, boolean>(); // key → another run is wanted
  const run = (key: string): void => {
    running.set(key, false);
    void task(key)
      .catch(() => undefined)
      .finally(() => {
        const again = running.get(key);
        running.delete(key);
        if (again) run(key);
      });
  };
  return (key) => {
    if (running.has(key)) running.set(key, true);
    else run(key);
  };
}
