/**
 * Everything the sandbox remembers, as plain JSON-serialisable data, so the same object can live in memory or be
 * written row by row to SQLite (persist.ts). Field names inside follow DingTalk's models where a response
 * echoes them; the rest are the sandbox's own bookkeeping.
 */

export interface User {
  userid: string;
  /** DingTalk keeps one name; Hong Kong staff usually carry "陳嘉欣 Chan Ka Yan". */
  name: string;
  mobile: string;
  email?: string;
  title: string;
  jobNumber: string;
  deptIds: number[];
  managerUserid?: string;
  /** Has activated DingTalk; the sandbox lets only active users originate, approve or be named in a form. */
  active: boolean;
  admin: boolean;
  boss: boolean;
  hiredDate: number;
}

export interface Department {
  deptId: number;
  name: string;
  parentId?: number;
}

/** One form control, in QuerySchemaByProcessCode's shape. Children carry only the props the SDK models. */
export interface FormComponent {
  componentName: string;
  props: Record<string, unknown> & { id: string; label: string; required?: boolean; options?: string[] };
  children?: FormComponent[];
}

/** Who acts at a node of a template's flow. */
export type Actor =
  | { type: 'manager' }
  | { type: 'users'; userIds: string[] }
  /** 发起人自选: the originator names the approvers, from `range`, at start (targetSelectActioners). */
  | { type: 'chosen'; range: string[]; multi: boolean };

/** When a conditional node applies, read from the submitted form. */
export type Condition =
  | { type: 'amountAbove'; field: string; limit: number }
  | { type: 'oneOf'; field: string; values: string[] }
  /** Sum over a table's rows of quantity × unit price, by child component id. */
  | { type: 'tableTotalAbove'; field: string; quantity: string; unitPrice: string; limit: number };

export interface FlowNode {
  activityId: string;
  name: string;
  kind: 'approver' | 'notifier';
  actor: Actor;
  /** For several approvers at one node: AND = everyone (会签), OR = the first to act (或签). */
  method: 'AND' | 'OR' | 'NONE';
  when?: Condition;
  /** The key ProcessForecast hands out for a chosen node, and StartProcessInstance expects back. */
  actorKey: string;
}

export interface Template {
  processCode: string;
  /** ProcessForecast's numeric processId. */
  processId: number;
  name: string;
  memo: string;
  icon: string;
  dirId: string;
  dirName: string;
  formUuid: string;
  creatorUserId: string;
  gmtCreate: number;
  gmtModified: number;
  items: FormComponent[];
  flow: FlowNode[];
}

/** One step of a running instance: a template node resolved to people, or a step from the caller's `approvers`. */
export interface Step {
  activityId: string;
  name: string;
  kind: 'approver' | 'notifier';
  method: 'AND' | 'OR' | 'NONE';
  userIds: string[];
}

export interface Task {
  taskId: number;
  userId: string;
  status: 'NEW' | 'RUNNING' | 'COMPLETED' | 'CANCELED';
  /** REDIRECTED: transferred (转交) to someone else, who gets a new task at the same node. */
  result: 'AGREE' | 'REFUSE' | 'REDIRECTED' | 'NONE';
  createTime: number;
  finishTime?: number;
  activityId: string;
}

export interface FileRef {
  spaceId: string;
  fileId: string;
  fileName: string;
  fileSize: string;
  fileType: string;
}

export interface OperationRecord {
  userId?: string;
  date: number;
  type: 'START_PROCESS_INSTANCE' | 'EXECUTE_TASK_NORMAL' | 'REDIRECT_TASK' | 'ADD_REMARK' | 'TERMINATE_PROCESS_INSTANCE' | 'PROCESS_CC';
  result: 'AGREE' | 'REFUSE' | 'NONE';
  remark?: string;
  attachments?: FileRef[];
  images?: string[];
  ccUserIds?: string[];
  activityId?: string;
  showName?: string;
}

/** A form value as GetProcessInstance returns it (the response encodings, not the request ones). */
export interface StoredValue {
  id: string;
  name: string;
  value: string;
  extValue?: string;
  componentType: string;
  bizAlias?: string;
}

