/**
 * Every key this integration stores (z.cache inside Zapier, lib/store.ts elsewhere), with how long each value
 * lives. All keys sit under the connection's scope (zapier/store.ts). A key's version changes when the shape of
 * its value changes; readers of a new version say how they read the old one.
 *
 * ⚠ Zapier does not document z.cache's size or TTL limits in the material we could reach.
 */
const DAY_S = 24 * 3600;

/** Approval ids and statuses per template (and originator filter): approvals/ledger/ledger.ts. */
interface LedgerScope {
  processCode: string;
  userIds?: readonly string[];
}
const scoped = (version: string, { processCode, userIds }: LedgerScope) =>
  `dingtalk:ledger:${version}:${processCode}${userIds?.length ? `:${[...userIds].sort().join(',')}` : ''}`;

export const cacheKeys = {
  /** The shared ledger with readable entry fields (approvals/ledger/ledger.ts). */
  ledger: (scope: LedgerScope) => scoped('v2', scope),
  /** The same ledger with one-letter fields, written by versions before 2026-11-29; read once, then replaced. */
  ledgerV1: (scope: LedgerScope) => scoped('v1', scope),
  /** One classified approval's ledger entry, so a lost ledger does not refetch it (readable fields). */
  outcome: (id: string) => `dingtalk:outcome:v2:${id}`,
  /** The same with one-letter fields (older versions). */
  outcomeV1: (id: string) => `dingtalk:outcome:v1:${id}`,
  /** GetProcessInstance's result for a finished approval, cached by the poll that classified it. */
  detail: (id: string) => `dingtalk:detail:v1:${id}`,
  /** What a person recognises an approval by (title, originator, submission time), for the Approval dropdown. */
  title: (id: string) => `dingtalk:title:v1:${id}`,
  /** A template's per-approval step timings for Find Approval Statistics (approvals/stats/timings.ts). */
  timings: (processCode: string) => `dingtalk:timings:v1:${processCode}`,
  userName: (userId: string) => `dingtalk:user-name:v1:${userId}`,
  /** A user's name and manager (approvals/waiting/people.ts). */
  person: (userId: string) => `dingtalk:person:v1:${userId}`,
  /** What Approval Waiting Too Long learned about running approvals' tasks, per ledger (approvals/waiting/poll.ts). */
  waiting: (scope: LedgerScope) => scoped('waiting-v1', scope),
  /** The detail a waiting check fetched, so delivering that wait costs no second fetch (a running approval's detail
   * is never put under `detail`, which Find Approval trusts as final). */
  waitingDetail: (id: string) => `dingtalk:waiting-detail:v1:${id}`,
  /** The detail an instant "waiting too long" delivery was hydrated from, shared by the Zaps that received it
   * (approvals/instant/waiting.ts). */
  waitingDeliveryDetail: (deliveryId: string) => `dingtalk:waiting-delivery-detail:v1:${deliveryId}`,
  templateName: (processCode: string) => `dingtalk:template-name:v1:${processCode}`,
  /** A template's form components (QuerySchemaByProcessCode). */
  schema: (processCode: string) => `dingtalk:schema:v1:${processCode}`,
  /** An originator's main department, which Start Approval files the approval under. */
  userDepartment: (userId: string) => `dingtalk:user-department:v1:${userId}`,
  /** The approver nodes a template leaves to the originator (ProcessForecast). */
  forecast: (processCode: string, userId: string, deptId: number) => `dingtalk:forecast:v1:${processCode}:${userId}:${deptId}`,
  /** The template dropdown. */
  templates: 'dingtalk:templates:v1',
  /** The department walk and the user list behind the Department and User dropdowns. */
  departments: 'dingtalk:departments:v1',
  users: 'dingtalk:users:v1',
} as const;

/** Lifetimes in seconds, per key above. */
export const cacheTtlS = {
  /** A little longer than the 31 days a finished approval is kept. */
  ledger: 35 * DAY_S,
  /** Longer than DingTalk's 120-day listing window, so a rebuild never refetches an outcome it can still list. */
  outcome: 130 * DAY_S,
  detail: DAY_S,
  /** As long as an outcome: an approval's title never changes. */
  title: 130 * DAY_S,
  name: 7 * DAY_S,
  /** Watches live as long as their approvals run; running approvals are kept as long as the ledger. */
  waiting: 35 * DAY_S,
  /** Zaps that receive the same instant delivery hydrate it within minutes of each other. */
  waitingDeliveryDetail: 3600,
  /** Metered lookups the Zap editor repeats often. */
  schema: 600,
  forecast: 600,
  /** As long as the forecast that depends on it. */
  userDepartment: 600,
  templates: 600,
  /** Free contacts calls, reused while a user fills in a Zap. */
  directory: 600,
} as const;
