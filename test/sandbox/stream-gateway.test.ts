/**
 * The sandbox's Stream gateway: connections/open through the project's client (credentials, Accept, subscriptions),
 * single-use 90 s tickets on a real WebSocket, SYSTEM ping and disconnect, and the connection faults.
 */
import WebSocket from 'ws';
import { openConnection, streamUrl } from '../../dingtalk/gateway';
import { frameData } from '../../dingtalk/events/stream';
import { dingTalkError, expenseClaim, raw, sandboxSuite } from './helpers';
import { eventually, settle, StreamTestClient } from './stream-client';

const start = sandboxSuite();

/** Opens a WebSocket and reports how the handshake ended: 'open', or the HTTP status it was refused with. */
function handshake(url: string): Promise<{ outcome: 'open' | number; socket: WebSocket }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    socket.once('open', () => resolve({ outcome: 'open', socket }));
    socket.once('unexpected-response', (_request, response) => {
      resolve({ outcome: response.statusCode ?? 0, socket });
      response.resume();
    });
    socket.once('error', () => undefined);
  });
}

describe('connections/open and tickets', () => {
  test('the project client gets a ws endpoint and a ticket; the ticket opens one connection only', async () => {
    const { sandbox, transport, sent } = await start();
    const ticket = await openConnection(transport, { clientId: sandbox.credentials.appKey, clientSecret: sandbox.credentials.appSecret, localIp: '10.0.0.5' });
    expect(ticket.endpoint).toBe(`${sandbox.url.replace('http', 'ws')}/connect`);
    expect(sent.map((endpoint) => endpoint.name)).toEqual(['OpenConnection']); // no token call: not token-authenticated
    expect(sandbox.meter.metered).toBe(0);

    const first = await handshake(streamUrl(ticket));
    expect(first.outcome).toBe('open');
    const second = await handshake(streamUrl(ticket));
    expect(second.outcome).toBe(401);
    first.socket.close();
  });

  test('a ticket is valid for 90 seconds', async () => {
    const { sandbox, transport } = await start();
    const app = { clientId: sandbox.credentials.appKey, clientSecret: sandbox.credentials.appSecret };
    const fresh = await openConnection(transport, app);
    const stale = await openConnection(transport, app);
    sandbox.org.advance(89_000);
    const ok = await handshake(streamUrl(fresh));
    expect(ok.outcome).toBe('open');
    sandbox.org.advance(2_000);
    expect((await handshake(streamUrl(stale))).outcome).toBe(401);
    expect((await handshake(`${fresh.endpoint}?ticket=made-up`)).outcome).toBe(401);
    ok.socket.close();
  });

  test('wrong credentials are refused as the token call refuses them', async () => {
    const { sandbox, transport } = await start();
    const error = await dingTalkError(openConnection(transport, { clientId: sandbox.credentials.appKey, clientSecret: 'wrong' }));
    expect(error.problem).toMatchObject({ kind: 'bad-credentials', code: 'invalidClientIdOrSecret' });
  });

  test('bad input is refused before anything is sent, listing every problem', async () => {
    const { transport, sent } = await start();
    await expect(openConnection(transport, { clientId: ' ', clientSecret: '', subscriptions: [{ type: 'EVENT', topic: 'bpms_task_change' }] })).rejects.toThrow(
      /clientId is empty; clientSecret is empty; an EVENT subscription must use topic "\*"/,
    );
    expect(sent).toEqual([]);
  });

  test('the sandbox answers XML without Accept: application/json, as DingTalk does; and checks EVENT topics', async () => {
    const { sandbox } = await start();
    const body = { clientId: sandbox.credentials.appKey, clientSecret: sandbox.credentials.appSecret, subscriptions: [{ type: 'EVENT', topic: '*' }] };
    const xml = await raw.post(`${sandbox.url}/v1.0/gateway/connections/open`, body, { headers: { Accept: 'text/xml' }, responseType: 'text' });
    expect(xml.headers['content-type']).toContain('xml');
    expect(String(xml.data)).toMatch(/<ticket>[0-9a-f-]{36}<\/ticket>/);
    const badTopic = await raw.post(`${sandbox.url}/v1.0/gateway/connections/open`, { ...body, subscriptions: [{ type: 'EVENT', topic: 'bpms_task_change' }] });
    expect(badTopic.status).toBe(400);
    expect(badTopic.data.message).toContain('EVENT仅支持topic为*');
  });
});

describe('SYSTEM frames', () => {
  test('ping: the client echoes the opaque value; a silent client is reported as not answering', async () => {
    const { sandbox, transport } = await start();
    const answering = await StreamTestClient.connect(sandbox, transport);
    const silent = await StreamTestClient.connect(sandbox, transport, { answerPings: false });
    const results = await sandbox.events.ping(undefined, 500);
    expect(results.map((result) => result.echoed === result.opaque)).toEqual([true, false]);
    const [pingFrame] = answering.frames;
    expect(pingFrame).toMatchObject({ type: 'SYSTEM', headers: { topic: 'ping' } });
    expect(typeof frameData(pingFrame!).opaque).toBe('string');
    await Promise.all([answering.close(), silent.close()]);
  });

  test('disconnect: the frame first, no more events on that socket, then the socket closes after the delay', async () => {
    const { sandbox, transport } = await start({ events: { disconnectCloseMs: 300 } });
    const leaving = await StreamTestClient.connect(sandbox, transport);
    const staying = await StreamTestClient.connect(sandbox, transport);
    // connections() lists connections in the order they opened.
    sandbox.events.disconnect(sandbox.events.connections()[0]!.id, 'load balancing');
    const [target, other] = [leaving, staying];
    await eventually('the disconnect frame', () => target.frames.find((frame) => frame.type === 'SYSTEM' && frame.headers.topic === 'disconnect'));
    expect(frameData(target.frames.at(-1)!)).toEqual({ reason: 'load balancing' });

    const disconnectedAt = Date.now();
    await expenseClaim(transport);
    await eventually('events on the other connection', () => other.events().length >= 2);
    expect(target.events()).toEqual([]);
    expect(target.closed).toBe(false);
    await eventually('the close', () => target.closed, 2000);
    expect(target.closedAt! - disconnectedAt).toBeGreaterThanOrEqual(250);
    expect(sandbox.events.connections()).toHaveLength(1);
    await other.close();
  });
});

describe('faults', () => {
  test('refused connections: the next N handshakes get HTTP 503, then connections open again', async () => {
    const { sandbox, transport } = await start();
    sandbox.faults.refuseConnections(2);
    await expect(StreamTestClient.connect(sandbox, transport)).rejects.toThrow(/503/);
    await expect(StreamTestClient.connect(sandbox, transport)).rejects.toThrow(/503/);
    const client = await StreamTestClient.connect(sandbox, transport);
    expect(sandbox.events.connections()).toHaveLength(1);
    await client.close();
  });

  test('dropped sockets: the connection dies without a close frame (code 1006)', async () => {
    const { sandbox, transport } = await start();
    const client = await StreamTestClient.connect(sandbox, transport);
    const code = new Promise<number>((resolve) => client.socket.once('close', (closeCode) => resolve(closeCode)));
    sandbox.faults.dropSockets();
    expect(await code).toBe(1006);
    await settle(20);
    expect(sandbox.events.connections()).toEqual([]);
  });
});
