/**
 * The instant trigger through createAppTester, against the relay's subscription API (README "The subscription
 * API", relay/api/subscriptions.ts on the delivery branch) answered by nock: what the relay receives (path, Basic
 * credentials, body, query) and what Zapier gets. nock refuses every other host, so a DingTalk call made by
 * subscribe, unsubscribe, perform or performList would fail the test.
 */
import nock from 'nock';
import App from '../../index';
import sample from '../../samples/approval.json';
import { api, appTester, authData, meta, oapi, TOKEN, userMessage as said } from '../helpers';
import completed from '../fixtures/get-process-instance.json';
import { BASIC, hoisted, RELAY, relay, relayRecord, run, TARGET } from './instant-helpers';

describe('performSubscribe', () => {
  test('sends Zapier\'s hook URL and the filters to the relay with the app\'s credentials, and returns the subscription id', async () => {
    const seen = relay('post', '/v1/subscriptions', 201, { id: 'sub_0001', kinds: ['approved'], secret: 'whsec_not-used-by-zapier' });
    const result = await run('performSubscribe', { targetUrl: TARGET, inputData: { event: 'approved', processCode: 'PROC-EXPENSE', originatorUserIds: ['u-1', 'u-2'] } });
    expect(result).toEqual({ id: 'sub_0001' });
    expect(seen).toEqual([
      { method: 'POST', path: '/v1/subscriptions', authorization: BASIC, body: { target_url: TARGET, kinds: ['approved'], template: 'PROC-EXPENSE', originators: ['u-1', 'u-2'] } },
    ]);
  });

  test('without a template or originators only the event is sent (every template, everyone)', async () => {
    const seen = relay('post', '/v1/subscriptions', 201, { id: 'sub_0002' });
    await run('performSubscribe', { targetUrl: TARGET, inputData: { event: 'finished' } });
    expect(seen[0]!.body).toEqual({ target_url: TARGET, kinds: ['finished'] });
  });

  test('without a Relay URL it says what to set up and names the polling trigger that works without one; nothing is sent', async () => {
    expect(await said(run('performSubscribe', { authData, targetUrl: TARGET, inputData: { event: 'submitted' } }))).toMatch(
      /^Instant triggers need a DingTalk event relay.*Relay URL.*polling trigger "New Approval", which needs no relay\.$/,
    );
    expect(await said(run('performSubscribe', { authData, targetUrl: TARGET, inputData: { event: 'rejected' } }))).toMatch(/"Approval Rejected"/);
  });

  test('bad inputs are listed at once before the relay is asked', async () => {
    const many = Array.from({ length: 11 }, (_, i) => `u-${i}`);
    expect(await said(run('performSubscribe', { targetUrl: TARGET, inputData: { event: 'paid', originatorUserIds: many } }))).toBe(
      'Event "paid" is not one of submitted, approved, rejected, revoked, finished, waiting; Originators accepts at most 10 users (the relay\'s limit, as DingTalk\'s for the polling triggers).',
    );
  });

  test('a Relay URL over plain http off loopback is refused before the Client Secret could travel to it', async () => {
    await expect(run('performSubscribe', { authData: { ...authData, relayUrl: 'http://relay.example.test' }, targetUrl: TARGET, inputData: { event: 'approved' } })).rejects.toThrow(
      /Relay URL must start with https:\/\//,
    );
  });

  test('the relay\'s refusal reaches the user as its own sentence', async () => {
    const said = `This relay does not serve the DingTalk app ${authData.appKey}: its operator can add it to RELAY_ALLOWED_CLIENT_IDS.`;
    relay('post', '/v1/subscriptions', 403, { error: said });
    await expect(run('performSubscribe', { targetUrl: TARGET, inputData: { event: 'approved' } })).rejects.toThrow(`The DingTalk event relay at relay.example.test refused the request: ${said}`);
  });

  test('a relay that cannot be reached is named, and the message carries no secret', async () => {
    nock(RELAY).post('/v1/subscriptions').replyWithError('connect ECONNREFUSED');
    const error = await run('performSubscribe', { targetUrl: TARGET, inputData: { event: 'approved' } }).catch((e: Error) => e);
    expect(String(error)).toMatch(/relay at relay.example.test could not be reached.*\/health/);
    expect(String(error)).not.toContain(authData.appSecret);
    expect(String(error)).not.toContain(BASIC.slice(6));
  });
});

