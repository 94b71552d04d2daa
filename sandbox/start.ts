/**
 * StartProcessInstance (create-an-approval-instance): checks a request body as DingTalk does and creates the
 * instance with its first tasks. Used by the HTTP route and by the seed, so seeded approvals are built exactly
 * like API-started ones. Errors are FlowErrors carrying the doc page's codes.
 */
import { randomBytes } from 'node:crypto';
import { FlowError, proceed, templateSteps } from './flow';
import { decodeForm, FormProblem } from './form';
import { placeholderFile } from './files';
import { isRecord, numeric, text } from './http';
import { departmentById, templateByCode, userById, type Instance, type State, type Step, type User } from './state';

const MAX_APPROVER_STEPS = 20;
const MAX_CC = 50;
const MAX_VALUES = 150;
const CC_POSITIONS = ['START', 'FINISH', 'START_FINISH'] as const;

const invalid = (why: string) => new FlowError('processInstanceInvalidParameter', `审批实例参数错误：${why}`);

const activeUser = (state: State, id: unknown, role: string): User => {
  const user = userById(state, text(id));
  if (!user?.active) throw invalid(`${role} userid ${String(id)} 错误`);
  return user;
};

/** `approvers`: the caller's own flow, which replaces the template's. */
function customSteps(state: State, approvers: unknown): Step[] | undefined {
  if (approvers === undefined || approvers === null) return undefined;
  if (!Array.isArray(approvers) || approvers.length === 0 || approvers.length > MAX_APPROVER_STEPS) throw invalid(`approvers 须为 1-${MAX_APPROVER_STEPS} 项`);
  return approvers.map((entry, index): Step => {
    const actionType = isRecord(entry) ? entry.actionType : undefined;
    const userIds = isRecord(entry) && Array.isArray(entry.userIds) ? entry.userIds : [];
    if (actionType !== 'AND' && actionType !== 'OR' && actionType !== 'NONE') throw invalid('approvers.actionType 须为 AND、OR 或 NONE');
    // ⚠ NONE (单人审批) with several people is not documented; the sandbox refuses it rather than guess.
    if (userIds.length === 0 || (actionType === 'NONE' && userIds.length > 1)) throw invalid(`approvers[${index}].userIds`);
    const ids = userIds.map((id) => activeUser(state, id, '审批人').userid);
    return { activityId: `api_${(index + 1).toString(16).padStart(4, '0')}`, name: '審批人 Approver', kind: 'approver', method: actionType, userIds: ids };
  });
}

/** The department the approval is filed under: `-1` is the root; otherwise one of the originator's. */
function originatorDepartment(state: State, originator: User, deptId: unknown, required: boolean): { id: string; name: string } {
  const given = numeric(deptId);
  if (given === undefined) {
    if (required) throw invalid('deptId 不能为空（未指定 approvers 时必填）');
    const first = departmentById(state, originator.deptIds[0] ?? 1);
    return { id: String(first?.deptId ?? -1), name: first?.name ?? state.org.name };
  }
  if (given === -1) return { id: '-1', name: state.org.name };
  const department = departmentById(state, given);
  if (!department || !originator.deptIds.includes(given)) throw invalid('发起人不在发起部门中');
  return { id: String(given), name: department.name };
}

function chosenActioners(value: unknown): Map<string, string[]> {
  const chosen = new Map<string, string[]>();
  if (!Array.isArray(value)) return chosen;
  for (const entry of value) {
    const key = isRecord(entry) ? text(entry.actionerKey) : undefined;
    if (key && isRecord(entry) && Array.isArray(entry.actionerUserIds)) chosen.set(key, entry.actionerUserIds.map(String));
  }
  return chosen;
}

/** A readable title, as DingTalk writes it: "<originator>提交的<template>", Chinese parts when there are some. */
const chinese = (name: string) => name.split(' ').find((part) => /\p{Script=Han}/u.test(part)) ?? name;

const hkStamp = (ms: number) => new Date(ms + 8 * 3600 * 1000).toISOString().replace(/\D/g, '').slice(0, 12);

export function startInstance(state: State, now: number, body: Record<string, unknown>, viaApi = true): Instance {
  const processCode = text(body.processCode);
  if (!processCode) throw new FlowError('invalidParameter', '发起审批参数错误：processCode 不能为空');
  const template = templateByCode(state, processCode);
  if (!template) throw new FlowError('processCodeError', '获取审批模板失败或者模板已被删除');
  const originator = activeUser(state, body.originatorUserId, '发起人');
  if (body.microappAgentId !== undefined && String(body.microappAgentId) !== state.app.agentId) throw new FlowError('invalidAgentId', '无效的微应用ID');
  const custom = customSteps(state, body.approvers);
  const department = originatorDepartment(state, originator, body.deptId, custom === undefined);
  if (!Array.isArray(body.formComponentValues) || body.formComponentValues.length > MAX_VALUES) throw invalid(`formComponentValues 须为至多 ${MAX_VALUES} 项的数组`);

  let form;
  try {
    form = decodeForm(state, template, body.formComponentValues);
  } catch (error) {
    if (error instanceof FormProblem) throw new FlowError(error.code, error.message);
    throw error;
  }
  const steps = custom ?? templateSteps(state, template, originator, form.facts, chosenActioners(body.targetSelectActioners));

  // ccList and ccPosition count only together with approvers (create-an-approval-instance).
  const ccList = custom && Array.isArray(body.ccList) ? body.ccList.map((id) => activeUser(state, id, '抄送人').userid) : [];
  if (ccList.length > MAX_CC) throw invalid(`ccList 至多 ${MAX_CC} 人`);
  const position = CC_POSITIONS.find((candidate) => candidate === body.ccPosition) ?? 'START';

  state.counters.instance += 1;
  const serial = state.counters.instance;
  const instance: Instance = {
    processInstanceId: `${randomBytes(12).toString('base64url')}${String(serial).padStart(6, '0')}`,
    processCode,
    title: `${chinese(originator.name)}提交的${chinese(template.name)}`,
    businessId: `${hkStamp(now)}${String(serial).padStart(9, '0')}`,
    originatorUserId: originator.userid,
    originatorDeptId: department.id,
    originatorDeptName: department.name,
    createTime: now,
    status: 'RUNNING',
    result: '',
    ...(viaApi ? { approverUserIds: [...new Set(steps.filter((s) => s.kind === 'approver').flatMap((s) => s.userIds))] } : {}),
    ccUserIds: [],
    ...(ccList.length > 0 ? { cc: { userIds: ccList, position } } : {}),
    formComponentValues: form.values,
    steps,
    currentStep: 0,
    tasks: [],
    operationRecords: [{ userId: originator.userid, date: now, type: 'START_PROCESS_INSTANCE', result: 'NONE', showName: '發起人 Originator' }],
  };
  for (const file of form.files) state.files[file.fileId] ??= placeholderFile(file, instance.processInstanceId, false);
  if (instance.cc && instance.cc.position !== 'FINISH') {
    instance.ccUserIds.push(...ccList);
    instance.operationRecords.push({ userId: originator.userid, date: now, type: 'PROCESS_CC', result: 'NONE', ccUserIds: ccList, showName: 'CC 抄送人' });
  }
  state.instances[instance.processInstanceId] = instance;
  proceed(state, instance, now, originator.userid);
  return instance;
}
