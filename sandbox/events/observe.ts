/**
 * Finds what changed in the sandbox since the last look, as DingTalk's approval events. Comparing snapshots after
 * every request and every org action catches each change the sandbox makes (through the API, the org helpers or a
 * seed) without threading an event sink through the approval flow. Order within one approval follows the flow:
 * instance start, decided or cancelled tasks, comments, new tasks, then instance finish or terminate.
 */
import type { Instance, State } from '../state';
import { commentChange, instanceChange, taskChange, type Change } from './payloads';

interface InstanceSnapshot {
  status: Instance['status'];
  taskStatus: Map<number, string>;
  records: number;
}

export type Snapshot = Map<string, InstanceSnapshot>;

export function snapshot(state: State): Snapshot {
  return new Map(
    Object.values(state.instances).map((instance) => [
      instance.processInstanceId,
      { status: instance.status, taskStatus: new Map(instance.tasks.map((task) => [task.taskId, task.status])), records: instance.operationRecords.length },
    ]),
  );
}

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

/** Every change since `before`, oldest approval first. */
export function changesSince(state: State, before: Snapshot, now: number): Change[] {
  return Object.values(state.instances)
    .sort((a, b) => a.createTime - b.createTime)
    .flatMap((instance) => instanceChanges(state, instance, before.get(instance.processInstanceId), now));
}
