/**
 * Stored objects as DingTalk's responses show them, using only the JSON names of the SDK's response models
 * (`@alicloud/dingtalk` 2.2.27 `static names()`); test/dingtalk/contract.test.ts checks that against the SDK.
 */
import { apiTime } from './http';
import type { Instance, State, Template } from './state';

const aflowUrl = (state: State, client: 'pc' | 'mobile', instanceId: string, taskId: number) =>
  client === 'pc'
    ? `https://aflow.dingtalk.com/dingtalk/pc/query/pchomepage.htm?corpid=${state.org.corpId}#/approval?procInsId=${instanceId}&taskId=${taskId}`
    : `https://aflow.dingtalk.com/dingtalk/mobile/homepage.htm?corpid=${state.org.corpId}#/approval?procInsId=${instanceId}&taskId=${taskId}`;

/** GetProcessInstanceResponseBodyResult */
export function instanceView(state: State, instance: Instance) {
  const id = instance.processInstanceId;
  return {
    title: instance.title,
    businessId: instance.businessId,
    originatorUserId: instance.originatorUserId,
    originatorDeptId: instance.originatorDeptId,
    originatorDeptName: instance.originatorDeptName,
    createTime: apiTime(instance.createTime),
    ...(instance.finishTime !== undefined ? { finishTime: apiTime(instance.finishTime) } : {}),
    status: instance.status,
    result: instance.result,
    bizAction: 'NONE',
    attachedProcessInstanceIds: [],
    ...(instance.approverUserIds ? { approverUserIds: instance.approverUserIds } : {}),
    ccUserIds: instance.ccUserIds,
    formComponentValues: instance.formComponentValues,
    operationRecords: instance.operationRecords.map((record) => ({ ...record, date: apiTime(record.date) })),
    tasks: instance.tasks.map((task) => ({
      taskId: task.taskId,
      userId: task.userId,
      status: task.status,
      result: task.result,
      createTime: apiTime(task.createTime),
      ...(task.finishTime !== undefined ? { finishTime: apiTime(task.finishTime) } : {}),
      activityId: task.activityId,
      processInstanceId: id,
      pcUrl: aflowUrl(state, 'pc', id, task.taskId),
      mobileUrl: aflowUrl(state, 'mobile', id, task.taskId),
    })),
  };
}

const iconUrl = (template: Template) => `https://static.dingtalk.com/media/sandbox-template-icon-${template.icon}.png`;

/** ListUserVisibleBpmsProcessesResponseBodyResultProcessList */
export const templateListItem = (state: State, template: Template) => ({
  name: template.name,
  processCode: template.processCode,
  iconUrl: iconUrl(template),
  url: `https://aflow.dingtalk.com/dingtalk/mobile/homepage.htm?corpid=${state.org.corpId}&dd_share=false&showmenu=true&back=native&procCode=${template.processCode}#/custom`,
  dirId: template.dirId,
  dirName: template.dirName,
});

/** QuerySchemaByProcessCodeResponseBodyResult */
export const schemaView = (state: State, template: Template) => ({
  name: template.name,
  formCode: template.processCode,
  formUuid: template.formUuid,
  creatorUserId: template.creatorUserId,
  appUuid: `SWAPP-${state.org.corpId.toUpperCase()}`,
  appType: 0,
  bizType: '',
  engineType: 0,
  ownerIdType: 'orgId',
  memo: template.memo,
  icon: template.icon,
  listOrder: state.templates.indexOf(template) + 1,
  procType: 'inner',
  visibleRange: 'PUBLIC',
  status: 'PUBLISHED',
  gmtCreate: String(template.gmtCreate),
  gmtModified: String(template.gmtModified),
  schemaContent: { title: template.name, icon: template.icon, items: template.items },
});
