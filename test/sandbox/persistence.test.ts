/**
 * State kept in a SQLite file (Node 22's node:sqlite) survives a restart: approvals, tokens, files, the meter and
 * the shifted clock. A file that already holds state is not seeded again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getProcessInstance, grantProcessInstanceForDownloadFile, listAllProcessInstanceIds, startProcessInstance } from '../../dingtalk/workflow';
import { createSandbox } from '../../sandbox';
import { codes, DAY, people, raw, sandboxSuite } from './helpers';

const start = sandboxSuite();
let dir = '';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dingtalk-sandbox-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('approvals, tokens, files, the meter and sandbox time survive a restart on the same port', async () => {
  const dbFile = join(dir, 'sandbox.db');
  const began = performance.now();
  const first = await start({ dbFile });
  expect(performance.now() - began).toBeLessThan(1000);
  const { sandbox, transport } = first;
  const id = await startProcessInstance(transport, {
    processCode: codes.expense,
    originatorUserId: people.chan,
    deptId: 100,
    formComponentValues: [
      { name: 'Claim Title 報銷事由', value: 'Parking 泊車' },
      { name: 'Expense Type 費用類型', value: 'Transport' },
      { name: 'Claim Date 申請日期', value: '2026-11-20' },
      { name: 'Total Amount (HKD) 總金額', value: '88' },
    ],
  });
  sandbox.org.addAttachment(id, { fileName: 'parking.txt', fileType: 'txt', content: 'Parking ticket #1234' });
  sandbox.org.act(id, people.salesManager, 'agree', 'OK');
  sandbox.org.advance(3_600_000);
  const before = { detail: await getProcessInstance(transport, id), meter: { ...sandbox.meter, byEndpoint: { ...sandbox.meter.byEndpoint } } };
  const port = new URL(sandbox.url).port;
  await sandbox.stop();

  const again = await createSandbox({ dbFile, port: Number(port) });
  try {
    expect(again.url).toBe(sandbox.url);
    // The same transport: its cached token is still valid in the restored state, so no new token call.
    const detail = await getProcessInstance(transport, id);
    expect(detail).toEqual(before.detail);
    expect(detail).toMatchObject({ status: 'COMPLETED', result: 'agree' });
    expect(again.meter.byEndpoint).toEqual({ ...before.meter.byEndpoint, GetProcessInstance: 2 });
    expect(again.meter.metered).toBe(before.meter.metered + 1);
    expect(again.org.instance(id)).toMatchObject({ processInstanceId: id });

    const files = JSON.parse(detail.formComponentValues?.find((v) => v.componentType === 'DDAttachment')?.value ?? '[]') as { fileId: string }[];
    const { downloadUri } = await grantProcessInstanceForDownloadFile(transport, { processInstanceId: id, fileId: files[0]?.fileId ?? '' });
    expect((await raw.get(downloadUri)).data).toBe('Parking ticket #1234');

    // Not seeded twice: the six seeded expense/travel/onboarding/purchase approvals plus ours.
    const all = await listAllProcessInstanceIds(transport, { processCode: codes.expense, startTime: Date.now() - 30 * DAY });
    expect(all.items).toHaveLength(4);
  } finally {
    await again.stop();
  }
});

test('a restarted sandbox hands out the persisted token and remembers it was not seeded', async () => {
  const dbFile = join(dir, 'tokens.db');
  const { sandbox } = await start({ dbFile, seed: false });
  const token = (await raw.post(`${sandbox.url}/v1.0/oauth2/accessToken`, sandbox.credentials)).data.accessToken;
  await sandbox.stop();
  const again = await createSandbox({ dbFile });
  try {
    expect(again.org.templates()).toEqual([]); // seed: false was remembered with the state
    expect((await raw.post(`${again.url}/v1.0/oauth2/accessToken`, again.credentials)).data.accessToken).toBe(token);
  } finally {
    await again.stop();
  }
});