describe('performUnsubscribe (Zapier calls it when a Zap is turned off and again when it is deleted)', () => {
  test('deletes the subscription at the relay', async () => {
    const seen = relay('delete', '/v1/subscriptions/sub_0001', 200, { id: 'sub_0001', deleted: true });
    await expect(run('performUnsubscribe', { subscribeData: { id: 'sub_0001' }, inputData: { event: 'approved' } })).resolves.toEqual({ id: 'sub_0001', deleted: true });
    expect(seen).toEqual([{ method: 'DELETE', path: '/v1/subscriptions/sub_0001', authorization: BASIC, body: undefined }]);
  });

  test('is idempotent: "already gone" and a 404 are both success', async () => {
    relay('delete', '/v1/subscriptions/sub_0001', 200, { id: 'sub_0001', deleted: false });
    relay('delete', '/v1/subscriptions/sub_0001', 404, { error: 'not found' });
    await expect(run('performUnsubscribe', { subscribeData: { id: 'sub_0001' }, inputData: { event: 'approved' } })).resolves.toEqual({ id: 'sub_0001', deleted: false });
    await expect(run('performUnsubscribe', { subscribeData: { id: 'sub_0001' }, inputData: { event: 'approved' } })).resolves.toEqual({ id: 'sub_0001', deleted: false });
  });

  test('a relay failure is reported, not hidden as success', async () => {
    relay('delete', '/v1/subscriptions/sub_0001', 503, { error: 'database unreachable' });
    await expect(run('performUnsubscribe', { subscribeData: { id: 'sub_0001' }, inputData: { event: 'approved' } })).rejects.toThrow(/answered HTTP 503: database unreachable/);
  });
});

describe('perform: what Zapier gets from the relay\'s POST', () => {
  test('an approved event becomes the polling triggers\' stub, same id, with the full record hoisted in by the approval hydrator', async () => {
    const records = await run('perform', { cleanedRequest: relayRecord('approved'), inputData: { event: 'approved' } });
    expect(records).toEqual([
      {
        id: 'pi-fake-expense-0001',
        template_code: 'PROC-EXPENSE',
        status: 'COMPLETED',
        result: 'agree',
        outcome: 'approved',
        created_at: null,
        finished_at: '2026-11-21T14:42:00+08:00',
        $HOIST$: expect.stringMatching(/^hydrate\|\|\|.*\|\|\|hydrate$/),
      },
    ]);
    expect(hoisted(records[0]!)).toEqual({ type: 'method', method: 'hydrators.approval', bundle: { id: 'pi-fake-expense-0001', processCode: 'PROC-EXPENSE' } });
  });

  test('a submitted event is RUNNING, pending, dated by its submission', async () => {
    const [record] = await run('perform', { cleanedRequest: relayRecord('submitted'), inputData: { event: 'submitted' } });
    expect(record).toMatchObject({ status: 'RUNNING', result: null, outcome: 'pending', created_at: '2026-11-21T14:42:00+08:00', finished_at: null });
  });

  test('Approval Finished takes every outcome; another event\'s record delivers nothing', async () => {
    for (const kind of ['approved', 'rejected', 'revoked']) {
      const [record] = await run('perform', { cleanedRequest: relayRecord(kind), inputData: { event: 'finished' } });
      expect(record).toMatchObject({ outcome: kind });
    }
    await expect(run('perform', { cleanedRequest: relayRecord('rejected'), inputData: { event: 'approved' } })).resolves.toEqual([]);
  });

  test('a request that is not a relay record is an error that says so, not a silent empty run', async () => {
    await expect(run('perform', { cleanedRequest: { hello: 'world' }, inputData: { event: 'approved' } })).rejects.toThrow(/not a DingTalk event relay record/);
  });

  test('the record carries the polling record\'s keys and no relay-only ones, so a Zap switches without re-mapping', async () => {
    const [record] = await run('perform', { cleanedRequest: relayRecord('approved'), inputData: { event: 'approved' } });
    expect(Object.keys(record!).sort()).toEqual(['$HOIST$', 'created_at', 'finished_at', 'id', 'outcome', 'result', 'status', 'template_code']);
  });
});

