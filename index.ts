import zapier, { defineApp } from 'zapier-platform-core';
import packageJson from './package.json';
import authentication, { refreshExpiringToken } from './authentication';
import { handleDingTalkErrors } from './middleware';
import hydrators from './hydrators';
import approvalApproved from './triggers/approval_approved';
import approvalFinished from './triggers/approval_finished';
import approvalRejected from './triggers/approval_rejected';
import approvalRevoked from './triggers/approval_revoked';
import approvalWaitingTooLong from './triggers/approval_waiting_too_long';
import listTemplates from './triggers/list_templates';
import listDepartments from './triggers/list_departments';
import listUsers from './triggers/list_users';
import findApiUsage from './searches/find_api_usage';
import findApproval from './searches/find_approval';
import findApprovalStatistics from './searches/find_approval_statistics';
import findTemplate from './searches/find_template';
import findUser from './searches/find_user';
import startApproval from './creates/start_approval';
import addComment from './creates/add_comment';
import approveOrReject from './creates/approve_or_reject';
import revokeApproval from './creates/revoke_approval';
import transferApprovalTask from './creates/transfer_approval_task';
import sendWorkNotification from './creates/send_work_notification';
import newApproval from './triggers/new_approval';
import approvalEventInstant from './triggers/approval_event_instant';

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
    [approvalEventInstant.key]: approvalEventInstant,
    [approvalWaitingTooLong.key]: approvalWaitingTooLong,
    [listTemplates.key]: listTemplates,
    [listUsers.key]: listUsers,
    [listDepartments.key]: listDepartments,
  },
  creates: {
    [startApproval.key]: startApproval,
    [addComment.key]: addComment,
    [approveOrReject.key]: approveOrReject,
    [revokeApproval.key]: revokeApproval,
    [transferApprovalTask.key]: transferApprovalTask,
    [sendWorkNotification.key]: sendWorkNotification,
  },
  searches: {
    [findApproval.key]: findApproval,
    [findApprovalStatistics.key]: findApprovalStatistics,
    [findTemplate.key]: findTemplate,
    [findUser.key]: findUser,
    [findApiUsage.key]: findApiUsage,
  },
});
