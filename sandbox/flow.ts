/**
 * The approval life cycle: a template's nodes resolved to steps for one submission, tasks along the chain,
 * agree/refuse, CC, revoke and comments, with the operation records GetProcessInstance reports.
 *
 * Rules follow create-an-approval-instance and approve-or-reject-the-approval-task: `approvers` replaces the
 * template's flow (and with it any originator-chosen node); an OR step ends with its first decision, an AND step
 * needs everyone; one refusal ends the instance as COMPLETED + refuse; CC happens when its node is reached.
 */
import type { Facts } from './form';
import { placeholderFile } from './files';
import { userById, type FileRef, type FlowNode, type Instance, type OperationRecord, type State, type Step, type Template, type User } from './state';

/** A rule violation, with the DingTalk code the calling endpoint should answer with. */
export class FlowError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

const TASK_ID_BASE = 70000000000;

function applies(node: FlowNode, facts: Facts): boolean {
  const { when } = node;
  if (!when) return true;
  const fact = facts.get(when.field);
  switch (when.type) {
    case 'amountAbove':
      return typeof fact === 'number' && fact > when.limit;
    case 'oneOf':
      return typeof fact === 'string' && when.values.includes(fact);
    case 'tableTotalAbove': {
      const rows = Array.isArray(fact) ? (fact as Record<string, string>[]) : [];
      const total = rows.reduce((sum, row) => sum + (Number(row[when.quantity]) || 0) * (Number(row[when.unitPrice]) || 0), 0);
      return total > when.limit;
    }
  }
}

/** The people a node resolves to before anyone is chosen; a manager node without a manager drops out. */
export function nodeUsers(state: State, node: FlowNode, originator: User): string[] {
  switch (node.actor.type) {
    case 'manager': {
      const manager = userById(state, originator.managerUserid);
      return manager?.active ? [manager.userid] : [];
    }
    case 'users':
      return node.actor.userIds.filter((id) => userById(state, id)?.active);
    case 'chosen':
      return [];
  }
}

/** The template's nodes that apply to this submission (ProcessForecast shows the same list). */
export function applicableNodes(template: Template, facts: Facts): FlowNode[] {
  return template.flow.filter((node) => applies(node, facts));
}

/** The template's flow for one submission, with the originator's choices for 发起人自选 nodes. */
export function templateSteps(state: State, template: Template, originator: User, facts: Facts, chosen: Map<string, string[]>): Step[] {
  return applicableNodes(template, facts).flatMap((node): Step[] => {
    let userIds = nodeUsers(state, node, originator);
    if (node.actor.type === 'chosen') {
      userIds = chosen.get(node.actorKey) ?? [];
      if (userIds.length === 0) throw new FlowError('targetSelectApproverMissing', `自选审批人缺失：${node.name} (${node.actorKey})`);
      const { range, multi } = node.actor;
      if (userIds.some((id) => !range.includes(id)) || (!multi && userIds.length > 1)) {
        throw new FlowError('targetSelectApproverScopeError', `自选审批人不在规定范围内：${node.name}`);
      }
    }
    if (userIds.length === 0) return [];
    return [{ activityId: node.activityId, name: node.name, kind: node.kind, method: userIds.length > 1 ? node.method : 'NONE', userIds }];
  });
}

function record(instance: Instance, entry: OperationRecord): void {
  instance.operationRecords.push(entry);
}

function copy(instance: Instance, userIds: string[], now: number, by: string, activityId?: string, showName?: string): void {
  if (userIds.length === 0) return;
  for (const id of userIds) if (!instance.ccUserIds.includes(id)) instance.ccUserIds.push(id);
  record(instance, { userId: by, date: now, type: 'PROCESS_CC', result: 'NONE', ccUserIds: [...userIds], ...(activityId ? { activityId } : {}), showName: showName ?? 'CC 抄送人' });
}

function finish(instance: Instance, result: 'agree' | 'refuse', now: number, by: string): void {
  instance.status = 'COMPLETED';
  instance.result = result;
  instance.finishTime = now;
  if (instance.cc && instance.cc.position !== 'START') copy(instance, instance.cc.userIds, now, by);
}

/** Runs the chain from the current step: CC nodes pass straight through; the first approver step gets tasks. */
export function proceed(state: State, instance: Instance, now: number, by: string): void {
  for (; instance.currentStep < instance.steps.length; instance.currentStep += 1) {
    const step = instance.steps[instance.currentStep]!;
    if (step.kind === 'notifier') {
      copy(instance, step.userIds, now, by, step.activityId, step.name);
      continue;
    }
    for (const userId of step.userIds) {
      state.counters.task += 1;
      instance.tasks.push({ taskId: TASK_ID_BASE + state.counters.task, userId, status: 'RUNNING', result: 'NONE', createTime: now, activityId: step.activityId });
    }
    return;
  }
  finish(instance, 'agree', now, by);
}