export interface Instance {
  processInstanceId: string;
  processCode: string;
  title: string;
  businessId: string;
  originatorUserId: string;
  originatorDeptId: string;
  originatorDeptName: string;
  createTime: number;
  finishTime?: number;
  status: 'RUNNING' | 'COMPLETED' | 'TERMINATED';
  result: '' | 'agree' | 'refuse';
  /** Only for instances started through the API. */
  approverUserIds?: string[];
  ccUserIds: string[];
  /** CC given with `approvers`: who, and when they are copied. */
  cc?: { userIds: string[]; position: 'START' | 'FINISH' | 'START_FINISH' };
  formComponentValues: StoredValue[];
  steps: Step[];
  /** Index into `steps` of the step whose tasks are running. */
  currentStep: number;
  tasks: Task[];
  operationRecords: OperationRecord[];
}

export interface StoredFile extends FileRef {
  processInstanceId: string;
  /** Attached to an operation record (a comment or a decision) rather than to the form. */
  comment: boolean;
  contentBase64: string;
}

export interface SentMessage {
  taskId: number;
  agentId: string;
  userIds: string[];
  deptIds: number[];
  toAllUser: boolean;
  msg: unknown;
  sentAt: number;
}

export interface MeterCounts {
  metered: number;
  free: number;
  byEndpoint: Record<string, number>;
}

export interface State {
  version: 1;
  /** Signs download URLs; kept with the state so URLs survive a restart. */
  secret: string;
  /** Added to Date.now() by the default clock (org.advance). */
  clockOffsetMs: number;
  app: { appKey: string; appSecret: string; agentId: string };
  org: { corpId: string; name: string };
  users: User[];
  departments: Department[];
  templates: Template[];
  instances: Record<string, Instance>;
  files: Record<string, StoredFile>;
  /** token → expiry (ms). */
  tokens: Record<string, number>;
  messages: SentMessage[];
  meter: MeterCounts;
  counters: { instance: number; task: number; file: number; message: number };
}

/** The rows the state is stored as: one for the small things, one per instance, file and message. */
export function stateRows(state: State): Map<string, string> {
  const { instances, files, messages, ...meta } = state;
  const rows = new Map<string, string>([['meta', JSON.stringify(meta)]]);
  for (const [id, instance] of Object.entries(instances)) rows.set(`instance:${id}`, JSON.stringify(instance));
  for (const [id, file] of Object.entries(files)) rows.set(`file:${id}`, JSON.stringify(file));
  for (const message of messages) rows.set(`message:${String(message.taskId).padStart(12, '0')}`, JSON.stringify(message));
  return rows;
}

/** The inverse of stateRows. */
export function stateFromRows(rows: Iterable<[string, string]>): State | undefined {
  let meta: Omit<State, 'instances' | 'files' | 'messages'> | undefined;
  const instances: Record<string, Instance> = {};
  const files: Record<string, StoredFile> = {};
  const messages: SentMessage[] = [];
  for (const [key, value] of rows) {
    const data: unknown = JSON.parse(value);
    if (key === 'meta') meta = data as typeof meta;
    else if (key.startsWith('instance:')) instances[key.slice('instance:'.length)] = data as Instance;
    else if (key.startsWith('file:')) files[key.slice('file:'.length)] = data as StoredFile;
    else if (key.startsWith('message:')) messages.push(data as SentMessage);
  }
  if (!meta) return undefined;
  if (meta.version !== 1) throw new Error(`The sandbox database holds state version ${String(meta.version)}; this sandbox reads version 1.`);
  messages.sort((a, b) => a.taskId - b.taskId);
  return { ...meta, instances, files, messages };
}

export const userById = (state: State, userid: string | undefined): User | undefined =>
  userid === undefined ? undefined : state.users.find((user) => user.userid === userid);

export const departmentById = (state: State, deptId: number): Department | undefined =>
  state.departments.find((department) => department.deptId === deptId);

export const templateByCode = (state: State, processCode: string | undefined): Template | undefined =>
  state.templates.find((template) => template.processCode === processCode);
