/**
 * Hydrators through createAppTester, as Zapier runs them:
 * - `approval`: id + template code → the full record (detail, names, template name), and no detail call when
 *   the poll already cached the detail in z.cache.
 * - `attachmentFile`: a fresh DingTalk download URL on every hydration, the download itself, and z.stashFile's
 *   upload with the file's real name and content type (Zapier's RPC and the pre-signed S3 POST are nocked).
 */
import nock from 'nock';
import App from '../index';
import { flattenForm } from '../approvals/record/form';
import { ProcessInstance } from '../dingtalk/schemas/workflow';
import { allowUnusedMocks, api, appTester, authData, meta, oapi, TOKEN } from './helpers';
import completed from './fixtures/get-process-instance.json';
import templatesPage1 from './fixtures/list-templates-page1.json';

const ID = 'pi-fake-expense-0001';
const PROCESS_CODE = 'PROC-FAKE-EXPENSE-0001';
const NAMES: Record<string, string> = {
  'user-chan-0001': '陳嘉欣 Chan Ka Yan',
  'user-lee-0002': 'Lee Siu Wai',
  'user-ho-0004': 'Ho Chi Keung',
};

/** core's in-memory z.cache for appTester (create-rpc-client.js `rpcCacheMock`): key → JSON-encoded value. */
const tester = appTester as unknown as { zcacheTestObj: Record<string, string> };
const hydrators = App.hydrators as unknown as Record<'approval' | 'attachmentFile', (...args: never[]) => unknown>;
const run = (method: unknown, inputData: Record<string, unknown>) =>
  appTester(method as never, { authData, inputData, meta } as never) as Promise<unknown>;

/** What z.dehydrateFile(hydrators.attachmentFile, ref) puts in the record, byte for byte. */
const dehydrated = (ref: Record<string, unknown>) =>
  `hydrate|||${JSON.stringify({ type: 'file', method: 'hydrators.attachmentFile', bundle: ref })}|||hydrate`;

/** Answers GetProcessInstance for ID and counts the calls; optional, so a test may expect none. */
function detailCalls() {
  const calls: string[] = [];
  api()
    .get('/v1.0/workflow/processInstances')
    .query(true)
    .optionally()
    .reply((uri) => {
      calls.push(new URL(uri, 'https://api.dingtalk.com').searchParams.get('processInstanceId') ?? '');
      return [200, completed];
    });
  return calls;
}

/** topapi/v2/user/get: the free contacts call, one per user; records the userids asked for. */
function userCalls(times: number) {
  const asked: string[] = [];
  oapi()
    .post('/topapi/v2/user/get', (body) => typeof body.userid === 'string' && body.language === 'en_US')
    .query({ access_token: TOKEN })
    .times(times)
    .reply((_uri, body) => {
      const { userid } = body as { userid: string };
      asked.push(userid);
      return [200, { errcode: 0, errmsg: 'ok', request_id: 'r1', result: { userid, name: NAMES[userid] } }];
    });
  return asked;
}

/** ListUserVisibleBpmsProcesses, one page of 100 from cursor 0. */
function templateCalls() {
  const calls: Record<string, string>[] = [];
  api()
    .get('/v1.0/workflow/processes/userVisibilities/templates')
    .query((query) => {
      calls.push(query as Record<string, string>);
      return true;
    })
    .reply(200, templatesPage1);
  return calls;
}

