import zapier, { defineApp } from 'zapier-platform-core';
import packageJson from './package.json';
import authentication, { refreshExpiringToken } from './authentication';
import { handleDingTalkErrors } from './middleware';
import hydrators from './hydrators';
import approvalApproved from './triggers/approval_approved';
import approvalFinished from './triggers/approval_finished';
import approvalRejected from './triggers/approval_rejected';
import approvalRevoked from './triggers/approval_revoked';
import listTemplates from './triggers/list_templates';
import startApproval from './creates/start_approval';
import newApproval from './triggers/new_approval';

export = defineApp({
  version: packageJson.version,
  platformVersion: zapier.version,
  authentication,
  beforeRequest: [refreshExpiringToken],
  afterResponse: [handleDingTalkErrors],
  hydrators,
  triggers: {
    [newApproval.key]: newApproval,
    [approvalApproved.key]: approvalApproved,
    [approvalRejected.key]: approvalRejected,
    [approvalRevoked.key]: approvalRevoked,
    [approvalFinished.key]: approvalFinished,
    [listTemplates.key]: listTemplates,
  },
  creates: {
    [startApproval.key]: startApproval,
  },
  searches: {},
});
