/**
 * The project's client, unchanged, against the sandbox over HTTP: every endpoint answers with a body the client's
 * schemas accept, the sandbox starts well under a second, and its meter follows DingTalk's billing rule exactly as
 * the client counts it.
 */
import { endpoints } from '../../dingtalk/endpoints';
import { createSandbox } from '../../sandbox';
import { sandboxSuite } from './helpers';
import { exerciseEveryEndpoint } from './scenario';

const start = sandboxSuite();

test('starts in well under a second', async () => {
  const began = performance.now();
  const sandbox = await createSandbox();
  const elapsed = performance.now() - began;
  await sandbox.stop();
  expect(elapsed).toBeLessThan(1000);
});

test('every client function works against the sandbox', async () => {
  const { sandbox, transport } = await start();
  const bodies = await exerciseEveryEndpoint(sandbox, transport);
  expect([...bodies.keys()].sort()).toEqual(Object.keys(endpoints).sort());
});

test('the meter counts workflow and message calls as metered, token and contacts calls as free, like the client', async () => {
  const { sandbox, transport, sent } = await start();
  await exerciseEveryEndpoint(sandbox, transport);

  const metered = sent.filter((endpoint) => endpoint.metered).length;
  expect(sandbox.meter.metered).toBe(metered);
  expect(sandbox.meter.free).toBe(sent.length - metered);
  const byEndpoint: Record<string, number> = {};
  for (const endpoint of sent) byEndpoint[endpoint.name] = (byEndpoint[endpoint.name] ?? 0) + 1;
  expect(sandbox.meter.byEndpoint).toEqual(byEndpoint);
  // SearchUser is not on DingTalk's quota-free contacts list; the oapi contacts calls are.
  expect(sandbox.meter.byEndpoint).toMatchObject({ GetAccessToken: 2, SearchUser: 1, GetUser: 1, SendWorkNotification: 1 });
  expect(metered).toBe(17); // 15 workflow calls, SearchUser and the notification

  sandbox.meter.reset();
  expect([sandbox.meter.metered, sandbox.meter.free, sandbox.meter.byEndpoint]).toEqual([0, 0, {}]);
});
