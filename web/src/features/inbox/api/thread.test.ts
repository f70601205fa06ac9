// @vitest-environment jsdom
import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { mergeNewest, type Message, type Page } from "../lib/cache";
import { inboxKeys, patchThread } from "./inbox";

function message(id: string): Message {
  return { id, content: {}, direction: "in", errors: [], reply_to_wamid: null, sent_at: "2026-11-01T10:00:00Z", status: "received", status_at: null, text: id, type: "text", wamid: `wamid.${id}` } as unknown as Message;
}

describe("patchThread", () => {
  it("keeps a message that came in while an older page was on its way", async () => {
    const client = new QueryClient();
    const key = inboxKeys.messages("c1");
    let release: (page: Page<Message>) => void = () => undefined;
    const options = {
      queryKey: key,
      queryFn: ({ pageParam }: { pageParam: string | undefined }): Promise<Page<Message>> =>
        pageParam ? new Promise((resolve) => (release = resolve)) : Promise.resolve({ items: [message("m3"), message("m2")], next_cursor: "older" }),
      initialPageParam: undefined as string | undefined,
      getNextPageParam: (last: Page<Message>) => last.next_cursor ?? undefined,
    };
    await client.fetchInfiniteQuery(options);
    // the user scrolls up: the older page is asked for
    const older = client.getQueryCache().find({ queryKey: key })!.fetch(undefined, { meta: { fetchMore: { direction: "forward" } } });
    // meanwhile the customer writes
    patchThread(client, "c1", (data) => mergeNewest(data, { items: [message("m4")] }));
    release({ items: [message("m1")], next_cursor: null });
    await older;
    const pages = client.getQueryData<{ pages: Page<Message>[] }>(key)!.pages;
    expect(pages.flatMap((p) => p.items.map((m) => m.id))).toEqual(["m4", "m3", "m2", "m1"]);
  });

  it("changes the thread at once when nothing is being fetched", () => {
    const client = new QueryClient();
    const key = inboxKeys.messages("c1");
    client.setQueryData(key, { pages: [{ items: [message("m1")], next_cursor: null }], pageParams: [undefined] });
    patchThread(client, "c1", (data) => mergeNewest(data, { items: [message("m2")] }));
    expect(client.getQueryData<{ pages: Page<Message>[] }>(key)!.pages[0]!.items.map((m) => m.id)).toEqual(["m2", "m1"]);
  });
});
