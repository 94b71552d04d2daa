/**
 * workflow_1_0: OA approvals. One function per DingTalk action; names, paths and fields follow
 * `@alicloud/dingtalk` 2.2.27 (see endpoints.ts and the contract test).
 */
import type { z } from 'zod';
import { call } from './call';
import { endpoints } from './endpoints';
import { collectPages, collectSlices, type Collected, type Page, type SliceOptions } from './paging';
import {
  BooleanResultResponseBody,
  FindProcessInstanceResponseBody,
  GetProcessCodeByNameResponseBody,
  GetProcessInstanceResponseBody,
  GrantProcessInstanceForDownloadFileResponseBody,
  ListProcessInstanceIdsResponseBody,
  ListUserVisibleBpmsProcessesResponseBody,
  ProcessForecastResponseBody,
  QuerySchemaByProcessCodeResponseBody,
  RedirectWorkflowTaskResponseBody,
  StartProcessInstanceResponseBody,
  type FormComponent,
  type ProcessInstance,
} from './schemas/workflow';
import type { Transport } from './transport';

export type ProcessInstanceDetail = z.output<typeof ProcessInstance>;
export type FormSchemaComponent = z.output<typeof FormComponent>;
export type InstanceStatus = 'RUNNING' | 'TERMINATED' | 'COMPLETED' | 'NEW' | 'CANCELED';

/** StartProcessInstanceRequestFormComponentValuesDetailsDetails: the deepest level the SDK models. */
export interface FormValueDetailsDetails {
  name?: string;
  value?: string;
  id?: string;
  bizAlias?: string;
  extValue?: string;
  componentType?: string;
}

/** StartProcessInstanceRequestFormComponentValuesDetails (the SDK gives this level no componentType). */
export interface FormValueDetails {
  name?: string;
  value?: string;
  id?: string;
  bizAlias?: string;
  extValue?: string;
  details?: FormValueDetailsDetails[];
}

/** StartProcessInstanceRequestFormComponentValues */
export interface FormComponentValueInput {
  name: string;
  value: string;
  id?: string;
  bizAlias?: string;
  extValue?: string;
  componentType?: string;
  details?: FormValueDetails[];
}

export interface FileInput {
  photos?: string[];
  attachments?: { spaceId: string; fileSize: string; fileId: string; fileName: string; fileType: string }[];
}

export interface StartProcessInstanceParams {
  processCode: string;
  originatorUserId: string;
  deptId?: number;
  microappAgentId?: number;
  approvers?: { actionType: 'AND' | 'OR' | 'NONE'; userIds: string[] }[];
  ccList?: string[];
  ccPosition?: 'START' | 'FINISH' | 'START_FINISH';
  targetSelectActioners?: { actionerKey: string; actionerUserIds: string[] }[];
  formComponentValues: FormComponentValueInput[];
}

/** DingTalk cursors come back as strings or numbers; empty, missing or non-numeric means "no more pages". */
function cursorOf(token: string | number | null | undefined): number | undefined {
  if (token === undefined || token === null || token === '') return undefined;
  const next = Number(token);
  return Number.isNaN(next) ? undefined : next;
}

/**
 * StartProcessInstance's `deptId` for an originator in the root department: -1 (create-an-approval-instance;
 * ../shared/dingtalk-api.md §2.1). The contacts API calls the same department 1 (contact.ts ROOT_DEPARTMENT_ID).
 */
export const START_ROOT_DEPARTMENT_ID = -1;

/** Starts an approval instance; returns its id. */
export async function startProcessInstance(transport: Transport, body: StartProcessInstanceParams): Promise<string> {
  const { instanceId } = await call(transport, endpoints.StartProcessInstance, StartProcessInstanceResponseBody, {
    body: { ...body },
  });
  return instanceId;
}

/** One approval instance with its form values, operation records and tasks. */
export async function getProcessInstance(transport: Transport, processInstanceId: string): Promise<ProcessInstanceDetail> {
  const { result } = await call(transport, endpoints.GetProcessInstance, GetProcessInstanceResponseBody, {
    query: { processInstanceId },
  });
  return result;
}

