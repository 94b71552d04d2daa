/**
 * Shared by the instant trigger's tests: the app's hook operation through createAppTester with a Relay URL, the
 * relay's subscription API answered by nock (recording what it receives), and a record as the relay POSTs it.
 */
import nock from 'nock';
import type { Bundle, ZObject } from 'zapier-platform-core';
import App from '../../index';
import { appTester, authData, meta } from '../helpers';

export const RELAY = 'https://relay.example.test';
export const BASIC = `Basic ${Buffer.from(`${authData.appKey}:${authData.appSecret}`).toString('base64')}`;
export const TARGET = 'https://hooks.zapier.com/hooks/standard/1234567/abcdef0123456789/';
export const withRelay = { ...authData, relayUrl: `${RELAY}/` };

type Operation = Record<'perform' | 'performList' | 'performSubscribe' | 'performUnsubscribe', (z: ZObject, bundle: Bundle) => Promise<unknown>>;
const operation = App.triggers!.approval_event_instant!.operation as unknown as Operation;
export type Delivered = { id: string; $HOIST$?: string; [key: string]: unknown };
export const run = <T = Delivered[]>(method: keyof Operation, bundle: Partial<Bundle> & { inputData?: Record<string, unknown> }) =>
  appTester(operation[method] as never, { authData: withRelay, meta, ...bundle } as never) as Promise<T>;
/** A record as the relay POSTs it (relay/delivery/record.ts). */
export const relayRecord = (kind: string, extra: Record<string, unknown> = {}) => ({
  id: 'pi-fake-expense-0001',
  kind,
  approval_id: 'pi-fake-expense-0001',
  template_code: 'PROC-EXPENSE',
  result: kind === 'approved' ? 'agree' : kind === 'rejected' ? 'refuse' : null,
  originator_user_id: 'user-chan-0001',
  approver_user_id: null,
  task_id: null,
  waiting_hours: null,
  occurred_at: '2026-11-21T06:42:00.000Z',
  received_at: '2026-11-21T06:42:00.310Z',
  event_id: 'evt-0001',
  client_id: authData.appKey,
  redelivery: false,
  ...extra,
});

export interface Seen { method: string; path: string; authorization?: string; body?: unknown }
export function relay(method: 'get' | 'post' | 'delete', path: string | RegExp, status: number, reply: object, seen: Seen[] = []) {
  nock(RELAY)[method](path, () => true).query(true).reply(function (uri, body) {
    seen.push({ method: this.req.method ?? '', path: uri, authorization: this.req.headers.authorization, body: body === '' ? undefined : body });
    return [status, reply];
  });
  return seen;
}

/** The dehydrated pointer's bundle: what the approval hydrator will be called with. */
export const hoisted = (record: { $HOIST$?: string }) => JSON.parse(String(record.$HOIST$).replace(/^hydrate\|\|\|/, '').replace(/\|\|\|hydrate$/, '')) as { method: string; bundle: Record<string, unknown> };

