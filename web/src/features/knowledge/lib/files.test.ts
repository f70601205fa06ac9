import { describe, expect, it } from "vitest";
import { fileProblem, MAX_BYTES } from "./files";

describe("fileProblem", () => {
  it("takes the formats a knowledge base reads, whatever the case of the extension", () => {
    for (const name of ["faq.txt", "FAQ.MD", "manual.pdf", "policy.docx", "qa.csv", "page.html"]) expect(fileProblem({ name, size: 10 })).toBeNull();
  });

  it("refuses another kind, an empty file and one over the limit", () => {
    expect(fileProblem({ name: "photo.png", size: 10 })).toBe("type");
    expect(fileProblem({ name: "sheet.xlsx", size: 10 })).toBe("type");
    expect(fileProblem({ name: "empty.txt", size: 0 })).toBe("empty");
    expect(fileProblem({ name: "huge.pdf", size: MAX_BYTES + 1 })).toBe("size");
  });
});
