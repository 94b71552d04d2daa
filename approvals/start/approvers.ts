/**
 * Start Approval's approver settings: custom approvers (which replace the template's flow), CC, and the
 * approvers the template asks the originator to choose (发起人自选), discovered with ProcessForecast.
 * Rules from create-an-approval-instance: at most 20 approver steps, at most 50 CCs, CC only applies with
 * custom approvers, and custom approvers disable the originator-chosen nodes.
 */
import { getUser } from '../../dingtalk/contact';
import type { Transport } from '../../dingtalk/transport';
import { processForecast, START_ROOT_DEPARTMENT_ID, type StartProcessInstanceParams } from '../../dingtalk/workflow';
import { cacheKeys, cacheTtlS } from '../../lib/cache-keys';
import { listOf, textOf } from '../../lib/inputs';
import type { Store } from '../../lib/store';
import type { FormInputField } from './form-fields';
import { rememberUserName } from '../record/lookup';

const MAX_APPROVERS = 20;
const MAX_CC = 50;
const CHOSEN_PREFIX = 'approver__';

const users = { dynamic: 'list_users.id.name', search: 'find_user.id', list: true, required: false } as const;

export const startApproverFields = [
  {
    key: 'approverUserIds',
    label: 'Approvers',
    ...users,
    helpText: "Optional. Replaces the template's approval flow with these users; leave empty to follow the template.",
  },
  {
    key: 'approverMode',
    label: 'Approver Sign Type',
    required: false,
    default: 'ORDER',
    choices: { ORDER: 'One after another, in order', AND: 'All must approve (会签)', OR: 'Any one approves (或签)' },
    helpText: 'How the Approvers above decide. Ignored when Approvers is empty.',
  },
  { key: 'ccUserIds', label: 'CC', ...users, helpText: 'Optional, at most 50 users. DingTalk only sends CCs when Approvers is set.' },
  {
    key: 'ccPosition',
    label: 'CC When',
    required: false,
    default: 'START',
    choices: { START: 'When submitted', FINISH: 'When finished', START_FINISH: 'Both' },
    helpText: 'When DingTalk notifies the CC users: as soon as the approval is submitted, once it finishes, or both.',
  },
] as const;

export interface ApproverSettings {
  settings: Pick<StartProcessInstanceParams, 'approvers' | 'ccList' | 'ccPosition' | 'targetSelectActioners'>;
  problems: string[];
}

export function approverSettings(inputData: Record<string, unknown>): ApproverSettings {
  const problems: string[] = [];
  const approvers = listOf(inputData.approverUserIds);
  const cc = listOf(inputData.ccUserIds);
  const mode = textOf(inputData.approverMode) || 'ORDER';
  const chosen = Object.entries(inputData)
    .filter(([key, value]) => key.startsWith(CHOSEN_PREFIX) && listOf(value).length > 0)
    .map(([key, value]) => ({ actionerKey: key.slice(CHOSEN_PREFIX.length), actionerUserIds: listOf(value) }));

  if (approvers.length > MAX_APPROVERS) problems.push(`Approvers takes at most ${MAX_APPROVERS} users`);
  if (cc.length > MAX_CC) problems.push(`CC takes at most ${MAX_CC} users`);
  if (cc.length > 0 && approvers.length === 0) problems.push('CC only works together with Approvers (DingTalk ignores it otherwise)');
  if (approvers.length > 0 && chosen.length > 0) problems.push("Set either Approvers or the template's own approver fields, not both");
  if (!['ORDER', 'AND', 'OR'].includes(mode)) problems.push('Approver Sign Type must be ORDER, AND or OR');

  const steps =
    mode === 'ORDER'
      ? approvers.map((userId) => ({ actionType: 'NONE' as const, userIds: [userId] }))
      : [{ actionType: mode as 'AND' | 'OR', userIds: approvers }];
  return {
    problems,
    settings: {
      ...(approvers.length > 0 ? { approvers: steps } : {}),
      ...(cc.length > 0 ? { ccList: cc, ccPosition: (textOf(inputData.ccPosition) || 'START') as 'START' | 'FINISH' | 'START_FINISH' } : {}),
      ...(chosen.length > 0 ? { targetSelectActioners: chosen } : {}),
    },
  };
}

/**
 * The department the approval is filed under: the one given, else the originator's main one. That is a free
 * call, but one more round before the start under Zapier's 30 s, so it is reused for 10 minutes, as the approver
 * forecast that depends on it is; the Zap editor's field loading usually leaves it cached. The same call names
 * the originator for the record, so the read-back need not ask again.
 */
export async function originatorDepartment(transport: Transport, userId: string, given: string | undefined, store: Store): Promise<number> {
  if (given && Number.isFinite(Number(given))) return Number(given);
  const key = cacheKeys.userDepartment(userId);
  const cached = await store.get<number>(key);
  if (typeof cached === 'number') return cached;
  const user = await getUser(transport, userId);
  await rememberUserName(store, userId, user.name);
  const deptId = user.dept_id_list?.[0] ?? START_ROOT_DEPARTMENT_ID;
  await store.set(key, deptId, cacheTtlS.userDepartment);
  return deptId;
}

/**
 * One field per approver node the template leaves to the originator, named after the node. Needs the
 * originator (and department), because the predicted flow depends on them; reused for 10 minutes.
 */
export async function chosenApproverFields(transport: Transport, store: Store, processCode: string, userId: string, deptId: number): Promise<FormInputField[]> {
  const key = cacheKeys.forecast(processCode, userId, deptId);
  let rules = await store.get<{ actorKey: string; name: string; multi: boolean }[]>(key);
  if (!rules) {
    // ⚠ DingTalk's doc marks formComponentValues as required; the form is not filled yet when fields load, so we
    // send none. If DingTalk refuses, the template's own flow still applies and DingTalk names any missing approver.
    const forecast = await processForecast(transport, { processCode, deptId, userId, formComponentValues: [] }).catch((error: Error) => error);
    if (forecast instanceof Error) {
      if (['RefreshAuthError', 'ThrottledError', 'HaltedError'].includes(forecast.name)) throw forecast;
      return [{ key: 'approvers_note', label: 'About Approvers', type: 'copy', helpText: `DingTalk could not predict this template's approval flow, so approvers the originator must choose (发起人自选) are not listed here. If the step fails for a missing approver, set Approvers above. (${forecast.message})` }];
    }
    rules = (forecast.workflowActivityRules ?? []).flatMap((rule) =>
      rule.isTargetSelect && rule.workflowActor?.actorKey
        ? [{ actorKey: rule.workflowActor.actorKey, name: rule.activityName ?? 'Approver', multi: rule.workflowActor.allowedMulti !== false }]
        : [],
    );
    await store.set(key, rules, cacheTtlS.forecast);
  }
  return rules.map((rule) => ({
    key: `${CHOSEN_PREFIX}${rule.actorKey}`,
    label: `Approver: ${rule.name}`,
    type: 'string' as const,
    required: true,
    list: rule.multi,
    dynamic: 'list_users.id.name',
    search: 'find_user.id',
    helpText: 'The template asks the originator to choose who approves this step (发起人自选).',
  }));
}