describe('hydrators.approval', () => {
  beforeEach(() => {
    tester.zcacheTestObj = {};
  });

  it('fetches the detail, the user names and the template name, and returns the full record', async () => {
    const detail = detailCalls();
    const users = userCalls(3);
    const templates = templateCalls();

    const record = (await run(hydrators.approval, { id: ID, processCode: PROCESS_CODE })) as Record<string, unknown>;

    expect(detail).toEqual([ID]);
    expect(users.sort()).toEqual(['user-chan-0001', 'user-ho-0004', 'user-lee-0002']);
    expect(templates).toEqual([{ maxResults: '100', nextToken: '0' }]);

    const flat = flattenForm(completed.result.formComponentValues);
    expect(record).toMatchObject({
      id: ID,
      title: '陳嘉欣提交的費用報銷',
      template_code: PROCESS_CODE,
      template_name: 'Expense Claim 費用報銷',
      status: 'COMPLETED',
      result: 'agree',
      outcome: 'approved',
      originator_user_id: 'user-chan-0001',
      originator_name: '陳嘉欣 Chan Ka Yan',
      created_at: '2026-11-20T10:15:00+08:00',
      finished_at: '2026-11-21T14:42:00+08:00',
      processing_minutes: 1707,
      ...flat.fields,
    });
    expect(record.attachments).toEqual([
      {
        name: 'attachment-fake-file-0001.jpg',
        file: dehydrated({ processInstanceId: ID, fileId: 'fake-file-0001', name: 'attachment-fake-file-0001.jpg', type: 'jpg', comment: false }),
        size: 204800,
        type: 'jpg',
        file_id: 'fake-file-0001',
        space_id: '1000000001',
        field: 'Receipts 單據附件',
      },
      {
        name: 'hotel-invoice-20261118.pdf',
        file: dehydrated({ processInstanceId: ID, fileId: 'fake-file-0002', name: 'hotel-invoice-20261118.pdf', type: 'pdf', comment: false }),
        size: 88213,
        type: 'pdf',
        file_id: 'fake-file-0002',
        space_id: '1000000001',
        field: 'Receipts 單據附件',
      },
    ]);
    const operations = record.operations as { user_name: string | null; attachments: unknown[] }[];
    expect(operations.map((op) => op.user_name)).toEqual(['陳嘉欣 Chan Ka Yan', 'Lee Siu Wai', 'Ho Chi Keung', 'Ho Chi Keung', 'Ho Chi Keung']);
    expect(operations[1]!.attachments).toEqual([
      {
        name: 'itinerary-check.pdf',
        file: dehydrated({ processInstanceId: ID, fileId: 'fake-file-0003', name: 'itinerary-check.pdf', type: 'pdf', comment: true }),
        file_id: 'fake-file-0003',
      },
    ]);
    expect((record.tasks as { user_name: string }[]).map((task) => task.user_name)).toEqual(['Lee Siu Wai', 'Ho Chi Keung']);

    // Names and the template name are now cached for the connection (scope: auth).
    expect(JSON.parse(tester.zcacheTestObj['dingtalk:user-name:v1:user-lee-0002']!)).toBe('Lee Siu Wai');
    expect(JSON.parse(tester.zcacheTestObj[`dingtalk:template-name:v1:${PROCESS_CODE}`]!)).toBe('Expense Claim 費用報銷');
  });

  it('a detail cached by the poll means no GetProcessInstance call', async () => {
    const detail = detailCalls();
    const users = userCalls(3);
    templateCalls();
    tester.zcacheTestObj[`dingtalk:detail:v1:${ID}`] = JSON.stringify(completed.result);

    const record = (await run(hydrators.approval, { id: ID, processCode: PROCESS_CODE })) as Record<string, unknown>;

    expect(detail).toEqual([]);
    expect(users).toHaveLength(3);
    expect(record).toMatchObject({ id: ID, outcome: 'approved', processing_minutes: 1707, template_name: 'Expense Claim 費用報銷' });
  });

  it('with the detail, names and template name all cached, hydration makes no DingTalk call at all', async () => {
    const detail = detailCalls();
    tester.zcacheTestObj[`dingtalk:detail:v1:${ID}`] = JSON.stringify(completed.result);
    for (const [userId, name] of Object.entries(NAMES)) tester.zcacheTestObj[`dingtalk:user-name:v1:${userId}`] = JSON.stringify(name);
    tester.zcacheTestObj[`dingtalk:template-name:v1:${PROCESS_CODE}`] = JSON.stringify('Expense Claim (cached)');

    const record = (await run(hydrators.approval, { id: ID, processCode: PROCESS_CODE })) as Record<string, unknown>;

    expect(detail).toEqual([]);
    expect(record).toMatchObject({ id: ID, template_name: 'Expense Claim (cached)', originator_name: '陳嘉欣 Chan Ka Yan' });
  });

  it('a cached value that is not a detail is ignored and the detail is fetched', async () => {
    const detail = detailCalls();
    userCalls(3);
    templateCalls();
    tester.zcacheTestObj[`dingtalk:detail:v1:${ID}`] = JSON.stringify({ unexpected: true });

    const record = (await run(hydrators.approval, { id: ID, processCode: PROCESS_CODE })) as Record<string, unknown>;

    expect(detail).toEqual([ID]);
    expect(record).toMatchObject({ id: ID, status: 'COMPLETED' });
  });

  it('the record matches the one built from the same detail outside Zapier, except for file pointers', async () => {
    detailCalls();
    userCalls(3);
    templateCalls();
    const record = (await run(hydrators.approval, { id: ID, processCode: PROCESS_CODE })) as Record<string, unknown>;
    const { approvalRecord } = await import('../approvals/record/record');
    const expected = approvalRecord(ID, ProcessInstance.parse(completed.result), {
      processCode: PROCESS_CODE,
      templateName: 'Expense Claim 費用報銷',
      names: new Map(Object.entries(NAMES)),
      file: (ref) => dehydrated({ ...ref }),
    });
    expect(record).toEqual(JSON.parse(JSON.stringify(expected)));
  });
});

