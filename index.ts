import zapier, { defineApp } from 'zapier-platform-core';
import packageJson from './package.json';
import authentication, { refreshExpiringToken } from './authentication';
import { handleDingTalkErrors } from './middleware';

export = defineApp({
  version: packageJson.version,
  platformVersion: zapier.version,
  authentication,
  beforeRequest: [refreshExpiringToken],
  afterResponse: [handleDingTalkErrors],
  triggers: {},
  creates: {},
  searches: {},
});
