/**
 * The org's monthly push allowance: 3,000 Webhook & Stream pushes on the free edition since 2025-11-19, 50,000 on
 * Professional (KB 1431 billing model; ../shared/dingtalk-events.md §2). Each event counts once when first pushed;
 * whether redeliveries and duplicates count is unknown (⚠ §10.3), so they do not. Months follow Beijing time (⚠).
 */
export const FREE_EDITION_PUSHES = 3000;

const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;
const monthOf = (now: number) => new Date(now + BEIJING_OFFSET_MS).toISOString().slice(0, 7);

export class PushMeter {
  used = 0;
  private month: string | undefined;

  constructor(public quota: number = FREE_EDITION_PUSHES) {}

  private roll(now: number): void {
    const month = monthOf(now);
    if (month !== this.month) {
      this.month = month;
      this.used = 0;
    }
  }

  /** Takes one push from this month's allowance; false once it is spent. */
  take(now: number): boolean {
    this.roll(now);
    if (this.used >= this.quota) return false;
    this.used += 1;
    return true;
  }

  spent(now: number): boolean {
    this.roll(now);
    return this.used >= this.quota;
  }
}