/**
 * One approval instance, or undefined when DingTalk says it does not exist or the id is malformed
 * (400 `processInstanceNotExist` / `processInstanceIdError`, obtains-the-details-of-a-single-approval-instance-pop).
 */
export async function findProcessInstance(transport: Transport, processInstanceId: string): Promise<ProcessInstanceDetail | undefined> {
  const { result } = await call(transport, endpoints.GetProcessInstance, FindProcessInstanceResponseBody, {
    query: { processInstanceId },
    notFoundCodes: ['processInstanceNotExist', 'processInstanceIdError'],
  });
  return result ?? undefined;
}

export interface ListProcessInstanceIdsParams {
  processCode: string;
  /** ms since epoch; at most 365 days ago, and the window spans at most 120 days. */
  startTime: number;
  endTime?: number;
  userIds?: string[];
  statuses?: InstanceStatus[];
}

/** The widest ListProcessInstanceIds window, in days (obtain-an-approval-list-of-instance-ids). */
export const MAX_LIST_WINDOW_DAYS = 120;
/** ListProcessInstanceIds takes at most 10 originators (`userIds`, same page). */
export const MAX_LIST_ORIGINATORS = 10;

/**
 * DingTalk's length limit for a comment, a decision's remark and a revoke remark (official-approval-adds-approval-comments,
 * approve-or-reject-the-approval-task, revoke-an-approval-instance). Counted in UTF-16 units, as DingTalk's Java does.
 */
export const MAX_REMARK_CHARS = 1024;

/** DingTalk's page-size ceiling for ListProcessInstanceIds. */
export const INSTANCE_PAGE_SIZE = 20;

/** One page of instance ids (newest first is not guaranteed by DingTalk). */
export async function listProcessInstanceIds(
  transport: Transport,
  params: ListProcessInstanceIdsParams,
  nextToken = 0,
): Promise<Page<string, number>> {
  const { result } = await call(transport, endpoints.ListProcessInstanceIds, ListProcessInstanceIdsResponseBody, {
    body: { ...params, nextToken, maxResults: INSTANCE_PAGE_SIZE },
  });
  // The request cursor is a number, the response cursor a string; empty or missing means done.
  const items = result.list ?? [];
  return { items, next: items.length > 0 ? cursorOf(result.nextToken) : undefined };
}

/** Every instance id in the window, following pages of 20 up to `limit`. */
export function listAllProcessInstanceIds(
  transport: Transport,
  params: ListProcessInstanceIdsParams,
  limit?: number,
): Promise<Collected<string>> {
  return collectPages((token) => listProcessInstanceIds(transport, params, token), 0, limit);
}

/**
 * Slices a window scan is split into once it spans more than one page. Eight slices of a 7-day window with
 * 2,000 approvals are about 13 pages each; each slice ends on a partial page, so slicing costs up to about eight
 * extra metered calls, spent only when the window holds more than one page.
 */
export const WINDOW_SLICES = 8;

/**
 * Every instance id in the window, paged in parallel: one page of the whole window first (most windows fit
 * in it); when there is more, the window is cut into `slices` equal time slices that are paged side by side.
 * Slicing buys time with calls, so callers slice only scans of a wide window that must finish in one poll (a
 * rebuild); with `slices: 1` the pages follow one cursor, as listAllProcessInstanceIds does.
 * Slices overlap by a second, so an approval created on a boundary is found whichever way DingTalk rounds it.
 * `notBefore` says, for each id a slice found, that slice's start: the earliest it can have been created.
 */
