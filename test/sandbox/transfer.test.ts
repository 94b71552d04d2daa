/**
 * RedirectWorkflowTask (转交) on the sandbox, through the project's own client over HTTP: the task moves, a
 * REDIRECT_TASK operation record is written, and task events follow; DingTalk's documented checks refuse the rest.
 */
import { getProcessInstance, redirectWorkflowTask } from '../../dingtalk/workflow';
import { dingTalkError, expenseClaim, people, sandboxSuite } from './helpers';

const start = sandboxSuite();

test('a transfer moves the task to the target, records it, and emits redirect then start task events', async () => {
  const { sandbox, transport } = await start();
  const id = await expenseClaim(transport, '80');
  const before = await getProcessInstance(transport, id);
  const task = before.tasks?.find((candidate) => candidate.status === 'RUNNING');
  expect(task?.userId).toBe(people.salesManager);

  await expect(redirectWorkflowTask(transport, { taskId: task!.taskId, toUserId: people.director, operateUserId: people.salesManager, remark: 'On leave 休假中' })).resolves.toBe(true);

  const after = await getProcessInstance(transport, id);
  expect(after.tasks?.find((candidate) => candidate.taskId === task!.taskId)).toMatchObject({ status: 'COMPLETED', result: 'REDIRECTED' });
  const moved = after.tasks?.find((candidate) => candidate.status === 'RUNNING');
  expect(moved).toMatchObject({ userId: people.director, activityId: task!.activityId });
  expect(moved?.taskId).not.toBe(task!.taskId);
  expect(after.operationRecords?.at(-1)).toMatchObject({ type: 'REDIRECT_TASK', userId: people.salesManager, remark: 'On leave 休假中' });

  const taskEvents = sandbox.events
    .emitted()
    .filter((event) => event.eventType === 'bpms_task_change')
    .map((event) => `${String(event.data.type)}:${String(event.data.result ?? '')}@${String(event.data.staffId)}`);
  expect(taskEvents.slice(-2)).toEqual([`finish:redirect@${people.salesManager}`, `start:@${people.director}`]);

  // The director approves the moved task: the claim (under HK$5,000) completes.
  sandbox.org.act(id, people.director, 'agree');
  expect((await getProcessInstance(transport, id)).status).toBe('COMPLETED');
});

test("only the task's current approver may transfer it, a remark is at most 256 characters, and a finished task stays put", async () => {
  const { transport } = await start();
  const id = await expenseClaim(transport, '80');
  const task = (await getProcessInstance(transport, id)).tasks!.find((candidate) => candidate.status === 'RUNNING')!;

  const notTheApprover = await dingTalkError(redirectWorkflowTask(transport, { taskId: task.taskId, toUserId: people.director, operateUserId: people.chan }));
  expect(notTheApprover.problem.code).toBe('noPermission');
  const tooLong = await dingTalkError(redirectWorkflowTask(transport, { taskId: task.taskId, toUserId: people.director, operateUserId: people.salesManager, remark: 'x'.repeat(257) }));
  expect(tooLong.problem.code).toBe('invalidParameter');

  await redirectWorkflowTask(transport, { taskId: task.taskId, toUserId: people.director, operateUserId: people.salesManager });
  const again = await dingTalkError(redirectWorkflowTask(transport, { taskId: task.taskId, toUserId: people.finance, operateUserId: people.salesManager }));
  expect(again.problem.code).toBe('aflowProcessInstCanNotBeExecuted');
});
