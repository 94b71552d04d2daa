import nock from 'nock';

// Tests never touch the internet: every DingTalk call must be answered by a nock scope.
nock.disableNetConnect();
// Production hosts are the default; tests run against them through nock.
delete process.env.DINGTALK_API_BASE_URL;
delete process.env.DINGTALK_OAPI_BASE_URL;
