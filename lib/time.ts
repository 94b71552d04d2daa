/**
 * DingTalk times → ISO-8601 with an offset. API timestamps are UTC (`2026-11-20T02:15Z` per the SDK); form
 * dates are wall-clock values typed in the org's zone, which for our users (Hong Kong, mainland China) is
 * UTC+08:00 all year (no daylight saving).
 */
export const MINUTE_MS = 60 * 1000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

export const ORG_OFFSET = '+08:00';
export const ORG_OFFSET_MS = 8 * HOUR_MS;

/** Renders epoch milliseconds as `2026-11-20T10:15:00+08:00`. */
export function isoFromMs(ms: number): string {
  return new Date(ms + ORG_OFFSET_MS).toISOString().replace(/\.\d{3}Z$/, ORG_OFFSET);
}

/** A DingTalk API time (`2026-11-24T02:00Z`) as ISO-8601 with the org's offset, or null. */
export function isoOrNull(apiTime: string | null | undefined): string | null {
  const ms = msFromApiTime(apiTime);
  return ms === undefined ? null : isoFromMs(ms);
}

/** Parses DingTalk's `yyyy-MM-ddTHH:mmZ` (or any ISO string) to epoch milliseconds. */
export function msFromApiTime(text: string | null | undefined): number | undefined {
  if (!text) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Form dates: `2026-11-20` stays a date; `2026-11-20 10:00` becomes `2026-11-20T10:00:00+08:00`. */
export function toIsoDateTime(text: string): string | undefined {
  const trimmed = text.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(trimmed)) return trimmed;
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})(:\d{2})?$/.exec(trimmed);
  if (match) return `${match[1]}T${match[2]}${match[3] ?? ':00'}${ORG_OFFSET}`;
  return undefined;
}

/** Whole minutes between two instants, or null when either is unknown. */
export function minutesBetween(startMs: number | undefined, endMs: number | undefined): number | null {
  if (startMs === undefined || endMs === undefined) return null;
  return Math.max(0, Math.round((endMs - startMs) / 60000));
}