export async function listProcessInstanceIdsInSlices(
  transport: Transport,
  params: ListProcessInstanceIdsParams & { endTime: number },
  { slices = WINDOW_SLICES, boundaries, recentMs, ...options }: SliceOptions & { slices?: number; boundaries?: number[]; recentMs?: number } = {},
): Promise<Collected<string> & { notBefore?: ReadonlyMap<string, number> }> {
  // Where each id was found: a slice's start is the earliest the approval can have been created (notBefore).
  const notBefore = new Map<string, number>();
  const inWindow = async (window: { startTime: number; endTime: number }, cursor: number) => {
    const page = await listProcessInstanceIds(transport, { ...params, ...window }, cursor);
    for (const id of page.items) notBefore.set(id, Math.max(notBefore.get(id) ?? window.startTime, window.startTime));
    return page;
  };
  if (boundaries?.length) {
    // The caller knows roughly where the ids lie (a ledger knows its running approvals' times): slices cut there
    // hold about a page each, so paging them side by side costs about what one cursor would.
    const cuts = [params.startTime, ...boundaries.filter((at) => at > params.startTime && at < params.endTime), params.endTime];
    const windows = cuts.slice(1).map((end, i) => ({ startTime: cuts[i]!, endTime: i === cuts.length - 2 ? end : end + 1000 }));
    return { ...(await collectSlices(inWindow, windows, 0, options)), notBefore };
  }
  await options.beforePage?.();
  const first = await listProcessInstanceIds(transport, params);
  if (first.next === undefined) return { items: first.items, complete: true, pages: 1 };
  if (slices <= 1) {
    // One slice: the rest of the same cursor, one page after another (no page asked twice).
    const rest = await collectSlices((_, cursor: number) => listProcessInstanceIds(transport, params, cursor), [params], first.next, options);
    return { items: [...new Set([...first.items, ...rest.items])], complete: rest.complete, pages: rest.pages + 1 };
  }
  // With `recentMs`, most ids are expected in the last part of the window (running approvals are mostly recent):
  // everything older is one slice, and the recent part is cut into the others.
  const recentStart = recentMs !== undefined && recentMs < params.endTime - params.startTime ? params.endTime - recentMs : params.startTime;
  const evenSlices = recentStart > params.startTime ? slices - 1 : slices;
  const span = (params.endTime - recentStart) / evenSlices;
  const windows = [
    ...(recentStart > params.startTime ? [{ startTime: params.startTime, endTime: recentStart + 1000 }] : []),
    ...Array.from({ length: evenSlices }, (_, i) => ({
      startTime: Math.floor(recentStart + i * span),
      endTime: i === evenSlices - 1 ? params.endTime : Math.min(params.endTime, Math.floor(recentStart + (i + 1) * span) + 1000),
    })),
  ];
  const sliced = await collectSlices(inWindow, windows, 0, options);
  return { items: [...new Set([...first.items, ...sliced.items])], complete: sliced.complete, pages: sliced.pages + 1, notBefore };
}

/** Adds a comment (at most 1,024 characters) to an approval on behalf of a user. */
export async function addProcessInstanceComment(
  transport: Transport,
  body: { processInstanceId: string; text: string; commentUserId: string; file?: FileInput },
): Promise<boolean> {
  const { result } = await call(transport, endpoints.AddProcessInstanceComment, BooleanResultResponseBody, { body: { ...body } });
  return result ?? false;
}

/** Approves or rejects one running task of an approval. */
export async function executeProcessInstance(
  transport: Transport,
  body: { processInstanceId: string; taskId: number; actionerUserId: string; result: 'agree' | 'refuse'; remark?: string; file?: FileInput },
): Promise<boolean> {
  const { result } = await call(transport, endpoints.ExecuteProcessInstance, BooleanResultResponseBody, { body: { ...body } });
  return result ?? false;
}

/** DingTalk's documented limits for a transfer (transfer-the-oa-approval-task): remark 256, actionName 128 characters. */
export const MAX_REDIRECT_REMARK = 256;
export const MAX_REDIRECT_ACTION_NAME = 128;

/**
 * Transfers (转交) a pending task to another user. DingTalk's doc: `operateUserId` must be the task's current
 * approver ("需要跟任务的当前执行人保持一致，否则无法通过校验"); the task then ends REDIRECTED and the target gets a new task.
 * Fields from the SDK's RedirectWorkflowTaskRequest (`@alicloud/dingtalk` 2.2.27 workflow_1_0).
 */
