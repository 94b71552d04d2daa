import nock from 'nock';

// Tests never touch the internet: every DingTalk call must be answered by a nock scope.
nock.disableNetConnect();
// Production hosts are the default; tests run against them through nock.
delete process.env.DINGTALK_API_BASE_URL;
delete process.env.DINGTALK_OAPI_BASE_URL;

// Jest gives each test file a fresh nock but shares Node's http module within a worker, so the previous
// file's interceptor must be removed or it answers (and refuses) this file's requests.
afterAll(() => nock.restore());
