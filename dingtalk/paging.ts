/** Pagination stays inside the client: callers ask for "all pages up to a limit". */
export interface Page<Item, Cursor> {
  items: Item[];
  /** The cursor for the next page, or undefined when this was the last one. */
  next: Cursor | undefined;
}

export interface Collected<Item> {
  items: Item[];
  /** False when the limit stopped the walk before DingTalk ran out of pages. */
  complete: boolean;
  pages: number;
}

/** Follows pages from `first` until DingTalk runs out or `limit` items are gathered. */
export async function collectPages<Item, Cursor>(
  fetchPage: (cursor: Cursor) => Promise<Page<Item, Cursor>>,
  first: Cursor,
  limit = Infinity,
): Promise<Collected<Item>> {
  const items: Item[] = [];
  let cursor: Cursor | undefined = first;
  let pages = 0;
  while (cursor !== undefined && items.length < limit) {
    const page: Page<Item, Cursor> = await fetchPage(cursor);
    pages += 1;
    items.push(...page.items);
    cursor = page.next;
  }
  return { items: items.slice(0, limit), complete: cursor === undefined && items.length <= limit, pages };
}
