/**
 * Attachments through DingTalk's grant-URL flow: the client asks GrantProcessInstanceForDownloadFile for a URL,
 * fetches the bytes from it, and the URL stops working after 15 minutes of sandbox time.
 */
import type { Transport } from '../../dingtalk/transport';
import {
  addProcessInstanceComment,
  getProcessInstance,
  grantProcessInstanceForDownloadFile,
  listProcessInstanceIds,
  startProcessInstance,
} from '../../dingtalk/workflow';
import { codes, DAY, dingTalkError, people, raw, sandboxSuite } from './helpers';

const start = sandboxSuite();

interface FormFile {
  fileId: string;
  fileName: string;
  fileType: string;
  fileSize: string;
  spaceId: string;
}

async function formFiles(transport: Transport, id: string): Promise<FormFile[]> {
  const detail = await getProcessInstance(transport, id);
  const value = detail.formComponentValues?.find((candidate) => candidate.componentType === 'DDAttachment')?.value;
  return value ? (JSON.parse(value) as FormFile[]) : [];
}

test('a seeded receipt downloads through a granted URL, which expires after 15 minutes', async () => {
  const { sandbox, transport } = await start();
  const { items } = await listProcessInstanceIds(transport, { processCode: codes.expense, startTime: Date.now() - 30 * DAY, statuses: ['COMPLETED'] });
  const id = items[0] ?? '';
  const [receipt] = await formFiles(transport, id);
  expect(receipt).toMatchObject({ fileName: 'hsr-ticket-west-kowloon-futian.pdf', fileType: 'pdf', spaceId: '1000000001' });

  const grant = await grantProcessInstanceForDownloadFile(transport, { processInstanceId: id, fileId: receipt?.fileId ?? '' });
  expect(grant).toMatchObject({ fileId: receipt?.fileId, spaceId: 1000000001 });
  expect(grant.downloadUri.startsWith(`${sandbox.url}/download/`)).toBe(true);

  const file = await raw.get(grant.downloadUri, { responseType: 'arraybuffer' });
  expect(file.status).toBe(200);
  expect(file.headers['content-type']).toBe('application/pdf');
  expect(Buffer.from(file.data).toString()).toMatch(/^%PDF-1\.4/);
  expect(Buffer.from(file.data).length).toBe(Number(receipt?.fileSize));

  sandbox.org.advance(15 * 60 * 1000 + 1000);
  const expired = await raw.get(grant.downloadUri);
  expect([expired.status, String(expired.data)]).toEqual([403, expect.stringContaining('Request has expired')]);
  const tampered = await raw.get(grant.downloadUri.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')));
  expect(tampered.status).toBe(403);
});

test('a file added in the app (org.addAttachment) joins the form and downloads byte for byte', async () => {
  const { sandbox, transport } = await start();
  const id = await startProcessInstance(transport, {
    processCode: codes.purchase,
    originatorUserId: people.warehouse,
    deptId: 310,
    targetSelectActioners: [{ actionerKey: 'manual_1918_5cd3_7e2a_4f1b', actionerUserIds: [people.finance] }],
    formComponentValues: [
      { name: 'Purpose 採購用途', value: 'Shrink wrap' },
      { name: 'Supplier 供應商', value: 'Tsuen Wan Packaging' },
      { name: 'Items 採購物品', value: '[[{"name":"Item 物品","value":"Shrink wrap roll"},{"name":"Quantity 數量","value":"40"},{"name":"Unit Price (HKD) 單價","value":"85"}]]' },
    ],
  });
  const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5]);
  sandbox.org.addAttachment(id, { fileName: '報價單 quotation.jpg', fileType: 'jpg', content: bytes });
  const [quotation] = await formFiles(transport, id);
  expect(quotation).toMatchObject({ fileName: '報價單 quotation.jpg', fileSize: '9' });
  const { downloadUri } = await grantProcessInstanceForDownloadFile(transport, { processInstanceId: id, fileId: quotation?.fileId ?? '' });
  const file = await raw.get(downloadUri, { responseType: 'arraybuffer' });
  expect(Buffer.from(file.data)).toEqual(bytes);
  expect(file.headers['content-disposition']).toBe(`attachment; filename*=UTF-8''${encodeURIComponent('報價單 quotation.jpg')}`);
  expect(() => sandbox.org.addAttachment(id, { fileName: 'empty.txt', fileType: 'txt', content: '' })).toThrow(/zero-byte/);
});

test('comment files need withCommentAttatchment; files of other approvals are refused', async () => {
  const { transport } = await start();
  const { items } = await listProcessInstanceIds(transport, { processCode: codes.expense, startTime: Date.now() - 30 * DAY });
  const [newest, ...others] = items;
  const file = { spaceId: '1000000001', fileId: 'comment-file-1', fileName: 'bank-slip.pdf', fileSize: '1', fileType: 'pdf' };
  await addProcessInstanceComment(transport, { processInstanceId: newest ?? '', text: 'Paid.', commentUserId: people.accounts, file: { attachments: [file] } });

  const grant = (processInstanceId: string, withComments: boolean) =>
    grantProcessInstanceForDownloadFile(transport, { processInstanceId, fileId: file.fileId, ...(withComments ? { withCommentAttatchment: true } : {}) });
  expect((await dingTalkError(grant(newest ?? '', false))).problem.code).toBe('noPermission');
  await expect(grant(newest ?? '', true)).resolves.toMatchObject({ fileId: file.fileId });
  expect((await dingTalkError(grant(others[0] ?? '', true))).problem.code).toBe('noPermission');
  expect((await dingTalkError(grant('nope', true))).problem.code).toBe('processInstNotExist');
});