/** Tests of the whole stash path; each checks its own unused nocks (RPC, S3, download). */
const itStashes = (name: string, fn: () => Promise<void>) =>
  it(name, async () => {
    allowUnusedMocks();
    await fn();
    expect(nock.pendingMocks()).toEqual([]);
  });

describe('hydrators.attachmentFile', () => {
  const RPC = 'https://rpc.zapier.com';
  const S3 = 'https://zapier-dev-files.s3.amazonaws.com';
  const DOWNLOADS = 'https://down.dingtalk.example';
  const DEPLOY_KEY = 'fake-deploy-key-0001';
  let savedDeployKey: string | undefined;

  beforeAll(() => {
    savedDeployKey = process.env.ZAPIER_DEPLOY_KEY;
    // core's RPC client (create-rpc-client.js) refuses to run under jest without one; nock answers the call.
    process.env.ZAPIER_DEPLOY_KEY = DEPLOY_KEY;
  });
  afterAll(() => {
    if (savedDeployKey === undefined) delete process.env.ZAPIER_DEPLOY_KEY;
    else process.env.ZAPIER_DEPLOY_KEY = savedDeployKey;
  });

  /** GrantProcessInstanceForDownloadFile: records each request body and answers with the next URL. */
  function grants(urls: string[]) {
    const bodies: unknown[] = [];
    for (const url of urls) {
      api()
        .post('/v1.0/workflow/processInstances/spaces/files/urls/download')
        .reply((_uri, body) => {
          bodies.push(body);
          return [200, { success: true, result: { downloadUri: url, fileId: 'ignored', spaceId: 1000000001 } }];
        });
    }
    return bodies;
  }

  /** The pre-signed download: no DingTalk token may travel to it (a request carrying one does not match). */
  function download(path: string, content: string, contentType = 'application/octet-stream') {
    const hits: string[] = [];
    nock(DOWNLOADS, { badheaders: ['x-acs-dingtalk-access-token', 'authorization'] })
      .get(path)
      .query(true)
      .reply(function (uri) {
        hits.push(uri);
        return [200, content, { 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(content)) }];
      });
    return hits;
  }

  /** Zapier's RPC `get_presigned_upload_post_data`, answered like Zapier does (same id, S3 POST fields). */
  function rpcPresign(key: string) {
    const calls: { method: string; params: unknown[]; deployKey: string }[] = [];
    nock(RPC)
      .post('/cli')
      .reply(function (_uri, body) {
        const request = (typeof body === 'string' ? JSON.parse(body) : body) as { id: string; method: string; params: unknown[] };
        calls.push({ method: request.method, params: request.params, deployKey: String(this.req.headers['x-deploy-key']) });
        return [
          200,
          { id: request.id, result: { url: `${S3}/`, fields: { key, AWSAccessKeyId: 'AKIAFAKE', policy: 'e30=', signature: 'c2ln' } } },
          { 'Content-Type': 'application/json' },
        ];
      });
    return calls;
  }

  /** The multipart POST to S3; keeps the raw body for assertions. */
  function s3Upload() {
    const uploads: { body: string; contentType: string }[] = [];
    nock(S3)
      .post('/')
      .reply(function (_uri, body) {
        uploads.push({ body: typeof body === 'string' ? body : JSON.stringify(body), contentType: String(this.req.headers['content-type']) });
        return [204, ''];
      });
    return uploads;
  }

  /** The parts of a multipart/form-data body, by field name. */
  function parts(upload: { body: string; contentType: string }) {
    const boundary = /boundary=(.+)$/.exec(upload.contentType)?.[1];
    if (!boundary) throw new Error(`not multipart: ${upload.contentType}`);
    const result: Record<string, { headers: string; content: string }> = {};
    for (const chunk of upload.body.split(`--${boundary}`).slice(1, -1)) {
      const [headers = '', ...rest] = chunk.replace(/^\r\n/, '').split('\r\n\r\n');
      const name = /name="([^"]+)"/.exec(headers)?.[1] ?? '?';
      result[name] = { headers, content: rest.join('\r\n\r\n').replace(/\r\n$/, '') };
    }
    return result;
  }

  const formFile = { processInstanceId: ID, fileId: 'fake-file-0002', name: 'hotel-invoice-20261118.pdf', type: 'pdf', comment: false };
  const commentFile = { processInstanceId: ID, fileId: 'fake-file-0003', name: 'itinerary-check.pdf', type: 'pdf', comment: true };
  /** Runs the hydrator and reports how it ended, so the DingTalk side can be asserted whether or not it stashes. */
  const settle = (inputData: Record<string, unknown>) =>
    run(hydrators.attachmentFile, inputData).then(
      (value) => ({ value, error: undefined as Error | undefined }),
      (error: Error) => ({ value: undefined, error }),
    );

  describe('DingTalk side (holds before and after the middleware fix)', () => {
    beforeEach(() => {
      // The stash nocks are only reached once raw responses pass the middleware.
      allowUnusedMocks();
      rpcPresign('stash/any/file');
      rpcPresign('stash/any/file');
      s3Upload();
      s3Upload();
    });

    it('a form attachment: body exactly {processInstanceId, fileId}, then a token-free GET of the returned URL', async () => {
      const bodies = grants([`${DOWNLOADS}/file/fake-file-0002?Expires=1&Signature=abc`]);
      const hits = download('/file/fake-file-0002', '%PDF-1.7 fake invoice');
      await settle(formFile);
      expect(bodies).toEqual([{ processInstanceId: ID, fileId: 'fake-file-0002' }]);
      expect(hits).toEqual(['/file/fake-file-0002?Expires=1&Signature=abc']);
    });

    it('a comment (operation record) file adds withCommentAttatchment: true', async () => {
      const bodies = grants([`${DOWNLOADS}/file/fake-file-0003?sig=1`]);
      const hits = download('/file/fake-file-0003', '%PDF-1.7 itinerary');
      await settle(commentFile);
      expect(bodies).toEqual([{ processInstanceId: ID, fileId: 'fake-file-0003', withCommentAttatchment: true }]);
      expect(hits).toEqual(['/file/fake-file-0003?sig=1']);
    });

    it('requests a fresh download URL on every hydration (they expire after 15 minutes)', async () => {
      const bodies = grants([`${DOWNLOADS}/file/fake-file-0002?sig=first`, `${DOWNLOADS}/file/fake-file-0002?sig=second`]);
      const first = download('/file/fake-file-0002', 'one');
      const second = download('/file/fake-file-0002', 'one');
      await settle(formFile);
      await settle(formFile);
      expect(bodies).toEqual([
        { processInstanceId: ID, fileId: 'fake-file-0002' },
        { processInstanceId: ID, fileId: 'fake-file-0002' },
      ]);
      expect([...first, ...second]).toEqual(['/file/fake-file-0002?sig=first', '/file/fake-file-0002?sig=second']);
    });

    it('a DingTalk error on the grant fails the hydration before any download', async () => {
      api()
        .post('/v1.0/workflow/processInstances/spaces/files/urls/download')
        .reply(400, { code: 'processInstanceNotExist', message: '审批实例不存在', requestid: 'R1' });
      const { error } = await settle(formFile);
      expect(error?.message).toMatch(/processInstanceNotExist/);
    });
  });

  itStashes('downloads and stashes the bytes with the real name and content type', async () => {
    const bodies = grants([`${DOWNLOADS}/file/fake-file-0002?Expires=1&Signature=abc`]);
    const hits = download('/file/fake-file-0002', '%PDF-1.7 fake invoice');
    const rpc = rpcPresign('stash/abc123/hotel-invoice-20261118.pdf');
    const uploads = s3Upload();

    const url = await run(hydrators.attachmentFile, formFile);

    expect(bodies).toEqual([{ processInstanceId: ID, fileId: 'fake-file-0002' }]);
    expect(hits).toEqual(['/file/fake-file-0002?Expires=1&Signature=abc']);
    expect(rpc).toEqual([{ method: 'get_presigned_upload_post_data', params: [], deployKey: DEPLOY_KEY }]);
    expect(url).toBe(`${S3}/stash/abc123/hotel-invoice-20261118.pdf`);
    expect(uploads).toHaveLength(1);
    const form = parts(uploads[0]!);
    expect(form.key!.content).toBe('stash/abc123/hotel-invoice-20261118.pdf');
    expect(form['Content-Disposition']!.content).toBe('attachment; filename="hotel-invoice-20261118.pdf"');
    expect(form['Content-Type']!.content).toBe('application/pdf');
    expect(form.file!.headers).toContain('filename="hotel-invoice-20261118.pdf"');
    expect(form.file!.headers).toContain('Content-Type: application/pdf');
    expect(form.file!.content).toBe('%PDF-1.7 fake invoice');
  });

  itStashes('a renamed client file (#xxx.file) is stashed under its new name, as an image', async () => {
    grants([`${DOWNLOADS}/file/fake-file-0001?sig=1`]);
    download('/file/fake-file-0001', 'JFIF fake jpeg');
    rpcPresign('stash/def456/attachment-fake-file-0001.jpg');
    const uploads = s3Upload();

    await run(hydrators.attachmentFile, { processInstanceId: ID, fileId: 'fake-file-0001', name: 'attachment-fake-file-0001.jpg', type: 'jpg', comment: false });

    const form = parts(uploads[0]!);
    expect(form['Content-Disposition']!.content).toBe('attachment; filename="attachment-fake-file-0001.jpg"');
    expect(form['Content-Type']!.content).toBe('image/jpeg');
    expect(form.file!.headers).toContain('filename="attachment-fake-file-0001.jpg"');
    expect(form.file!.headers).toContain('Content-Type: image/jpeg');
  });

  itStashes('a CJK file name and an unknown type: RFC 6266 name, octet-stream (DingTalk\'s type wins over the server\'s)', async () => {
    grants([`${DOWNLOADS}/file/f-9?sig=2`]);
    download('/file/f-9', 'data', 'text/html');
    rpcPresign('stash/ghi789/x');
    const uploads = s3Upload();

    await run(hydrators.attachmentFile, { processInstanceId: ID, fileId: 'f-9', name: '收據 2026.heif', type: 'heif', comment: false });

    const form = parts(uploads[0]!);
    expect(form['Content-Disposition']!.content).toBe('attachment; filename="?? 2026.heif"; filename*=UTF-8\'\'%E6%94%B6%E6%93%9A%202026.heif');
    expect(form['Content-Type']!.content).toBe('application/octet-stream');
  });

  itStashes('each hydration stashes its own fresh download', async () => {
    grants([`${DOWNLOADS}/file/fake-file-0002?sig=first`, `${DOWNLOADS}/file/fake-file-0002?sig=second`]);
    download('/file/fake-file-0002', 'one');
    download('/file/fake-file-0002', 'one');
    rpcPresign('stash/1/hotel-invoice-20261118.pdf');
    rpcPresign('stash/2/hotel-invoice-20261118.pdf');
    s3Upload();
    s3Upload();
    const urls = [await run(hydrators.attachmentFile, formFile), await run(hydrators.attachmentFile, formFile)];
    expect(urls).toEqual([`${S3}/stash/1/hotel-invoice-20261118.pdf`, `${S3}/stash/2/hotel-invoice-20261118.pdf`]);
  });

  itStashes('a failed download fails the hydration with its status and uploads nothing', async () => {
    grants([`${DOWNLOADS}/file/gone?sig=3`]);
    nock(DOWNLOADS).get('/file/gone').query(true).reply(403, '<Error><Code>AccessDenied</Code></Error>', { 'Content-Type': 'application/xml' });
    rpcPresign('stash/x/y');
    // No S3 nock: an upload attempt would fail with a network error instead of the 403.
    const { error } = await settle({ ...formFile, fileId: 'gone' });
    expect(error?.message).toMatch(/"status":403/);
  });
});
