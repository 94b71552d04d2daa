/**
 * Contract test: our DingTalk client against the official SDK (`@alicloud/dingtalk` 2.2.27) for api.dingtalk.com,
 * and against the documented field lists for the legacy oapi.dingtalk.com calls the SDK does not cover.
 *
 * For every endpoint in `dingtalk/endpoints.ts` the table below says how to call our client with every optional
 * field filled (so every key we can send is sent), what a successful answer looks like, which zod schema parses it
 * and what it is checked against. The checks:
 *  - every endpoint has an entry and every entry names an endpoint;
 *  - api host: the SDK's `<action>WithOptions` uses our method and path, and puts the fields where we put them
 *    (query for GET, body for POST);
 *  - every key we send exists in the SDK request model (or the documented request fields), recursively;
 *  - every key our response schema reads exists in the SDK response model (or the documented response fields);
 *  - the sandbox (sandbox/), driven over HTTP by our client through every endpoint, accepts what we send and answers
 *    with bodies our schemas parse and whose keys all exist in the SDK response model (or the documented fields);
 *  - the walkers themselves report deliberately wrong keys, so a broken walker cannot pass silently.
 */
import nock from 'nock';
import { z } from 'zod';
import * as contact_1_0 from '@alicloud/dingtalk/dist/contact_1_0/client';
import * as gateway_1_0 from '@alicloud/dingtalk/dist/gateway_1_0/client';
import * as oauth2_1_0 from '@alicloud/dingtalk/dist/oauth2_1_0/client';
import * as workflow_1_0 from '@alicloud/dingtalk/dist/workflow_1_0/client';
import { getAccessToken } from '../../dingtalk/auth';
import { getDepartment, getUser, getUserIdByMobile, listDepartmentUsers, listSubDepartments, searchUser } from '../../dingtalk/contact';
import { endpoints, type Endpoint, type EndpointName } from '../../dingtalk/endpoints';
import { openConnection } from '../../dingtalk/gateway';
import { OpenConnectionResponseBody } from '../../dingtalk/schemas/gateway';
import { sendWorkNotification } from '../../dingtalk/message';
import {
  GetDepartmentResponseBody,
  GetUserByMobileResponseBody,
  GetUserResponseBody,
  ListDepartmentUsersSimpleResponseBody,
  ListSubDepartmentsResponseBody,
  SearchUserResponseBody,
} from '../../dingtalk/schemas/contact';
import { SendWorkNotificationResponseBody } from '../../dingtalk/schemas/message';
import { GetAccessTokenResponseBody } from '../../dingtalk/schemas/oauth2';
import {
  BooleanResultResponseBody,
  GetProcessCodeByNameResponseBody,
  GetProcessInstanceResponseBody,
  GrantProcessInstanceForDownloadFileResponseBody,
  ListProcessInstanceIdsResponseBody,
  ListUserVisibleBpmsProcessesResponseBody,
  ProcessForecastResponseBody,
  QuerySchemaByProcessCodeResponseBody,
  RedirectWorkflowTaskResponseBody,
  StartProcessInstanceResponseBody,
} from '../../dingtalk/schemas/workflow';
import { axiosTransport } from '../../dingtalk/axios-transport';
import { type DingTalkRequest, type Transport } from '../../dingtalk/transport';
import {
  addProcessInstanceComment,
  executeProcessInstance,
  getProcessCodeByName,
  getProcessInstance,
  grantProcessInstanceForDownloadFile,
  listProcessInstanceIds,
  listUserVisibleBpmsProcesses,
  processForecast,
  querySchemaByProcessCode,
  redirectWorkflowTask,
  startProcessInstance,
  terminateProcessInstance,
  type FileInput,
  type FormComponentValueInput,
} from '../../dingtalk/workflow';
import { createSandbox, type Sandbox } from '../../sandbox';
import { exerciseEveryEndpoint } from '../sandbox/scenario';

// ---------------------------------------------------------------------------------------------------------------
// Shapes: what the other side knows, as a tree of JSON names. Built from SDK models or written from the docs.
// ---------------------------------------------------------------------------------------------------------------

type Shape =
  | { kind: 'object'; name: string; fields: Readonly<Record<string, Shape>> }
  | { kind: 'array'; item: Shape }
  /** Any keys below: an SDK `map`, or a documented field whose inner layout the field list does not give. */
  | { kind: 'free' }
  | { kind: 'leaf'; type: string };

const free: Shape = { kind: 'free' };

/** A Tea model class as the SDK generates it: `names()` maps property → JSON name, `types()` property → type. */
interface SdkModelClass {
  readonly name: string;
  names(): Record<string, string>;
  types(): Record<string, unknown>;
  new (map?: Record<string, unknown>): object;
}

function isModelClass(value: unknown): value is SdkModelClass {
  return (
    typeof value === 'function' &&
    'names' in value &&
    typeof value.names === 'function' &&
    'types' in value &&
    typeof value.types === 'function'
  );
}

