/**
 * One pass through every client function against a seeded sandbox, each call succeeding. Records the first
 * response body per endpoint, so the contract test can hold the sandbox's answers against the SDK models and
 * documented field lists, and the meter test can compare the sandbox's count with the client's.
 */
import { getAccessToken } from '../../dingtalk/auth';
import { getDepartment, getUser, getUserIdByMobile, listDepartmentUsers, listSubDepartments, searchUser } from '../../dingtalk/contact';
import type { EndpointName } from '../../dingtalk/endpoints';
import { openConnection } from '../../dingtalk/gateway';
import { sendWorkNotification } from '../../dingtalk/message';
import type { Transport } from '../../dingtalk/transport';
import {
  addProcessInstanceComment,
  executeProcessInstance,
  getProcessCodeByName,
  getProcessInstance,
  grantProcessInstanceForDownloadFile,
  listAllTemplates,
  listProcessInstanceIds,
  processForecast,
  querySchemaByProcessCode,
  redirectWorkflowTask,
  startProcessInstance,
  terminateProcessInstance,
} from '../../dingtalk/workflow';
import type { Sandbox } from '../../sandbox';
import { codes, DAY, people } from './helpers';

export async function exerciseEveryEndpoint(sandbox: Sandbox, transport: Transport): Promise<Map<EndpointName, unknown>> {
  const bodies = new Map<EndpointName, unknown>();
  const t: Transport = async (request) => {
    const body = await transport(request);
    const name = request.endpoint.name as EndpointName;
    if (!bodies.has(name)) bodies.set(name, body);
    return body;
  };

  await getAccessToken(t, sandbox.credentials);
  await openConnection(t, { clientId: sandbox.credentials.appKey, clientSecret: sandbox.credentials.appSecret, localIp: '127.0.0.1' });
  await listAllTemplates(t);
  const processCode = await getProcessCodeByName(t, 'Purchase Request 採購申請');
  if (processCode !== codes.purchase) throw new Error(`unexpected template code ${String(processCode)}`);
  await querySchemaByProcessCode(t, processCode);
  const forecast = await processForecast(t, { processCode, deptId: 100, userId: people.chan, formComponentValues: [] });
  const actorKey = forecast.workflowActivityRules?.find((rule) => rule.isTargetSelect)?.workflowActor?.actorKey ?? '';

  const instanceId = await startProcessInstance(t, {
    processCode,
    originatorUserId: people.chan,
    deptId: 100,
    microappAgentId: Number(sandbox.credentials.agentId),
    targetSelectActioners: [{ actionerKey: actorKey, actionerUserIds: [people.finance] }],
    formComponentValues: [
      { name: 'Purpose 採購用途', value: 'Sample cartons 樣品紙箱' },
      { name: 'Supplier 供應商', value: 'Kwun Tong Packaging 觀塘包裝' },
      { name: 'Items 採購物品', value: JSON.stringify([[{ name: 'Item 物品', value: 'Carton 紙箱' }, { name: 'Quantity 數量', value: '200' }, { name: 'Unit Price (HKD) 單價', value: '3.5' }]]) },
    ],
  });
  const started = await getProcessInstance(t, instanceId);
  await listProcessInstanceIds(t, { processCode, startTime: Date.now() - 30 * DAY });
  await addProcessInstanceComment(t, { processInstanceId: instanceId, text: 'Urgent for the trade fair. 展覽急用。', commentUserId: people.chan });
  const task = started.tasks?.find((candidate) => candidate.status === 'RUNNING');
  if (!task?.userId) throw new Error('the started approval has no running task');
  await executeProcessInstance(t, { processInstanceId: instanceId, taskId: task.taskId, actionerUserId: task.userId, result: 'agree', remark: 'OK' });
  const next = (await getProcessInstance(t, instanceId)).tasks?.find((candidate) => candidate.status === 'RUNNING');
  if (!next?.userId) throw new Error('the approved step left no running task');
  await redirectWorkflowTask(t, { taskId: next.taskId, toUserId: people.director, operateUserId: next.userId, remark: 'Away this week. 本週休假。' });

  // The seeded, approved expense claim carries two receipts.
  const { items: approved } = await listProcessInstanceIds(t, { processCode: codes.expense, startTime: Date.now() - 30 * DAY, statuses: ['COMPLETED'] });
  const withReceipts = await getProcessInstance(t, approved.at(-1) ?? '');
  const receipts = withReceipts.formComponentValues?.find((value) => value.componentType === 'DDAttachment')?.value ?? '[]';
  const [receipt] = JSON.parse(receipts) as { fileId: string }[];
  await grantProcessInstanceForDownloadFile(t, { processInstanceId: approved.at(-1) ?? '', fileId: receipt?.fileId ?? '' });

  sandbox.org.advance(16_000); // DingTalk refuses a revoke within 15 s of the start
  await terminateProcessInstance(t, { processInstanceId: instanceId, isSystem: false, operatingUserId: people.chan, remark: 'Bought elsewhere.' });

  await searchUser(t, { queryWord: 'Chan' });
  await getUserIdByMobile(t, '+852-55550101');
  await getUser(t, people.chan);
  await listDepartmentUsers(t, 100);
  await listSubDepartments(t);
  await getDepartment(t);
  await sendWorkNotification(t, { agentId: Number(sandbox.credentials.agentId), userIds: [people.chan], msg: { msgtype: 'text', text: { content: 'Your purchase request was revoked.' } } });
  return bodies;
}
