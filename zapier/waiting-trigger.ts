/**
 * Approval Waiting Too Long on the Zapier side: its fields, its poll (approvals/waiting/poll.ts) and its editor
 * sample. A delivery is a stub plus the waiting fields; the full approval record is hoisted in only when a Zap
 * uses it, from the detail the check already fetched.
 */
import { defineInputFields, defineTrigger, type Bundle, type ZObject } from 'zapier-platform-core';
import { pollWaiting, type WaitingDelivery } from '../approvals/waiting/poll';
import { personWithManager } from '../approvals/waiting/people';
import { DEFAULT_HOURS, MAX_HOURS, MIN_HOURS, waitingInput } from '../approvals/waiting/input';
import { waitingFields } from '../approvals/waiting/record';
import { deliveryId, watchFromDetail } from '../approvals/waiting/thresholds';
import { getProcessInstance, listProcessInstanceIds, type ProcessInstanceDetail } from '../dingtalk/workflow';
import hydrators, { loadApprovalRecord } from '../hydrators';
import { verifyTemplate } from '../approvals/ledger/ledger';
import { mapLimited } from '../lib/limiter';
import { DAY_MS, isoFromMs } from '../lib/time';
import sample from '../samples/waiting.json';
import { freshnessField } from './approval-trigger';
import { templateField, usersField } from './fields';
import { approvalOutputFields, outputFields } from './output-fields';
import { meterOf } from './quota';
import { zapierStore } from './store';
import { zapierTransport } from './transport';
import { withUserErrors } from './user-errors';

const SAMPLE_SIZE = 3;
const SAMPLE_FETCHES = 10;

/** Hours and Approvers, shared with the instant trigger's "waiting too long" event: only the range and the cost differ. */
export const hoursAndApproversFields = (range: string, cost: string) =>
  defineInputFields([
    {
      key: 'hours',
      label: 'Hours',
      type: 'number',
      required: false,
      default: String(DEFAULT_HOURS),
      helpText:
        `Fire once a task has waited this many hours for its approver: whole or decimal (1.5), from ${MIN_HOURS} to ${range}. ` +
        'Each task fires once per Zap; a transferred task, or the next step, fires again. Use two Zaps (for example 2 and 24) to remind and then escalate. ' +
        cost,
    },
    usersField('approverUserIds', 'Approvers', 'Only tasks waiting for these DingTalk users. Leave empty for every approver.'),
  ]);

export const waitingInputFields = defineInputFields([
  templateField(true, "The approval template (审批模板) to watch. Suite forms such as leave requests are not served by DingTalk's API."),
  ...hoursAndApproversFields(
    MAX_HOURS.toLocaleString('en-US'),
    'Cost: about one metered DingTalk call per running approval each time one of its tasks could cross the threshold, on top of the shared poll. ' +
      'With Refresh Interval "Auto" these checks share the connection\'s monthly budget, so a busy template is checked less often and a reminder can come later than the threshold.',
  ),
  freshnessField,
]);

/** Output fields the waiting trigger adds to the approval record. */
export const waitingOutputFields = outputFields([
  ['id', 'Delivery ID (Approval, Task and Threshold)', 'string', 'required'],
  ['approval_id', 'Approval ID'],
  ['task_id', 'Waiting Task ID', 'integer'],
  ['approver_user_id', 'Approver User ID'],
  ['approver_name', 'Approver Name'],
  ['step_name', 'Step Name'],
  ['waiting_since', 'Waiting Since', 'datetime'],
  ['hours_waited', 'Hours Waited', 'number'],
  ['threshold_hours', 'Threshold (Hours)', 'number'],
  ['checked_at', 'Checked At', 'datetime'],
  ['manager_user_id', "Approver's Manager User ID"],
  ['manager_name', "Approver's Manager Name"],
]);

function stub(z: ZObject, delivery: WaitingDelivery, processCode: string, thresholdMs: number) {
  const fields = waitingFields(delivery, thresholdMs);
  return {
    template_code: processCode,
    status: 'RUNNING',
    result: null,
    outcome: 'pending',
    created_at: isoFromMs(delivery.entry.createdAt ?? delivery.entry.seenAt),
    ...fields,
    $HOIST$: z.dehydrate(hydrators.waitingApproval, { approvalId: delivery.approvalId, processCode, delivery: fields }),
  };
}

/**
 * Real records for the Zap editor: the running approvals' longest-waiting tasks (those past the threshold first),
 * from one list page and at most SAMPLE_FETCHES detail fetches.
 */
async function sampleWaiting(z: ZObject, bundle: Bundle, input: ReturnType<typeof waitingInput>) {
  const transport = zapierTransport(z, bundle, 'sample');
  const store = zapierStore(z);
  await verifyTemplate(transport, store, input.processCode);
  const now = Date.now();
  const page = await listProcessInstanceIds(transport, { processCode: input.processCode, startTime: now - 30 * DAY_MS, endTime: now, statuses: ['RUNNING'] });
  const details = await mapLimited(page.items.slice(0, SAMPLE_FETCHES), async (id) => ({ id, detail: await getProcessInstance(transport, id) }));
  const waiting = details
    .flatMap(({ id, detail }: { id: string; detail: ProcessInstanceDetail }) => watchFromDetail(detail, now).tasks.map((task) => ({ id, detail, task })))
    .filter(({ task }) => input.approverIds.length === 0 || input.approverIds.includes(task.userId))
    .sort((a, b) => a.task.startedAt - b.task.startedAt)
    .slice(0, SAMPLE_SIZE);
  return Promise.all(
    waiting.map(async ({ id, detail, task }) => {
      const delivery: WaitingDelivery = {
        id: deliveryId(id, task.taskId, input.thresholdMs),
        approvalId: id,
        entry: { status: 'RUNNING', seenAt: now },
        task,
        checkedAt: now,
        approver: await personWithManager(transport, store, task.userId),
      };
      return { ...(await loadApprovalRecord(z, bundle, id, input.processCode, detail)), ...waitingFields(delivery, input.thresholdMs) };
    }),
  );
}

const perform = async (z: ZObject, bundle: Bundle) => {
  const input = waitingInput(bundle.inputData);
  const meta = bundle.meta ?? {};
  if (meta.isLoadingSample) return sampleWaiting(z, bundle, input);
  const seedingDedupe = Boolean(meta.isPopulatingDedupe);
  const deliveries = await pollWaiting(zapierTransport(z, bundle, 'trigger'), zapierStore(z), input, {
    seedingDedupe,
    now: Date.now(),
    meter: meterOf(z, bundle),
    log: (line) => z.console.log(line),
  });
  if (seedingDedupe) return deliveries.map(({ id }) => ({ id }));
  return deliveries.map((delivery) => stub(z, delivery, input.processCode, input.thresholdMs));
};

export const approvalWaitingTrigger = defineTrigger({
  key: 'approval_waiting_too_long',
  noun: 'Approval',
  display: {
    label: 'Approval Waiting Too Long',
    description: "Triggers when an approval's task has waited for its approver at least the chosen number of hours (once per task and threshold).",
  },
  operation: {
    type: 'polling',
    inputFields: waitingInputFields,
    perform: withUserErrors(perform),
    sample,
    outputFields: [...approvalOutputFields.filter((field) => field.key !== 'id'), ...waitingOutputFields],
  },
});
