/** The relay as `npm run relay` starts it: configuration, store, leases and the HTTP server together. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import { createLogger } from '../../relay/log';
import { openRelay } from '../../relay/open';
import { serve } from '../../relay/serve';
import { withoutDingTalk } from './intake-helpers';

let dir: string;
withoutDingTalk();
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'relay-serve-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a started relay holds both connection slots of its tenant, shows them in /status, and hands them back when stopped', async () => {
  const logs: string[] = [];
  const relay = await openRelay({
    env: { RELAY_PORT: '0', RELAY_MASTER_KEY: 'a master key that is 32 chars long', RELAY_DATABASE_URL: `sqlite:${join(dir, 'relay.db')}` },
    log: createLogger((line) => logs.push(line)),
    checkCredentials: async () => undefined,
  });
  await relay.tenants.add({ clientId: 'dingA', clientSecret: 'client-secret-dingA' });
  const serving = await serve(relay);
  try {
    const deadline = Date.now() + 5000;
    let connections: { slot: number; heldBy: string }[] = [];
    while (connections.length < 2 && Date.now() < deadline) {
      connections = (await axios.get(`${serving.server.url}/status`)).data.tenants[0].connections;
      await new Promise((done) => setTimeout(done, 50));
    }
    expect(connections.map((c) => [c.slot, c.heldBy])).toEqual([[0, serving.processId], [1, serving.processId]]);
    expect((await axios.get(`${serving.server.url}/health`)).data).toEqual({ status: 'ok', database: 'reachable' });
  } finally {
    await serving.stop();
  }
  const reopened = await openRelay({ env: { RELAY_MASTER_KEY: 'a master key that is 32 chars long', RELAY_DATABASE_URL: `sqlite:${join(dir, 'relay.db')}` }, log: createLogger(() => undefined) });
  expect(await reopened.store.leases.all()).toEqual([]);
  expect(await reopened.tenants.credentials('dingA')).toEqual({ clientId: 'dingA', clientSecret: 'client-secret-dingA', callbackToken: null, callbackAesKey: null });
  await reopened.store.close();
  expect(logs.map((line) => JSON.parse(line).msg)).toEqual(expect.arrayContaining(['tenant.added', 'relay.started', 'lease.gained', 'lease.lost', 'relay.stopped']));
  expect(logs.join('\n')).not.toContain('client-secret-dingA');
  expect(logs.join('\n')).not.toContain('a master key that is 32 chars long');
});