describe('hydration: one metered call per delivered approval, cached across Zaps', () => {
  const tester = appTester as unknown as { zcacheTestObj: Record<string, string> };
  beforeEach(() => {
    tester.zcacheTestObj = {};
  });

  test('the first Zap to use the record fetches the detail once; a second Zap on the connection gets it from the cache', async () => {
    const [record] = await run('perform', { cleanedRequest: relayRecord('approved', { template_code: null }), inputData: { event: 'approved' } });
    const { bundle } = hoisted(record!);
    const details: string[] = [];
    api()
      .get('/v1.0/workflow/processInstances')
      .query((query) => {
        details.push(String(query.processInstanceId));
        return true;
      })
      .reply(200, completed);
    oapi()
      .post('/topapi/v2/user/get')
      .query({ access_token: TOKEN })
      .times(3)
      .reply((_uri, body) => [200, { errcode: 0, errmsg: 'ok', result: { userid: (body as { userid: string }).userid, name: 'Someone' } }]);
    const hydrate = App.hydrators!.approval as never;
    const first = (await appTester(hydrate, { authData, inputData: bundle, meta } as never)) as Record<string, unknown>;
    const second = (await appTester(hydrate, { authData, inputData: bundle, meta } as never)) as Record<string, unknown>;
    expect(details).toEqual(['pi-fake-expense-0001']);
    // Without a template code on the event, no template lookup is spent: Template Name stays empty.
    expect(first).toMatchObject({ id: 'pi-fake-expense-0001', status: 'COMPLETED', outcome: 'approved', template_code: null });
    expect(second).toEqual(first);
  });
});

describe('performList: the editor\'s samples from the relay\'s own log', () => {
  test('asks the relay for this event\'s recent records with the filters, and delivers them as perform does', async () => {
    const seen = relay('get', /^\/v1\/events/, 200, { events: [relayRecord('rejected'), relayRecord('rejected', { id: 'pi-2', approval_id: 'pi-2' })] });
    const records = await run('performList', { inputData: { event: 'rejected', processCode: 'PROC-EXPENSE', originatorUserIds: 'u-1, u-2' } });
    expect(seen.map((s) => [s.method, s.authorization, Object.fromEntries(new URL(s.path, RELAY).searchParams)])).toEqual([
      ['GET', BASIC, { kinds: 'rejected', limit: '3', template: 'PROC-EXPENSE', originators: 'u-1,u-2' }],
    ]);
    expect(records.map((r) => [r.id, r.outcome])).toEqual([
      ['pi-fake-expense-0001', 'rejected'],
      ['pi-2', 'rejected'],
    ]);
  });

  test('an empty log falls back to the static sample', async () => {
    relay('get', /^\/v1\/events/, 200, { events: [] });
    await expect(run('performList', { inputData: { event: 'approved' } })).resolves.toEqual([sample]);
  });

  test('without a Relay URL the editor says what to set up', async () => {
    expect(await said(run('performList', { authData, inputData: { event: 'approved' } }))).toMatch(/polling trigger "Approval Approved"/);
  });
});

describe('the event list', () => {
  test('every event names a polling trigger the app has, and delivers its record (same output fields and sample)', () => {
    const { INSTANT_EVENTS } = jest.requireActual('../../approvals/ledger/kinds') as typeof import('../../approvals/ledger/kinds');
    const polling = Object.values(App.triggers!).filter((trigger) => trigger.operation.type !== 'hook' && !trigger.display.hidden);
    const instant = App.triggers!.approval_event_instant!.operation;
    for (const event of INSTANT_EVENTS.filter((e) => e.relayKind !== 'waiting')) {
      const twin = polling.find((trigger) => trigger.display.label === event.pollingTrigger);
      expect([event.relayKind, twin?.key]).toEqual([event.relayKind, expect.any(String)]);
      expect(instant.outputFields).toEqual(expect.arrayContaining(twin!.operation.outputFields as object[]));
      expect(twin!.operation.sample).toBe(instant.sample);
    }
    // "waiting" is Approval Waiting Too Long's twin: its fields and sample are checked in approval_event_instant_waiting.test.ts.
    expect(polling.find((trigger) => trigger.display.label === 'Approval Waiting Too Long')?.key).toBe('approval_waiting_too_long');
  });
});