/** Turns an SDK `types()` entry into a Shape: 'string' | ModelClass | {type:'array', itemType} | {type:'map', …}. */
function sdkShape(type: unknown): Shape {
  if (typeof type === 'string') return type === 'any' ? free : { kind: 'leaf', type };
  if (isModelClass(type)) return modelShape(type);
  if (typeof type === 'object' && type !== null && 'type' in type) {
    if (type.type === 'array' && 'itemType' in type) return { kind: 'array', item: sdkShape(type.itemType) };
    if (type.type === 'map') return free;
  }
  throw new Error(`unknown SDK type descriptor: ${JSON.stringify(type)}`);
}

function modelShape(model: SdkModelClass): Shape {
  const names = model.names();
  const types = model.types();
  const fields: Record<string, Shape> = {};
  for (const [property, jsonName] of Object.entries(names)) fields[jsonName] = sdkShape(types[property]);
  return { kind: 'object', name: model.name, fields };
}

/** A documented object: the listed fields exist; their inner layout is not claimed (the field lists stop there). */
const documented = (name: string, fields: readonly string[], nested: Record<string, Shape> = {}): Shape => ({
  kind: 'object',
  name,
  fields: { ...Object.fromEntries(fields.map((field) => [field, free])), ...nested },
});

const arrayOf = (item: Shape): Shape => ({ kind: 'array', item });

const describeShape = (shape: Shape): string =>
  shape.kind === 'object' ? shape.name : shape.kind === 'leaf' ? shape.type : shape.kind === 'array' ? 'an array' : 'free-form';

// ---------------------------------------------------------------------------------------------------------------
// Walkers. Each returns every offending path; an empty list means the contract holds.
// ---------------------------------------------------------------------------------------------------------------

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Keys in a JSON value (a request we sent, a canned answer) that the shape does not know, recursively. */
function dataMismatches(value: unknown, shape: Shape, path = ''): string[] {
  if (shape.kind === 'free') return [];
  if (Array.isArray(value)) {
    if (shape.kind !== 'array') return [`${path || '(root)'}: we have an array, the contract has ${describeShape(shape)}`];
    return value.flatMap((item) => dataMismatches(item, shape.item, `${path}[]`));
  }
  if (isPlainObject(value)) {
    if (shape.kind !== 'object') return [`${path || '(root)'}: we have an object, the contract has ${describeShape(shape)}`];
    return Object.entries(value).flatMap(([key, child]) => {
      if (child === undefined) return []; // never sent: JSON drops it, and so does our query builder
      const field = shape.fields[key];
      return field ? dataMismatches(child, field, join(path, key)) : [`${join(path, key)} (not in ${shape.name})`];
    });
  }
  return [];
}

/** Schema kinds that read no keys below them. */
const ZOD_LEAVES = new Set([
  'string', 'number', 'int', 'boolean', 'bigint', 'symbol', 'null', 'undefined', 'void', 'never', 'any', 'unknown',
  'date', 'nan', 'enum', 'literal', 'template_literal', 'file',
]);

/** Keys a zod schema reads that the shape does not know, recursively through wrappers, arrays and unions. */
function schemaMismatches(schema: z.core.$ZodType, shape: Shape, path = ''): string[] {
  const where = path || '(root)';
  if (shape.kind === 'free') return [];
  if (
    schema instanceof z.ZodOptional ||
    schema instanceof z.ZodNullable ||
    schema instanceof z.ZodDefault ||
    schema instanceof z.ZodPrefault ||
    schema instanceof z.ZodReadonly ||
    schema instanceof z.ZodCatch ||
    schema instanceof z.ZodNonOptional
  ) {
    return schemaMismatches(schema.unwrap(), shape, path);
  }
  if (schema instanceof z.ZodPipe) return schemaMismatches(schema.in, shape, path);
  if (schema instanceof z.ZodObject) {
    if (shape.kind !== 'object') return [`${where}: the schema reads an object, the contract has ${describeShape(shape)}`];
    return Object.entries(schema.shape).flatMap(([key, child]) => {
      const field = shape.fields[key];
      return field ? schemaMismatches(child, field, join(path, key)) : [`${join(path, key)} (not in ${shape.name})`];
    });
  }
  if (schema instanceof z.ZodArray) {
    if (shape.kind !== 'array') return [`${where}: the schema reads an array, the contract has ${describeShape(shape)}`];
    return schemaMismatches(schema.element, shape.item, `${path}[]`);
  }
  if (schema instanceof z.ZodUnion) {
    // Only the options that read structure can disagree on keys; scalar options (string | number) cannot.
    return schema.options.flatMap((option) => {
      const inner = unwrapped(option);
      return inner instanceof z.ZodObject || inner instanceof z.ZodArray ? schemaMismatches(option, shape, path) : [];
    });
  }
  const kind = schema._zod.def.type;
  return ZOD_LEAVES.has(kind) ? [] : [`${where}: the contract walker does not understand zod '${kind}'`];
}

function unwrapped(schema: z.core.$ZodType): z.core.$ZodType {
  return schema instanceof z.ZodOptional || schema instanceof z.ZodNullable ? unwrapped(schema.unwrap()) : schema;
}