export async function redirectWorkflowTask(
  transport: Transport,
  body: { taskId: number; toUserId: string; operateUserId: string; remark?: string; actionName?: string; file?: FileInput },
): Promise<boolean> {
  const { result } = await call(transport, endpoints.RedirectWorkflowTask, RedirectWorkflowTaskResponseBody, { body: { ...body } });
  return result ?? false;
}

/** Revokes (terminates) a running approval; `isSystem: false` acts as `operatingUserId`, who must be the originator. */
export async function terminateProcessInstance(
  transport: Transport,
  body: { processInstanceId: string; isSystem?: boolean; operatingUserId?: string; remark?: string },
): Promise<boolean> {
  const { result } = await call(transport, endpoints.TerminateProcessInstance, BooleanResultResponseBody, { body: { ...body } });
  return result ?? false;
}

/** A template's form schema: its name, status and components. */
export async function querySchemaByProcessCode(transport: Transport, processCode: string) {
  const { result } = await call(transport, endpoints.QuerySchemaByProcessCode, QuerySchemaByProcessCodeResponseBody, {
    query: { processCode },
  });
  return { name: result.name ?? undefined, status: result.status ?? undefined, components: result.schemaContent?.items ?? [] };
}

export interface Template {
  processCode: string;
  name: string;
  dirName?: string;
  iconUrl?: string;
}

/** DingTalk's page-size ceiling for ListUserVisibleBpmsProcesses. */
export const TEMPLATE_PAGE_SIZE = 100;

/** One page of templates; without `userId`, all of the org's templates. */
export async function listUserVisibleBpmsProcesses(
  transport: Transport,
  params: { userId?: string } = {},
  nextToken = 0,
): Promise<Page<Template, number>> {
  const { result } = await call(transport, endpoints.ListUserVisibleBpmsProcesses, ListUserVisibleBpmsProcessesResponseBody, {
    query: { ...params, maxResults: TEMPLATE_PAGE_SIZE, nextToken },
  });
  const items = (result.processList ?? []).map(({ processCode, name, dirName, iconUrl }) => ({
    processCode,
    name,
    dirName: dirName ?? undefined,
    iconUrl: iconUrl ?? undefined,
  }));
  // Per the doc a non-empty cursor means more; an empty page also stops the walk, so a cursor that never
  // empties cannot loop forever.
  return { items, next: items.length > 0 ? cursorOf(result.nextToken) : undefined };
}

/** Every template visible to `userId` (or the whole org), up to `limit`. */
export function listAllTemplates(transport: Transport, params: { userId?: string } = {}, limit?: number): Promise<Collected<Template>> {
  return collectPages((token) => listUserVisibleBpmsProcesses(transport, params, token), 0, limit);
}

/** The template code for an exact template name, or undefined (the doc's 400 `process.error`, "模板不存在"). */
export async function getProcessCodeByName(transport: Transport, name: string): Promise<string | undefined> {
  const { result } = await call(transport, endpoints.GetProcessCodeByName, GetProcessCodeByNameResponseBody, {
    query: { name },
    notFoundCodes: ['process.error'],
  });
  return result?.processCode || undefined;
}

/** A download URL for one attachment, valid for 15 minutes. */
export async function grantProcessInstanceForDownloadFile(
  transport: Transport,
  body: { processInstanceId: string; fileId: string; withCommentAttatchment?: boolean },
) {
  const { result } = await call(
    transport,
    endpoints.GrantProcessInstanceForDownloadFile,
    GrantProcessInstanceForDownloadFileResponseBody,
    { body: { ...body } },
  );
  return { downloadUri: result.downloadUri, fileId: result.fileId ?? body.fileId, spaceId: result.spaceId ?? undefined };
}

/** Predicts the approval flow for a would-be submission, including the originator-chosen approver nodes. */
export async function processForecast(
  transport: Transport,
  body: { processCode: string; deptId: number; userId: string; formComponentValues: FormComponentValueInput[] },
) {
  const { result } = await call(transport, endpoints.ProcessForecast, ProcessForecastResponseBody, { body: { ...body } });
  return result;
}
