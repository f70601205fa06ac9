/** How the API compares keywords: whole message, ignoring case, accents and surrounding punctuation. */
export function keywordKey(word: string): string {
  return word
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/^[\p{P}\p{S}\s]+|[\p{P}\p{S}\s]+$/gu, "")
    .toLowerCase();
}

/** Add what was typed or pasted (commas, semicolons or new lines separate words) to `list`, skipping repeats. */
export function addKeywords(list: readonly string[], raw: string): string[] {
  const out = [...list];
  const seen = new Set(list.map(keywordKey));
  for (const part of raw.split(/[,;\n]/)) {
    const word = part.trim().replace(/\s+/g, " ");
    const key = keywordKey(word);
    if (!key || seen.has(key)) continue;
    seen.add(key);
    out.push(word);
  }
  return out;
}

/** The API's errors for a list field and its items (`stop_keywords`, `stop_keywords.3`), as one message. */
export function listError(errors: Record<string, string>, field: string): string | undefined {
  const messages = Object.entries(errors)
    .filter(([k]) => k === field || k.startsWith(`${field}.`))
    .map(([, v]) => v);
  return messages.length ? [...new Set(messages)].join("; ") : undefined;
}
