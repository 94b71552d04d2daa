/**
 * The trigger kinds as data: what each kind selects from one ledger, in which order, and what seeding a new Zap's
 * dedupe list takes. The engine and the Zapier factory know no kind by name, so these rules live only here.
 */
import type { LedgerEntry } from '../../../approvals/ledger/entry';
import { KINDS, type KindName, type Selected, type TriggerKind } from '../../../approvals/ledger/kinds';
import { pollInput } from '../../../approvals/ledger/ledger';
import { DAY_MS, MINUTE_MS } from '../../../lib/time';

const NOW = Date.parse('2026-11-25T02:00:00Z');
const entries: Selected[] = Object.entries({
  running: { status: 'RUNNING', createdAt: NOW - 2 * DAY_MS, seenAt: NOW - 2 * DAY_MS },
  pending: { status: 'PENDING', seenAt: NOW - 3 * DAY_MS },
  settled: { status: 'SETTLED', seenAt: NOW - 4 * DAY_MS },
  approved: { status: 'COMPLETED', result: 'agree', createdAt: NOW - 5 * DAY_MS, finishedAt: NOW - 10 * MINUTE_MS, seenAt: NOW - 5 * DAY_MS },
  rejected: { status: 'COMPLETED', result: 'refuse', createdAt: NOW - DAY_MS, finishedAt: NOW - 20 * MINUTE_MS, seenAt: NOW - DAY_MS },
  revoked: { status: 'TERMINATED', createdAt: NOW - 6 * DAY_MS, finishedAt: NOW - 30 * MINUTE_MS, seenAt: NOW - 6 * DAY_MS },
  oldApproved: { status: 'COMPLETED', result: 'agree', createdAt: NOW - 9 * DAY_MS, finishedAt: NOW - MINUTE_MS, seenAt: NOW - 9 * DAY_MS },
} satisfies Record<string, LedgerEntry>).map(([id, entry]) => ({ id, entry }));

const select = (kind: KindName, seedingDedupe = false) => KINDS[kind].select(entries, { now: NOW, lookBackMs: 7 * DAY_MS, seedingDedupe, inputData: {} }).map(({ id }) => id);

test('New Approval delivers every submission but the settled ones, newest submission first', () => {
  expect(select('submitted')).toEqual(['rejected', 'running', 'pending', 'approved', 'revoked', 'oldApproved']);
});

test('each outcome kind delivers its outcome within the look-back, newest finish first', () => {
  expect(select('approved')).toEqual(['approved']);
  expect(select('rejected')).toEqual(['rejected']);
  expect(select('revoked')).toEqual(['revoked']);
  expect(select('finished')).toEqual(['approved', 'rejected', 'revoked']);
});

test('seeding: New Approval takes every id; outcome kinds only the certainly final ones, never a pending one', () => {
  expect(select('submitted', true).sort()).toEqual(entries.map(({ id }) => id).sort());
  for (const kind of ['approved', 'rejected', 'revoked', 'finished'] as const) {
    expect(select(kind, true).sort()).toEqual(['approved', 'oldApproved', 'rejected', 'revoked', 'settled']);
  }
});

test('only outcome kinds add the Look Back field; samples look for the right statuses', () => {
  expect(Object.entries(KINDS).map(([name, kind]) => [name, kind.inputFields.map((field) => field.key), kind.sample.statuses])).toEqual([
    ['submitted', [], undefined],
    ['approved', ['lookBackDays'], ['COMPLETED']],
    ['rejected', ['lookBackDays'], ['COMPLETED']],
    ['revoked', ['lookBackDays'], ['TERMINATED']],
    ['finished', ['lookBackDays'], ['COMPLETED', 'TERMINATED']],
  ]);
});

test("a kind with fields of its own checks them with the common ones, and reads them when it selects", () => {
  const waiting: TriggerKind = {
    ...KINDS.submitted,
    check: (inputData) => (inputData.waitingHours ? [] : ['Waiting (Hours) is required']),
    select: (all, { inputData }) => (inputData.waitingHours === '1' ? [...all] : []),
  };
  expect(() => pollInput({ lookBackDays: '0' }, waiting)).toThrow(
    'Template is required; Look Back (Days) must be a whole number from 1 to 120; Waiting (Hours) is required.',
  );
  const input = pollInput({ processCode: 'P', waitingHours: '1' }, waiting);
  expect(waiting.select(entries, { now: NOW, lookBackMs: input.lookBackMs, seedingDedupe: false, inputData: input.inputData ?? {} })).toHaveLength(entries.length);
});
