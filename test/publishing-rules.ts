/**
 * The wording rules of Zapier's publishing checks (zapier-platform.md §9), written once for every test that
 * applies them: Title Case labels (D018) and ISO-8601 date-times with an offset (D023, T003).
 */
const SMALL_WORDS = new Set(['a', 'an', 'and', 'as', 'at', 'by', 'for', 'in', 'of', 'on', 'or', 'the', 'to', 'with']);

/** Every word capitalised (or a number), except small words after the first. */
export const isTitleCase = (label: string) => label.split(/\s+/).every((word, i) => /^\(?[A-Z0-9]/.test(word) || (i > 0 && SMALL_WORDS.has(word)));

/** ISO-8601 date-time with seconds and an explicit offset. */
export const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
