import { describe, expect, it } from "vitest";
import { applyFrame, applyToList, frameOf, percentOf, type DocumentState } from "./progress";

const queued: DocumentState = { id: "d1", status: "queued", version: 1, attempt: 1, processed_chunks: 0, total_chunks: null };

describe("applyFrame", () => {
  it("follows a run from queued to ready", () => {
    let doc = applyFrame(queued, { document_id: "d1", status: "processing", version: 1, attempt: 1, processed_chunks: 0, total_chunks: 10 });
    doc = applyFrame(doc, { document_id: "d1", status: "processing", version: 1, attempt: 1, processed_chunks: 4, total_chunks: 10 });
    expect(percentOf(doc)).toBe(40);
    doc = applyFrame(doc, { document_id: "d1", status: "ready", version: 1, attempt: 1, processed_chunks: 10, total_chunks: 10 });
    expect(doc).toMatchObject({ status: "ready", processed_chunks: 10 });
    expect(percentOf(doc)).toBe(100);
  });

  it("never goes back: a late frame of the same run is dropped", () => {
    const ready = { ...queued, status: "ready", processed_chunks: 10, total_chunks: 10 };
    expect(applyFrame(ready, { document_id: "d1", status: "processing", version: 1, attempt: 1, processed_chunks: 4 })).toBe(ready);
    const halfway = { ...queued, status: "processing", processed_chunks: 6, total_chunks: 10 };
    expect(applyFrame(halfway, { document_id: "d1", status: "processing", version: 1, attempt: 1, processed_chunks: 3 })).toBe(halfway);
  });

  it("a re-upload (a higher version) starts over, and the old upload's frames are dropped", () => {
    const ready = { ...queued, status: "ready", processed_chunks: 10, total_chunks: 10 };
    const again = applyFrame(ready, { document_id: "d1", status: "queued", version: 2, attempt: 1, processed_chunks: 0, total_chunks: null });
    expect(again).toMatchObject({ status: "queued", version: 2, processed_chunks: 0 });
    expect(applyFrame(again, { document_id: "d1", status: "ready", version: 1, attempt: 1, processed_chunks: 10 })).toBe(again);
  });

  it("a retry of the same upload (a higher attempt) may start over too", () => {
    const failed = { ...queued, status: "failed", attempt: 1, error: { code: "fetch_timeout", message: "The page did not answer" } };
    const retried = applyFrame(failed, { document_id: "d1", status: "processing", version: 1, attempt: 2, processed_chunks: 1, total_chunks: 5 });
    expect(retried).toMatchObject({ status: "processing", attempt: 2, error: null });
  });

  it("keeps the error of a failure", () => {
    const doc = applyFrame(queued, { document_id: "d1", status: "failed", version: 1, attempt: 1, error: { code: "pdf_encrypted", message: "The PDF is encrypted" } });
    expect(doc).toMatchObject({ status: "failed", error: { code: "pdf_encrypted", message: "The PDF is encrypted" } });
    expect(percentOf(doc)).toBeNull();
  });

  it("leaves other documents and the list alone when the frame is not theirs", () => {
    const list = [queued, { ...queued, id: "d2" }];
    expect(applyToList(list, { document_id: "d9", status: "ready" })).toBe(list);
    const next = applyToList(list, { document_id: "d2", status: "processing", total_chunks: 3, processed_chunks: 1 });
    expect(next[0]).toBe(list[0]);
    expect(next[1]).toMatchObject({ status: "processing", processed_chunks: 1 });
  });
});

describe("frameOf", () => {
  it("reads the API's frame: counts, total once known, and a failure's code", () => {
    expect(frameOf({ knowledge_base_id: "kb", document_id: "d1", version: 2, status: "processing", processed: 3, total: 8 })).toEqual({
      document_id: "d1",
      status: "processing",
      version: 2,
      processed_chunks: 3,
      total_chunks: 8,
    });
    const failed = frameOf({ knowledge_base_id: "kb", document_id: "d1", version: 1, status: "failed", processed: 0, total: null, error_code: "pdf_encrypted" });
    expect(applyFrame(queued, failed)).toMatchObject({ status: "failed", total_chunks: null, error: { code: "pdf_encrypted" } });
  });
});
