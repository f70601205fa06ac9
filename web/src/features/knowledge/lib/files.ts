/** The files a knowledge base reads (the API says the same with a 415 or a 413: here the user learns before sending). */

export const EXTENSIONS = [".txt", ".md", ".markdown", ".pdf", ".docx", ".csv", ".html", ".htm"] as const;
export const ACCEPT = [...EXTENSIONS, "text/plain", "text/markdown", "text/csv", "text/html", "application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"].join(",");
export const MAX_BYTES = 50 * 1024 * 1024; // the API's limit of an upload (knowledge.files.MAX_STORED_BYTES)

/** Why the file cannot be sent (an i18n key of `knowledge:upload.problems`), or null. */
export function fileProblem(file: { name: string; size: number }): "type" | "size" | "empty" | null {
  const name = file.name.toLowerCase();
  if (!EXTENSIONS.some((ext) => name.endsWith(ext))) return "type";
  if (file.size === 0) return "empty";
  if (file.size > MAX_BYTES) return "size";
  return null;
}