/** Files on an operation record: registered so the grant-URL flow can serve them. */
function recordFiles(state: State, instance: Instance, files: FileRef[] | undefined): FileRef[] | undefined {
  if (!files?.length) return undefined;
  for (const file of files) state.files[file.fileId] ??= placeholderFile(file, instance.processInstanceId, true);
  return files.map((file) => ({ ...file }));
}

export interface Decision {
  taskId: number;
  userId: string;
  result: 'agree' | 'refuse';
  remark?: string;
  attachments?: FileRef[];
  photos?: string[];
}

/** Agrees or refuses one running task. */
export function decide(state: State, instance: Instance, decision: Decision, now: number): void {
  const task = instance.tasks.find((candidate) => candidate.taskId === decision.taskId);
  if (instance.status !== 'RUNNING' || !task || task.status !== 'RUNNING' || task.userId !== decision.userId) {
    throw new FlowError('aflowProcessInstCanNotBeExecuted', '审批状态异常，无法执行');
  }
  const step = instance.steps[instance.currentStep]!;
  task.status = 'COMPLETED';
  task.result = decision.result === 'agree' ? 'AGREE' : 'REFUSE';
  task.finishTime = now;
  const attachments = recordFiles(state, instance, decision.attachments);
  record(instance, {
    userId: decision.userId,
    date: now,
    type: 'EXECUTE_TASK_NORMAL',
    result: task.result,
    ...(decision.remark ? { remark: decision.remark } : {}),
    ...(attachments ? { attachments } : {}),
    ...(decision.photos?.length ? { images: decision.photos } : {}),
    activityId: step.activityId,
    showName: step.name,
  });
  const others = instance.tasks.filter((candidate) => candidate.status === 'RUNNING' && candidate.activityId === step.activityId);
  if (decision.result === 'refuse' || step.method !== 'AND') {
    for (const other of instance.tasks.filter((candidate) => candidate.status === 'RUNNING')) {
      other.status = 'CANCELED';
      other.finishTime = now;
    }
  }
  if (decision.result === 'refuse') return finish(instance, 'refuse', now, decision.userId);
  if (step.method === 'AND' && others.length > 0) return;
  instance.currentStep += 1;
  proceed(state, instance, now, decision.userId);
}

/**
 * Transfers (转交) a running task, as an approver does in the app: the task ends COMPLETED + REDIRECTED (the SDK's
 * task result values), a REDIRECT_TASK record is kept, and the new approver gets a task at the same node.
 */
export function redirect(state: State, instance: Instance, move: { taskId: number; userId: string; toUserId: string; remark?: string }, now: number): void {
  const task = instance.tasks.find((candidate) => candidate.taskId === move.taskId);
  if (instance.status !== 'RUNNING' || !task || task.status !== 'RUNNING' || task.userId !== move.userId) {
    throw new FlowError('aflowProcessInstCanNotBeExecuted', '审批状态异常，无法执行');
  }
  if (!userById(state, move.toUserId)?.active) throw new FlowError('userNotExist', '用户不存在');
  task.status = 'COMPLETED';
  task.result = 'REDIRECTED';
  task.finishTime = now;
  const step = instance.steps[instance.currentStep]!;
  step.userIds = step.userIds.map((id) => (id === move.userId ? move.toUserId : id));
  record(instance, { userId: move.userId, date: now, type: 'REDIRECT_TASK', result: 'NONE', ...(move.remark ? { remark: move.remark } : {}), activityId: step.activityId, showName: step.name });
  state.counters.task += 1;
  instance.tasks.push({ taskId: TASK_ID_BASE + state.counters.task, userId: move.toUserId, status: 'RUNNING', result: 'NONE', createTime: now, activityId: task.activityId });
}

/** Revokes a running instance: TERMINATED, running tasks cancelled. */
export function terminate(instance: Instance, now: number, userId: string | undefined, remark?: string): void {
  if (instance.status !== 'RUNNING') throw new FlowError('aflowProcessInstStatusException', '审批单已结束，不能撤销');
  for (const task of instance.tasks.filter((candidate) => candidate.status === 'RUNNING')) {
    task.status = 'CANCELED';
    task.finishTime = now;
  }
  instance.status = 'TERMINATED';
  instance.result = '';
  instance.finishTime = now;
  record(instance, { ...(userId ? { userId } : {}), date: now, type: 'TERMINATE_PROCESS_INSTANCE', result: 'NONE', ...(remark ? { remark } : {}), showName: '撤銷 Revoked' });
}

/** A comment (评论): allowed on running and finished instances alike. */
export function comment(state: State, instance: Instance, userId: string, text: string, now: number, attachments?: FileRef[], photos?: string[]): void {
  const files = recordFiles(state, instance, attachments);
  record(instance, {
    userId,
    date: now,
    type: 'ADD_REMARK',
    result: 'NONE',
    remark: text,
    ...(files ? { attachments: files } : {}),
    ...(photos?.length ? { images: photos } : {}),
  });
}