// ---------------------------------------------------------------------------------------------------------------
// The SDK side: models by name, and what `<action>WithOptions` would send (its `execute` is stubbed).
// ---------------------------------------------------------------------------------------------------------------

type SdkModule = typeof oauth2_1_0 | typeof workflow_1_0 | typeof contact_1_0 | typeof gateway_1_0;

interface SdkRef {
  /** The SDK module, e.g. workflow_1_0 (`require('@alicloud/dingtalk/workflow_1_0')`). */
  module: SdkModule;
  moduleName: 'oauth2_1_0' | 'workflow_1_0' | 'contact_1_0' | 'gateway_1_0';
  /** The action: models are `<action>Request`, `<action>ResponseBody`; the call `<action>WithOptions`. */
  action: string;
}

const sdkExport = (ref: SdkRef, name: string): unknown => (ref.module as unknown as Record<string, unknown>)[name];

function sdkModel(ref: SdkRef, name: string): SdkModelClass {
  const model = sdkExport(ref, name);
  if (!isModelClass(model)) throw new Error(`${ref.moduleName} has no model ${name}`);
  return model;
}

interface SdkSend {
  action: unknown;
  method: unknown;
  pathname: unknown;
  authType: unknown;
  query: Record<string, unknown> | undefined;
  body: Record<string, unknown> | undefined;
}

type SdkClientClass = new (config: Record<string, unknown>) => object;
const isClientClass = (value: unknown): value is SdkClientClass => typeof value === 'function';
type SdkMethod = (this: object, request: object, headers: object, runtime: object) => Promise<unknown>;
const isSdkMethod = (value: unknown): value is SdkMethod => typeof value === 'function';

/** Runs the SDK's `<action>WithOptions` with a stubbed `execute` and returns what it would have sent. */
async function sdkSend(ref: SdkRef, fields: Record<string, unknown> = {}): Promise<SdkSend> {
  const Client = sdkExport(ref, 'default');
  if (!isClientClass(Client)) throw new Error(`${ref.moduleName} has no Client`);
  const client = new Client({});
  let sent: SdkSend | undefined;
  const execute = async (params: Record<string, unknown>, req: Record<string, unknown>) => {
    const asMap = (value: unknown) => (isPlainObject(value) ? value : undefined);
    sent = {
      action: params.action,
      method: params.method,
      pathname: params.pathname,
      authType: params.authType,
      query: asMap(req.query),
      body: asMap(req.body),
    };
    return {};
  };
  Object.assign(client, { execute });

  // Our JSON names → the model's property names (identical in these modules, but the model is keyed by property).
  const RequestModel = sdkModel(ref, `${ref.action}Request`);
  const propertyOf = new Map(Object.entries(RequestModel.names()).map(([property, jsonName]) => [jsonName, property]));
  const request = new RequestModel(Object.fromEntries(Object.entries(fields).map(([key, value]) => [propertyOf.get(key) ?? key, value])));
  const HeadersModel = sdkExport(ref, `${ref.action}Headers`);
  const headers = isModelClass(HeadersModel) ? new HeadersModel({}) : {};

  const methodName = `${ref.action.charAt(0).toLowerCase()}${ref.action.slice(1)}WithOptions`;
  const method: unknown = Reflect.get(client, methodName);
  if (!isSdkMethod(method)) throw new Error(`${ref.moduleName} Client has no ${methodName}`);
  try {
    await method.call(client, request, headers, {});
  } catch {
    // Casting the stub's `{}` into the response model may throw; what was sent is already captured.
  }
  if (!sent) throw new Error(`${methodName} did not reach execute`);
  return sent;
}

// ---------------------------------------------------------------------------------------------------------------
// The contract table.
// ---------------------------------------------------------------------------------------------------------------

interface DocumentedContract {
  /** The slug of https://open.dingtalk.com/document/development/<doc> the field lists come from. */
  doc: string;
  request: Shape;
  response: Shape;
}

interface ContractEntry {
  /** Calls our client function with every optional field filled. */
  call: (transport: Transport) => Promise<unknown>;
  /** A successful answer, returned by the recording transport. */
  reply: unknown;
  /** The zod schema our client parses the answer with. */
  schema: z.ZodType;
  /** api host: the SDK action; oapi host: the documented fields. */
  against: { sdk: SdkRef } | { documented: DocumentedContract };
}

const workflow = (action: string): { sdk: SdkRef } => ({ sdk: { module: workflow_1_0, moduleName: 'workflow_1_0', action } });

const file: Required<FileInput> = {
  photos: ['https://example.com/photo.png'],
  attachments: [{ spaceId: 's1', fileSize: '1024', fileId: 'f1', fileName: 'a.pdf', fileType: 'pdf' }],
};

/**
 * A form value with every optional field, nested the three levels the SDK models
 * (FormComponentValues → …Details → …DetailsDetails), each level with every key its type allows.
 */
