/**
 * Finds what changed in the sandbox since the last look, as DingTalk's approval events. Comparing each approval with
 * how it was last seen, after every request and every org action, catches each change the sandbox makes (through the
 * API or the org helpers) without threading an event sink through the approval flow; what the seed built is the
 * starting point. Order within one approval follows the flow: instance start, decided or cancelled tasks, comments,
 * new tasks, then instance finish or terminate.
 */
import type { Instance, State } from '../state';
import { commentChange, instanceChange, taskChange, type Change } from './payloads';

interface InstanceSnapshot {
  status: Instance['status'];
  taskStatus: Map<number, string>;
  records: number;
}

const snapshotOf = (instance: Instance): InstanceSnapshot => ({
  status: instance.status,
  taskStatus: new Map(instance.tasks.map((task) => [task.taskId, task.status])),
  records: instance.operationRecords.length,
});

/** Every change to an approval adds an operation record, starts a task or moves the status: a cheap test first. */
const unchanged = (instance: Instance, before: InstanceSnapshot) =>
  before.records === instance.operationRecords.length && before.status === instance.status && before.taskStatus.size === instance.tasks.length;

function instanceChanges(state: State, instance: Instance, before: InstanceSnapshot | undefined, now: number): Change[] {
  const changes: Change[] = [];
  if (!before) changes.push(instanceChange(state, instance, 'start', now));
  const newRecords = instance.operationRecords.slice(before?.records ?? 0);
  for (const task of instance.tasks) {
    const was = before?.taskStatus.get(task.taskId);
    if (was === undefined || was === task.status || task.status === 'RUNNING') continue;
    if (task.status === 'COMPLETED') {
      const record = newRecords.find((entry) => entry.userId === task.userId && (entry.type === 'EXECUTE_TASK_NORMAL' || entry.type === 'REDIRECT_TASK'));
      changes.push(taskChange(state, instance, task, 'finish', now, record?.remark));
    } else if (task.status === 'CANCELED') changes.push(taskChange(state, instance, task, 'cancel', now));
  }
  for (const record of newRecords.filter((entry) => entry.type === 'ADD_REMARK')) changes.push(commentChange(state, instance, record, now));
  for (const task of instance.tasks) {
    if (!before?.taskStatus.has(task.taskId)) changes.push(taskChange(state, instance, task, 'start', now));
    // A task created and decided within one change still starts before it finishes.
    if (!before?.taskStatus.has(task.taskId) && task.status !== 'RUNNING') changes.push(taskChange(state, instance, task, task.status === 'CANCELED' ? 'cancel' : 'finish', now));
  }
  if (before?.status !== instance.status && instance.status !== 'RUNNING') {
    changes.push(instanceChange(state, instance, instance.status === 'TERMINATED' ? 'terminate' : 'finish', now));
  }
  return changes;
}

/**
 * Remembers each approval as last seen, and reports what changed since, in the order approvals were created.
 * Approvals are only ever added by start (which bumps counters.instance) and are changed in place, so a look costs
 * one pass over a Map rather than over the (large, dictionary-mode) state.instances object.
 */
export class Observer {
  private readonly seen = new Map<string, { instance: Instance; snapshot: InstanceSnapshot | undefined }>();
  private started: number;

  constructor(state: State) {
    for (const instance of Object.values(state.instances)) this.seen.set(instance.processInstanceId, { instance, snapshot: snapshotOf(instance) });
    this.started = state.counters.instance;
  }

  changes(state: State, now: number): Change[] {
    if (state.counters.instance !== this.started) {
      this.started = state.counters.instance;
      for (const instance of Object.values(state.instances)) {
        if (!this.seen.has(instance.processInstanceId)) this.seen.set(instance.processInstanceId, { instance, snapshot: undefined });
      }
    }
    const changes: Change[] = [];
    for (const entry of this.seen.values()) {
      const { instance, snapshot } = entry;
      if (snapshot && unchanged(instance, snapshot)) continue;
      changes.push(...instanceChanges(state, instance, snapshot, now));
      entry.snapshot = snapshotOf(instance);
    }
    return changes;
  }
}
