/**
 * Window scans paged in parallel: the same ids as the sequential walk, within the rate gate, and a clean stop.
 */
import { endpoints } from '../../dingtalk/endpoints';
import type { DingTalkRequest, Transport } from '../../dingtalk/transport';
import { listAllProcessInstanceIds, listProcessInstanceIdsInSlices } from '../../dingtalk/workflow';

const DAY = 24 * 3600 * 1000;
const END = Date.parse('2026-11-20T00:00:00Z');

/** A list endpoint over `count` approvals spread evenly over 7 days, 20 per page, with a count of pages asked. */
function fakeList(count: number) {
  const created = Array.from({ length: count }, (_, i) => ({ id: `pi-${i}`, at: END - Math.floor(((i + 0.5) * 7 * DAY) / count) }));
  const requests: DingTalkRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const transport: Transport = async (request) => {
    expect(request.endpoint).toBe(endpoints.ListProcessInstanceIds);
    requests.push(request);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 5));
    inFlight -= 1;
    const body = request.body as { startTime: number; endTime: number; nextToken: number };
    const matching = created.filter(({ at }) => at >= body.startTime && at <= body.endTime);
    const page = matching.slice(body.nextToken, body.nextToken + 20);
    return { result: { list: page.map(({ id }) => id), nextToken: body.nextToken + 20 < matching.length ? String(body.nextToken + 20) : '' }, success: true };
  };
  return { transport, requests, stats: () => ({ maxInFlight }) };
}

const params = { processCode: 'PROC-1', startTime: END - 7 * DAY, endTime: END, statuses: ['COMPLETED' as const] };

test('a window of one page costs one call, as before', async () => {
  const { transport, requests } = fakeList(15);
  const result = await listProcessInstanceIdsInSlices(transport, params);
  expect(result).toEqual({ items: expect.any(Array), complete: true, pages: 1 });
  expect(result.items).toHaveLength(15);
  expect(requests).toHaveLength(1);
});

test('2,000 approvals: the same ids as the sequential walk, paged by eight slices side by side, for a few extra calls', async () => {
  const sequential = await listAllProcessInstanceIds(fakeList(2000).transport, params);
  const { transport, requests, stats } = fakeList(2000);
  const sliced = await listProcessInstanceIdsInSlices(transport, params);
  expect(new Set(sliced.items)).toEqual(new Set(sequential.items));
  expect(sliced.items).toHaveLength(2000);
  expect(sliced.complete).toBe(true);
  expect(stats().maxInFlight).toBeGreaterThan(1);
  expect(requests.length).toBeLessThanOrEqual(sequential.pages + 9);
  // Every slice is a part of the window, and together they cover it.
  const windows = requests.slice(1).map((r) => r.body as { startTime: number; endTime: number });
  expect(Math.min(...windows.map((w) => w.startTime))).toBe(params.startTime);
  expect(Math.max(...windows.map((w) => w.endTime))).toBe(params.endTime);
});

test('the rate gate is awaited before every page', async () => {
  const { transport, requests } = fakeList(400);
  let gated = 0;
  await listProcessInstanceIdsInSlices(transport, params, { beforePage: async () => void (gated += 1) });
  expect(gated).toBe(requests.length);
});

test('out of time: no further page is asked for and the result says it is incomplete', async () => {
  const { transport, requests } = fakeList(2000);
  const result = await listProcessInstanceIdsInSlices(transport, params, { shouldStop: () => requests.length >= 30 });
  expect(result.complete).toBe(false);
  expect(requests.length).toBeLessThan(40);
});

test('a failing page stops every slice and raises the error once they stopped', async () => {
  const { transport: inner, requests } = fakeList(2000);
  const transport: Transport = async (request) => {
    if (requests.length === 12) throw new Error('DingTalk 90018: throttled');
    return inner(request);
  };
  await expect(listProcessInstanceIdsInSlices(transport, params)).rejects.toThrow('90018');
  const asked = requests.length;
  await new Promise((resolve) => setTimeout(resolve, 30));
  expect(requests.length).toBe(asked);
  expect(asked).toBeLessThan(25);
});