const formValue: FormComponentValueInput = {
  name: 'field-1',
  value: 'value-1',
  id: 'TextField-1',
  bizAlias: 'alias-1',
  extValue: '{}',
  componentType: 'TextField',
  details: [
    {
      name: 'field-2',
      value: 'value-2',
      id: 'TextField-2',
      bizAlias: 'alias-2',
      extValue: '{}',
      details: [{ name: 'field-3', value: 'value-3', id: 'TextField-3', bizAlias: 'alias-3', extValue: '{}', componentType: 'TextField' }],
    },
  ],
};

/** Every oapi answer is wrapped in errcode/errmsg/request_id. */
const OAPI_ENVELOPE = ['errcode', 'errmsg', 'request_id'] as const;
const oapiOk = { errcode: 0, errmsg: 'ok', request_id: 'r1' };

const contracts: Partial<Record<EndpointName, ContractEntry>> = {
  GetAccessToken: {
    call: (t) => getAccessToken(t, { appKey: 'key', appSecret: 'secret' }),
    reply: { accessToken: 'token', expireIn: 7200 },
    schema: GetAccessTokenResponseBody,
    against: { sdk: { module: oauth2_1_0, moduleName: 'oauth2_1_0', action: 'GetAccessToken' } },
  },

  // Anonymous (no token); the body carries the credentials. The docs' `ua` is not in the SDK model, so we never send it.
  OpenConnection: {
    call: (t) =>
      openConnection(t, {
        clientId: 'key',
        clientSecret: 'secret',
        subscriptions: [{ type: 'EVENT', topic: '*' }, { type: 'CALLBACK', topic: '/v1.0/im/bot/messages/get' }],
        localIp: '10.0.0.5,10.0.0.6',
        extras: { client: 'dingtalk-approvals-relay' },
      }),
    reply: { endpoint: 'wss://wss-open-connection.dingtalk.com:443/connect', ticket: '7724109a-ea43-4aa2-b803-87d82c5aaee6' },
    schema: OpenConnectionResponseBody,
    against: { sdk: { module: gateway_1_0, moduleName: 'gateway_1_0', action: 'OpenConnection' } },
  },

  StartProcessInstance: {
    call: (t) =>
      startProcessInstance(t, {
        processCode: 'PROC-1',
        originatorUserId: 'u1',
        deptId: 2,
        microappAgentId: 3,
        approvers: [{ actionType: 'AND', userIds: ['u2'] }],
        ccList: ['u3'],
        ccPosition: 'START_FINISH',
        targetSelectActioners: [{ actionerKey: 'manual_1', actionerUserIds: ['u4'] }],
        formComponentValues: [formValue],
      }),
    reply: { instanceId: 'i1' },
    schema: StartProcessInstanceResponseBody,
    against: workflow('StartProcessInstance'),
  },
  GetProcessInstance: {
    call: (t) => getProcessInstance(t, 'i1'),
    reply: { result: { status: 'RUNNING' }, success: 'true' },
    schema: GetProcessInstanceResponseBody,
    against: workflow('GetProcessInstance'),
  },
  ListProcessInstanceIds: {
    call: (t) =>
      listProcessInstanceIds(t, { processCode: 'PROC-1', startTime: 1, endTime: 2, userIds: ['u1'], statuses: ['RUNNING'] }, 20),
    reply: { result: { list: ['i1'], nextToken: '40' }, success: true },
    schema: ListProcessInstanceIdsResponseBody,
    against: workflow('ListProcessInstanceIds'),
  },
  AddProcessInstanceComment: {
    call: (t) => addProcessInstanceComment(t, { processInstanceId: 'i1', text: 'ok', commentUserId: 'u1', file }),
    reply: { result: true, success: true },
    schema: BooleanResultResponseBody,
    against: workflow('AddProcessInstanceComment'),
  },
  ExecuteProcessInstance: {
    call: (t) =>
      executeProcessInstance(t, { processInstanceId: 'i1', taskId: 5, actionerUserId: 'u1', result: 'agree', remark: 'fine', file }),
    reply: { result: true, success: true },
    schema: BooleanResultResponseBody,
    against: workflow('ExecuteProcessInstance'),
  },
  RedirectWorkflowTask: {
    call: (t) => redirectWorkflowTask(t, { taskId: 5, toUserId: 'u2', operateUserId: 'u1', remark: 'Please cover', actionName: 'Transfer', file }),
    reply: { result: true },
    schema: RedirectWorkflowTaskResponseBody,
    against: workflow('RedirectWorkflowTask'),
  },
  TerminateProcessInstance: {
    call: (t) => terminateProcessInstance(t, { processInstanceId: 'i1', isSystem: false, operatingUserId: 'u1', remark: 'oops' }),
    reply: { result: true, success: true },
    schema: BooleanResultResponseBody,
    against: workflow('TerminateProcessInstance'),
  },
  QuerySchemaByProcessCode: {
    call: (t) => querySchemaByProcessCode(t, 'PROC-1'),
    reply: { result: { name: 'Leave', status: 'PUBLISHED', schemaContent: { title: 'Leave', items: [] } } },
    schema: QuerySchemaByProcessCodeResponseBody,
    against: workflow('QuerySchemaByProcessCode'),
  },
  ListUserVisibleBpmsProcesses: {
    call: (t) => listUserVisibleBpmsProcesses(t, { userId: 'u1' }, 100),
    reply: { result: { nextToken: 200, processList: [{ name: 'Leave', processCode: 'PROC-1' }] } },
    schema: ListUserVisibleBpmsProcessesResponseBody,
    against: workflow('ListUserVisibleBpmsProcesses'),
  },
  GetProcessCodeByName: {
    call: (t) => getProcessCodeByName(t, 'Leave'),
    reply: { result: { processCode: 'PROC-1' } },
    schema: GetProcessCodeByNameResponseBody,
    against: workflow('GetProcessCodeByName'),
  },
  GrantProcessInstanceForDownloadFile: {
    call: (t) => grantProcessInstanceForDownloadFile(t, { processInstanceId: 'i1', fileId: 'f1', withCommentAttatchment: true }),
    reply: { result: { downloadUri: 'https://example.com/f1', fileId: 'f1', spaceId: 7 }, success: true },
    schema: GrantProcessInstanceForDownloadFileResponseBody,
    against: workflow('GrantProcessInstanceForDownloadFile'),
  },
  ProcessForecast: {
    call: (t) => processForecast(t, { processCode: 'PROC-1', deptId: 2, userId: 'u1', formComponentValues: [formValue] }),
    reply: { result: { isForecastSuccess: true, workflowActivityRules: [] } },
    schema: ProcessForecastResponseBody,
    against: workflow('ProcessForecast'),
  },

  SearchUser: {
    call: (t) => searchUser(t, { queryWord: 'Alice', exact: true }, 20, 10),
    reply: { hasMore: false, totalCount: 1, list: ['u1'] },
    schema: SearchUserResponseBody,
    against: { sdk: { module: contact_1_0, moduleName: 'contact_1_0', action: 'SearchUser' } },
  },

  // https://open.dingtalk.com/document/development/query-users-by-phone-number
  GetUserByMobile: {
    call: (t) => getUserIdByMobile(t, '13800000000'),
    reply: { ...oapiOk, result: { userid: 'u1' } },
    schema: GetUserByMobileResponseBody,
    against: {
      documented: {
        doc: 'query-users-by-phone-number',
        request: documented('getbymobile request', ['mobile', 'support_exclusive_account_search']),
        response: documented('getbymobile response', OAPI_ENVELOPE, {
          result: documented('getbymobile result', ['userid', 'exclusive_account_userid_list']),
        }),
      },
    },
  },

  // https://open.dingtalk.com/document/development/query-user-details
  GetUser: {
    call: (t) => getUser(t, 'u1'),
    reply: { ...oapiOk, result: { userid: 'u1', name: 'Alice' } },
    schema: GetUserResponseBody,
    against: {
      documented: {
        doc: 'query-user-details',
        request: documented('user/get request', ['userid', 'language']),
        response: documented('user/get response', OAPI_ENVELOPE, {
          result: documented('user/get result', [
            'userid', 'unionid', 'name', 'avatar', 'state_code', 'manager_userid', 'mobile', 'hide_mobile', 'telephone',
            'job_number', 'title', 'email', 'work_place', 'remark', 'login_id', 'exclusive_account_type',
            'exclusive_account', 'dept_id_list', 'dept_order_list', 'extension', 'hired_date', 'active', 'real_authed',
            'org_email', 'org_email_type', 'senior', 'admin', 'boss', 'leader_in_dept', 'role_list', 'union_emp_ext',
          ]),
        }),
      },
    },
  },

  // https://open.dingtalk.com/document/development/queries-the-simple-information-of-a-department-user
  ListDepartmentUsersSimple: {
    call: (t) => listDepartmentUsers(t, 10, 100),
    reply: { ...oapiOk, result: { has_more: true, next_cursor: 200, list: [{ userid: 'u1', name: 'Alice' }] } },
    schema: ListDepartmentUsersSimpleResponseBody,
    against: {
      documented: {
        doc: 'queries-the-simple-information-of-a-department-user',
        request: documented('user/listsimple request', ['dept_id', 'cursor', 'size', 'order_field', 'contain_access_limit', 'language']),
        response: documented('user/listsimple response', OAPI_ENVELOPE, {
          result: documented('user/listsimple result', ['has_more', 'next_cursor'], {
            list: arrayOf(documented('user/listsimple result.list[]', ['userid', 'name'])),
          }),
        }),
      },
    },
  },

  // https://open.dingtalk.com/document/development/user-management-acquires-the-list-departments
  ListSubDepartments: {
    call: (t) => listSubDepartments(t, 1),
    reply: { ...oapiOk, result: [{ dept_id: 2, name: 'Sales', parent_id: 1 }] },
    schema: ListSubDepartmentsResponseBody,
    against: {
      documented: {
        doc: 'user-management-acquires-the-list-departments',
        request: documented('department/listsub request', ['dept_id', 'language']),
        response: documented('department/listsub response', OAPI_ENVELOPE, {
          result: arrayOf(
            documented('department/listsub result[]', [
              'dept_id', 'name', 'parent_id', 'create_dept_group', 'auto_add_user', 'from_union_org', 'tags',
            ]),
          ),
        }),
      },
    },
  },

  // https://open.dingtalk.com/document/development/query-department-details0-v2
  GetDepartment: {
    call: (t) => getDepartment(t, 1),
    reply: { ...oapiOk, result: { dept_id: 1, name: 'Acme' } },
    schema: GetDepartmentResponseBody,
    against: {
      documented: {
        doc: 'query-department-details0-v2',
        request: documented('department/get request', ['dept_id', 'language']),
        response: documented('department/get response', OAPI_ENVELOPE, {
          result: documented('department/get result', [
            'dept_id', 'name', 'parent_id', 'source_identifier', 'create_dept_group', 'auto_add_user', 'from_union_org',
            'tags', 'order', 'dept_group_chat_id', 'group_contain_sub_dept', 'org_dept_owner', 'dept_manager_userid_list',
            'outer_dept', 'outer_permit_depts', 'outer_permit_users', 'hide_dept', 'user_permits', 'dept_permits',
            'brief', 'code',
          ]),
        }),
      },
    },
  },

  // https://open.dingtalk.com/document/development/asynchronous-sending-of-enterprise-session-messages
  // `msg` is listed as one JSON object whose layout depends on msgtype; the field list does not go below it.
  SendWorkNotification: {
    call: (t) =>
      sendWorkNotification(t, {
        agentId: 1,
        userIds: ['u1', 'u2'],
        deptIds: [2, 3],
        toAllUser: true,
        msg: { msgtype: 'link', link: { title: 't', text: 'x', messageUrl: 'https://example.com', picUrl: '@lADO' } },
      }),
    reply: { ...oapiOk, task_id: 42 },
    schema: SendWorkNotificationResponseBody,
    against: {
      documented: {
        doc: 'asynchronous-sending-of-enterprise-session-messages',
        request: documented('asyncsend_v2 request', ['agent_id', 'userid_list', 'dept_id_list', 'to_all_user', 'msg']),
        response: documented('asyncsend_v2 response', ['errcode', 'errmsg', 'task_id', 'request_id']),
      },
    },
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Helpers over the table.
// ---------------------------------------------------------------------------------------------------------------

const endpointOf = (key: string): Endpoint | undefined => (endpoints as Record<string, Endpoint>)[key];

const entries = Object.entries(contracts).flatMap(([key, entry]) => {
  const endpoint = endpointOf(key);
  return entry && endpoint ? [{ key, endpoint, entry }] : [];
});
const sdkEntries = entries.flatMap(({ key, endpoint, entry }) => ('sdk' in entry.against ? [{ key, endpoint, entry, sdk: entry.against.sdk }] : []));
const docEntries = entries.flatMap(({ key, endpoint, entry }) =>
  'documented' in entry.against ? [{ key, endpoint, entry, documented: entry.against.documented }] : [],
);

/** Calls our client with a transport that records the one request and answers with the canned body. */
async function record(entry: ContractEntry): Promise<DingTalkRequest> {
  const sent: DingTalkRequest[] = [];
  await entry.call(async (request) => {
    sent.push(request);
    return entry.reply;
  });
  const [request, ...more] = sent;
  if (!request || more.length > 0) throw new Error(`expected exactly one request, got ${sent.length}`);
  return request;
}

/** Where our request carries its fields, and the fields themselves. */
function payloadOf(request: DingTalkRequest): { placement: 'query' | 'body'; fields: Record<string, unknown> } {
  if (request.body !== undefined) return { placement: 'body', fields: request.body };
  return { placement: 'query', fields: request.query ?? {} };
}

/** Top-level keys whose value is actually sent (our transport and the SDK both drop undefined). */
const sentKeys = (fields: Record<string, unknown> | undefined) =>
  Object.entries(fields ?? {})
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([key]) => key)
    .sort();

// ---------------------------------------------------------------------------------------------------------------
// Tests.
// ---------------------------------------------------------------------------------------------------------------

describe('contract table', () => {
  test('every endpoint has a contract entry', () => {
    const missing = Object.keys(endpoints).filter((key) => !(key in contracts));
    expect(missing).toEqual([]);
  });

  test('every contract entry names an existing endpoint', () => {
    const unknown = Object.keys(contracts).filter((key) => !endpointOf(key));
    expect(unknown).toEqual([]);
  });

  test('api-host endpoints are checked against the SDK, oapi endpoints against documented fields', () => {
    const wrongKind = entries
      .filter(({ endpoint, entry }) => (endpoint.host === 'api') !== 'sdk' in entry.against)
      .map(({ key }) => key);
    expect(wrongKind).toEqual([]);
  });

  test.each(docEntries)('$key cites its own doc page', ({ endpoint, documented }) => {
    expect(documented.doc).toBe(endpoint.doc);
  });

  test.each(entries)('$key: the client parses with the schema the table names, and sends one request to this endpoint', async ({ endpoint, entry }) => {
    const safeParse = jest.spyOn(entry.schema, 'safeParse');
    try {
      const request = await record(entry);
      expect(request.endpoint).toBe(endpoint);
      expect(safeParse).toHaveBeenCalledWith(entry.reply);
    } finally {
      safeParse.mockRestore();
    }
  });
});

describe('api.dingtalk.com against @alicloud/dingtalk 2.2.27', () => {
  test.each(sdkEntries)('$key: SDK action, method, path and auth match endpoints.ts', async ({ endpoint, sdk }) => {
    const sent = await sdkSend(sdk);
    expect({ action: sent.action, method: sent.method, pathname: sent.pathname, anonymous: sent.authType === 'Anonymous' }).toEqual({
      action: endpoint.name,
      method: endpoint.method,
      pathname: endpoint.path,
      anonymous: !endpoint.authenticated,
    });
  });

  test.each(sdkEntries)('$key: we put the fields where the SDK does', async ({ endpoint, entry, sdk }) => {
    const empty = await sdkSend(sdk);
    const sdkPlacement = empty.body !== undefined ? 'body' : 'query';
    expect(sdkPlacement).toBe(endpoint.method === 'GET' ? 'query' : 'body');

    const request = await record(entry);
    const { placement, fields } = payloadOf(request);
    expect(placement).toBe(sdkPlacement);
    expect(placement === 'body' ? request.query : request.body).toBeUndefined();

    // Given our fields, the SDK sends the same top-level keys in the same place.
    const filled = await sdkSend(sdk, fields);
    expect({ query: sentKeys(filled.query), body: sentKeys(filled.body) }).toEqual({
      query: placement === 'query' ? sentKeys(fields) : [],
      body: placement === 'body' ? sentKeys(fields) : [],
    });
  });

  test.each(sdkEntries)('$key: every key we send is in the SDK request model', async ({ key, entry, sdk }) => {
    const model = `${sdk.action}Request`;
    const { placement, fields } = payloadOf(await record(entry));
    const unknownKeys = dataMismatches(fields, modelShape(sdkModel(sdk, model)));
    expect({ endpoint: key, model, placement, unknownKeys }).toEqual({ endpoint: key, model, placement, unknownKeys: [] });
  });

  test.each(sdkEntries)('$key: every key our response schema reads is in the SDK response model', ({ key, entry, sdk }) => {
    const model = `${sdk.action}ResponseBody`;
    const shape = modelShape(sdkModel(sdk, model));
    const unknownKeys = schemaMismatches(entry.schema, shape);
    expect({ endpoint: key, model, unknownKeys }).toEqual({ endpoint: key, model, unknownKeys: [] });
  });

  test.each(sdkEntries)('$key: the canned answer only uses keys of the SDK response model', ({ key, entry, sdk }) => {
    const model = `${sdk.action}ResponseBody`;
    const unknownKeys = dataMismatches(entry.reply, modelShape(sdkModel(sdk, model)));
    expect({ endpoint: key, model, unknownKeys }).toEqual({ endpoint: key, model, unknownKeys: [] });
  });
});

describe('oapi.dingtalk.com against the documented field lists', () => {
  test.each(docEntries)('$key: POSTs its fields in the body', async ({ endpoint, entry }) => {
    const request = await record(entry);
    expect(endpoint.method).toBe('POST');
    expect(request.query).toBeUndefined();
    expect(request.body).toBeDefined();
  });

  test.each(docEntries)('$key: every key we send is a documented request field', async ({ key, entry, documented }) => {
    const { fields } = payloadOf(await record(entry));
    const unknownKeys = dataMismatches(fields, documented.request);
    expect({ endpoint: key, doc: documented.doc, unknownKeys }).toEqual({ endpoint: key, doc: documented.doc, unknownKeys: [] });
  });

  test.each(docEntries)('$key: every key our response schema reads is a documented response field', ({ key, entry, documented }) => {
    const unknownKeys = schemaMismatches(entry.schema, documented.response);
    expect({ endpoint: key, doc: documented.doc, unknownKeys }).toEqual({ endpoint: key, doc: documented.doc, unknownKeys: [] });
  });

  test.each(docEntries)('$key: the canned answer only uses documented keys', ({ key, entry, documented }) => {
    const unknownKeys = dataMismatches(entry.reply, documented.response);
    expect({ endpoint: key, doc: documented.doc, unknownKeys }).toEqual({ endpoint: key, doc: documented.doc, unknownKeys: [] });
  });
});

describe('the sandbox answers in the same shapes', () => {
  const savedEnv = { api: process.env.DINGTALK_API_BASE_URL, oapi: process.env.DINGTALK_OAPI_BASE_URL };
  let sandbox: Sandbox | undefined;
  let bodies = new Map<EndpointName, unknown>();

  beforeAll(async () => {
    nock.enableNetConnect('127.0.0.1');
    sandbox = await createSandbox();
    process.env.DINGTALK_API_BASE_URL = sandbox.url;
    process.env.DINGTALK_OAPI_BASE_URL = sandbox.url;
    bodies = await exerciseEveryEndpoint(sandbox, axiosTransport(sandbox.credentials));
  });
  afterAll(async () => {
    await sandbox?.stop();
    for (const [key, value] of [['DINGTALK_API_BASE_URL', savedEnv.api], ['DINGTALK_OAPI_BASE_URL', savedEnv.oapi]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    nock.disableNetConnect();
  });

  test.each(entries)('$key: the sandbox answer parses with our schema and only uses keys the contract knows', ({ key, entry }) => {
    const body = bodies.get(key as EndpointName);
    const shape = 'sdk' in entry.against ? modelShape(sdkModel(entry.against.sdk, `${entry.against.sdk.action}ResponseBody`)) : entry.against.documented.response;
    expect({ endpoint: key, answered: body !== undefined, parses: entry.schema.safeParse(body).success, unknownKeys: dataMismatches(body, shape) }).toEqual({
      endpoint: key,
      answered: true,
      parses: true,
      unknownKeys: [],
    });
  });
});

describe('the walkers can fail (self-check)', () => {
  class FakeItem {
    static names() {
      return { id: 'id', label: 'label' };
    }
    static types() {
      return { id: 'string', label: 'string' };
    }
  }
  class FakeModel {
    static names() {
      return { known: 'known', items: 'items', nested: 'nested', tags: 'tags', extra: 'extra' };
    }
    static types() {
      return {
        known: 'string',
        items: { type: 'array', itemType: FakeItem },
        nested: FakeItem,
        tags: { type: 'array', itemType: 'string' },
        extra: { type: 'map', keyType: 'string', valueType: 'any' },
      };
    }
  }
  const shape = modelShape(FakeModel);

  test('a fake model is read through names() and types()', () => {
    expect(shape).toMatchObject({
      kind: 'object',
      name: 'FakeModel',
      fields: { items: { kind: 'array', item: { kind: 'object', name: 'FakeItem' } }, nested: { kind: 'object' }, extra: { kind: 'free' } },
    });
  });

  test('the request walker reports wrong keys at every level, and only those', () => {
    const sent = {
      known: 'x',
      wrong: 1,
      items: [{ id: 'a', typo: 'b' }, { label: 'c' }],
      nested: { id: 'n', deeper: { x: 1 } },
      tags: ['t'],
      extra: { anything: { goes: true } },
      known2: undefined,
    };
    expect(dataMismatches(sent, shape)).toEqual([
      'wrong (not in FakeModel)',
      'items[].typo (not in FakeItem)',
      'nested.deeper (not in FakeItem)',
    ]);
    expect(dataMismatches({ known: ['a'], tags: { t: 1 } }, shape)).toEqual([
      'known: we have an array, the contract has string',
      'tags: we have an object, the contract has an array',
    ]);
    expect(dataMismatches({ nested: [{ id: 'a' }] }, shape)).toEqual(['nested: we have an array, the contract has FakeItem']);
  });

  test('the schema walker reports wrong keys through optional, nullable, arrays and unions', () => {
    const schema = z.looseObject({
      known: z.string(),
      wrong: z.string().nullish(),
      items: z.array(z.looseObject({ id: z.string(), idd: z.string().optional() })).nullish(),
      nested: z.union([z.string(), z.looseObject({ label: z.string(), lable: z.string() })]).nullable(),
      tags: z.array(z.string()),
      extra: z.looseObject({ anything: z.string() }),
    });
    expect(schemaMismatches(schema, shape)).toEqual([
      'wrong (not in FakeModel)',
      'items[].idd (not in FakeItem)',
      'nested.lable (not in FakeItem)',
    ]);
    expect(schemaMismatches(z.looseObject({ known: z.looseObject({}) }), shape)).toEqual([
      'known: the schema reads an object, the contract has string',
    ]);
  });

  test('the documented field lists are checked the same way', () => {
    const contract = documented('fake doc', ['errcode', 'errmsg'], { result: documented('fake result', ['userid']) });
    expect(schemaMismatches(z.looseObject({ result: z.looseObject({ user_id: z.string() }) }), contract)).toEqual([
      'result.user_id (not in fake result)',
    ]);
    expect(dataMismatches({ errcode: 0, err_msg: 'ok' }, contract)).toEqual(['err_msg (not in fake doc)']);
  });

  test('a real SDK model rejects a misspelt key', () => {
    const ref: SdkRef = { module: workflow_1_0, moduleName: 'workflow_1_0', action: 'GrantProcessInstanceForDownloadFile' };
    const requestShape = modelShape(sdkModel(ref, 'GrantProcessInstanceForDownloadFileRequest'));
    expect(dataMismatches({ processInstanceId: 'i', fileId: 'f', withCommentAttachment: true }, requestShape)).toEqual([
      'withCommentAttachment (not in GrantProcessInstanceForDownloadFileRequest)',
    ]);
  });
});
