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

export interface SliceOptions {
  /** Awaited before every page request: a rate gate shared by all slices. */
  beforePage?: () => Promise<void>;
  /** True once the caller's time is up: no further page is requested and the result is incomplete. */
  shouldStop?: () => boolean;
}

/**
 * Walks several independent cursors (slices of one listing) side by side and merges their items without
 * duplicates. DingTalk's cursors are sequential, so slicing the query is the only way to page in parallel.
 * After the first failure no slice requests another page, and the error is raised once every slice stopped.
 */
export async function collectSlices<Item, Cursor, Slice>(
  fetchPage: (slice: Slice, cursor: Cursor) => Promise<Page<Item, Cursor>>,
  slices: readonly Slice[],
  first: Cursor,
  { beforePage = async () => undefined, shouldStop = () => false }: SliceOptions = {},
): Promise<Collected<Item>> {
  let failed = false;
  let pages = 0;
  const walk = async (slice: Slice) => {
    const items: Item[] = [];
    let cursor: Cursor | undefined = first;
    while (cursor !== undefined) {
      if (failed || shouldStop()) return { items, complete: false };
      await beforePage();
      try {
        const page: Page<Item, Cursor> = await fetchPage(slice, cursor);
        pages += 1;
        items.push(...page.items);
        cursor = page.next;
      } catch (error) {
        failed = true;
        throw error;
      }
    }
    return { items, complete: true };
  };
  const outcomes = await Promise.allSettled(slices.map(walk));
  const rejected = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (rejected) throw rejected.reason;
  const walked = outcomes.map((outcome) => (outcome as PromiseFulfilledResult<{ items: Item[]; complete: boolean }>).value);
  return { items: [...new Set(walked.flatMap(({ items }) => items))], complete: walked.every(({ complete }) => complete), pages };
}
