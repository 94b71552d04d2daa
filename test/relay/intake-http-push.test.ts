/**
 * The HTTP push endpoint, against DingTalk's published examples where they apply
 * (test/dingtalk/events/official-vectors.ts, shared with the crypto tests), with the relay's clock set to each vector's own time; then end to end with
 * the sandbox pushing real approval events over encrypted HTTP, replies timed against DingTalk's 1,500 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import { openPush, sealPush, type PushCredentials } from '../../dingtalk/events/crypto';
import { createLogger } from '../../relay/log';
import { openRelay, type Relay } from '../../relay/open';
import { serve, type Serving } from '../../relay/serve';
import { FRESHNESS_WINDOW_MS } from '../../relay/intake/http-push';
import { officialVectors } from '../dingtalk/events/official-vectors';
import { sandboxSuite } from '../sandbox/helpers';
import { approvalBurst, MASTER_KEY, waitFor } from './intake-helpers';

const vector = (source: string) => {
  const found = officialVectors.find((v) => v.source.startsWith(source))!;
  return { credentials: found.credentials, ...found.envelope };
};
// DingCallbackCrypto3.py __main__: a check_url push, timestamp in ms.
const checkUrlVector = vector('dingtalk-callback-Crypto DingCallbackCrypto3.py');
// The docs' configure-stream-push FAQ: a timestamp in seconds, plaintext "success".
const docsVector = vector('docs configure-stream-push');

const http = axios.create({ validateStatus: () => true });
const start = sandboxSuite();
let dir: string;
let serving: Serving | undefined;
let clock: number | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'relay-push-'));
  clock = undefined;
});
afterEach(async () => {
  await serving?.stop();
  serving = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function relayWith(tenants: PushCredentials[], env: NodeJS.ProcessEnv = {}): Promise<{ relay: Relay; url: string }> {
  const relay = await openRelay({
    env: { RELAY_PORT: '0', RELAY_MASTER_KEY: MASTER_KEY, RELAY_DATABASE_URL: `sqlite:${join(dir, 'relay.db')}`, DINGTALK_API_BASE_URL: 'http://127.0.0.1:9', ...env },
    log: createLogger(() => undefined),
    checkCredentials: async () => undefined,
  });
  for (const t of tenants) await relay.tenants.add({ clientId: t.ownerKey, clientSecret: 'a-client-secret', callbackToken: t.token, callbackAesKey: t.aesKey });
  serving = await serve(relay, { now: () => clock ?? Date.now() });
  return { relay, url: serving.server.url };
}

const post = (url: string, clientId: string, query: Record<string, string>, body: unknown) =>
  http.post(`${url}/dingtalk/events/${clientId}`, body, { params: query });

describe('DingTalk published examples', () => {
  test('check_url is answered with an encrypted, signed "success"; the same request again is a replay', async () => {
    const { url } = await relayWith([checkUrlVector.credentials]);
    clock = Number(checkUrlVector.timestamp) + 1000;
    const { signature, timestamp, nonce, encrypt } = checkUrlVector;
    const response = await post(url, checkUrlVector.credentials.ownerKey, { signature, timestamp, nonce }, { encrypt });
    expect(response.status).toBe(200);
    const reply = response.data as { msg_signature: string; timeStamp: string; nonce: string; encrypt: string };
    expect(openPush(checkUrlVector.credentials, { signature: reply.msg_signature, timestamp: reply.timeStamp, nonce: reply.nonce, encrypt: reply.encrypt })).toBe('success');
    expect(reply.timeStamp).toBe(String(clock));
    // The samples' spelling (msg_signature, timeStamp) is read too; the nonce is already spent.
    const replay = await post(url, checkUrlVector.credentials.ownerKey, { msg_signature: signature, timeStamp: timestamp, nonce }, { encrypt });
    expect(replay.status).toBe(403);
    expect(replay.data.error).toMatch(/replay/);
  });

  test('a timestamp outside the window is refused, in milliseconds or seconds', async () => {
    const { url } = await relayWith([checkUrlVector.credentials, docsVector.credentials]);
    const { signature, timestamp, nonce, encrypt } = checkUrlVector;
    clock = Number(timestamp) + FRESHNESS_WINDOW_MS + 1;
    const stale = await post(url, checkUrlVector.credentials.ownerKey, { signature, timestamp, nonce }, { encrypt });
    expect(stale.status).toBe(403);
    expect(stale.data.error).toMatch(/not within 5 minutes/);
    clock = Number(docsVector.timestamp) * 1000 - FRESHNESS_WINDOW_MS - 1;
    const early = await post(url, docsVector.credentials.ownerKey, { signature: docsVector.signature, timestamp: docsVector.timestamp, nonce: docsVector.nonce }, { encrypt: docsVector.encrypt });
    expect(early.status).toBe(403);
  });

  test('the docs\' vector (seconds) passes signature, freshness and decryption; its "success" plaintext is not an event', async () => {
    const { url } = await relayWith([docsVector.credentials]);
    clock = Number(docsVector.timestamp) * 1000;
    const response = await post(url, docsVector.credentials.ownerKey, { signature: docsVector.signature, timestamp: docsVector.timestamp, nonce: docsVector.nonce }, { encrypt: docsVector.encrypt });
    expect(response.status).toBe(400);
    expect(response.data.error).toBe('The decrypted push is not JSON.');
  });

  test('a wrong signature, another owner, missing parts and unknown apps are refused with what to check', async () => {
    const other = { ...checkUrlVector.credentials, ownerKey: 'dingotherapp' };
    const { url } = await relayWith([checkUrlVector.credentials, other]);
    clock = Number(checkUrlVector.timestamp);
    const { signature, timestamp, nonce, encrypt } = checkUrlVector;
    const forged = await post(url, checkUrlVector.credentials.ownerKey, { signature: signature.replace(/^0/, '1'), timestamp, nonce }, { encrypt });
    expect(forged.status).toBe(401);
    expect(forged.data.error).toMatch(/signature does not match: check the callback token/);
    const wrongOwner = await post(url, other.ownerKey, { signature, timestamp, nonce }, { encrypt });
    expect(wrongOwner.status).toBe(400);
    expect(wrongOwner.data.error).toMatch(/900010/);
    const missing = await post(url, other.ownerKey, { nonce }, {});
    expect(missing.status).toBe(400);
    expect(missing.data.error).toBe('Not a DingTalk push: missing the signature query parameter, the timestamp query parameter, the "encrypt" field of the JSON body.');
    const unknown = await post(url, 'dingnosuchapp', { signature, timestamp, nonce }, { encrypt });
    expect(unknown.status).toBe(404);
    // The refusals spent no nonce: the genuine request still goes through.
    expect((await post(url, checkUrlVector.credentials.ownerKey, { signature, timestamp, nonce }, { encrypt })).status).toBe(200);
  });
});

test('the sandbox pushes approval events over encrypted HTTP: each stored once, every reply a signed success within 1,500 ms', async () => {
  const { sandbox, transport } = await start({ qpsLimit: 10_000, events: { redeliverAfterMs: 500 } });
  const credentials = { token: 'relayPushToken1', aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', ownerKey: sandbox.credentials.appKey };
  const { relay, url } = await relayWith([credentials]);
  sandbox.events.useHttpPush({ url: `${url}/dingtalk/events/${credentials.ownerKey}`, token: credentials.token, aesKey: credentials.aesKey });
  expect(await sandbox.events.checkUrl()).toMatchObject({ ok: true, status: 200 });

  await approvalBurst(sandbox, transport, 10);
  await waitFor('every push answered', () => sandbox.events.unsettled() === 0, 15_000);
  const pushes = sandbox.events.httpPushes();
  // The sandbox counts a reply later than 1,500 ms as failed and pushes again, as DingTalk does; on a loaded CI
  // machine a first attempt may miss, so what must hold is that every event got a success in time.
  const answered = new Set(pushes.filter((push) => push.ok && push.ms < 1500).map((push) => push.eventId));
  expect([...answered].sort()).toEqual(sandbox.events.emitted().map((event) => event.eventId).sort());
  const rows = await relay.store.events.latest(credentials.ownerKey, 1000);
  expect(rows.map((row) => row.eventId).sort()).toEqual(sandbox.events.emitted().map((event) => event.eventId).sort());
  expect(new Set(rows.map((row) => row.via))).toEqual(new Set(['http']));

  // A push sealed by "DingTalk" whose event was already stored is answered success again, and stored once.
  const event = sandbox.events.emitted()[0]!;
  const sealed = sealPush(credentials, JSON.stringify({ EventType: event.eventType, EventTime: event.bornAt, eventId: event.eventId, ...event.data }));
  const again = await post(url, credentials.ownerKey, { signature: sealed.msg_signature, timestamp: sealed.timeStamp, nonce: sealed.nonce }, { encrypt: sealed.encrypt });
  expect(again.status).toBe(200);
  expect(await relay.store.events.latest(credentials.ownerKey, 1000)).toHaveLength(rows.length);
}, 30_000);
