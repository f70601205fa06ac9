/** Every item of a cursor-paginated endpoint, page after page. Only for collections known to stay small
 * (a company's custom fields are its schema); everything else is searched and paged on the server. */
export async function fetchAllPages<T>(fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; next_cursor?: string | null }>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    items.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return items;
}
