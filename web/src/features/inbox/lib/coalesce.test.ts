import { describe, expect, it } from "vitest";
import { coalesce } from "./coalesce";

describe("coalesce", () => {
  it("runs a burst as one run now and one after it, per key", async () => {
    const calls: number[] = [];
    const resolvers: (() => void)[] = [];
    const schedule = coalesce(() => {
      calls.push(1);
      return new Promise<void>((resolve) => resolvers.push(resolve));
    });
    schedule("a");
    schedule("a");
    schedule("a");
    schedule("b");
    expect(calls).toHaveLength(2); // "a" and "b", one each
    resolvers[1]!(); // "b" done: nothing more for it
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toHaveLength(2);
    resolvers[0]!(); // the first "a" done: the burst asked for one more
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toHaveLength(3);
    resolvers[2]!();
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toHaveLength(3);
  });
});
