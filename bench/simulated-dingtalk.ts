/**
 * An in-process DingTalk for the cost model, the ledger's unit tests and the trigger tests: it answers the calls a
 * poll makes (list, detail, template check, template list, user names) from an in-memory set of approvals, with
 * DingTalk's paging (20 ids per page), its error shapes and its billing rule (workflow calls are metered; token and
 * contacts calls are free). Two adapters: `transport` (in process, for the cost model and the ledger tests) and
 * test/triggers/fake-dingtalk.ts (nock, so a trigger test runs through z.request and the app's middleware).
 *
 * Why not the sandbox (sandbox/, the one full stand-in): the cost model runs about 400,000 polls over a simulated
 * month in a few minutes, with every approval's finish scheduled in advance and a clock that jumps; the trigger
 * tests set states the sandbox's API cannot reach (an approval deleted in DingTalk, one submitted 130 days ago).
 * The sandbox finishes an approval only when a person acts at its current time, and checks tokens, QPS and
 * permissions on every call. `npm run bench` part 2 runs the same poll against the real sandbox over HTTP and checks
 * the sandbox's meter against the client's count, and test/e2e/ runs the triggers against it end to end.
 */
import { endpoints, type Endpoint, type EndpointName } from '../dingtalk/endpoints';
import type { DingTalkRequest, Transport } from '../dingtalk/transport';
import { INSTANCE_PAGE_SIZE as PAGE } from '../dingtalk/workflow';
import { apiTime } from '../sandbox/http';

export interface SimApproval {
  id: string;
  createdAt: number;
  /** When it finishes; Infinity while nobody has decided it. */
  finishedAt: number;
  outcome: 'agree' | 'refuse' | 'revoke';
  /** The originator's user id; user-1 when omitted. */
  originator?: string;
  /** Its approval tasks, for the waiting trigger's cost model; none when omitted. */
  tasks?: SimTask[];
}

/** One approver's task: RUNNING from `startedAt` until `finishedAt`. */
export interface SimTask {
  taskId: number;
  userId: string;
  startedAt: number;
  finishedAt: number;
}

/** One call as DingTalk received it: the query for GET calls, the body for POST calls. */
export interface SimCall {
  name: EndpointName;
  query?: Record<string, string>;
  body?: Record<string, unknown>;
}

export interface SimReply {
  status: number;
  body: unknown;
}

const apiError = (status: number, code: string, message: string): SimReply => ({ status, body: { code, message, requestid: 'SIMULATED' } });

export class SimulatedDingTalk {
  now = 0;
  /** Calls per endpoint name. */
  readonly calls = new Map<string, number>();
  metered = 0;
  /** Every call in order, when constructed with `{ log: true }` (the cost model's month would not fit). */
  readonly log: SimCall[] = [];
  /** Sorted by creation time, newest first, as the list endpoint returns them. */
  private approvals: SimApproval[] = [];
  private byId = new Map<string, SimApproval>();

  constructor(
    private readonly processCode: string,
    private readonly options: { log?: boolean } = {},
  ) {}

  add(...approvals: SimApproval[]): void {
    for (const approval of approvals) {
      this.approvals.push(approval);
      this.byId.set(approval.id, approval);
    }
    this.approvals.sort((a, b) => b.createdAt - a.createdAt);
  }

  /** Someone decides (or revokes) the approval at `at`. */
  finish(id: string, outcome: SimApproval['outcome'], at: number): void {
    Object.assign(this.approval(id), { outcome, finishedAt: at });
  }

  /** The approval is deleted in DingTalk: it is listed no more, and its detail is "not found". */
  remove(id: string): void {
    this.approvals = this.approvals.filter((approval) => approval.id !== id);
    this.byId.delete(id);
  }

  private approval(id: string): SimApproval {
    const approval = this.byId.get(id);
    if (!approval) throw new Error(`The simulation has no approval ${id}`);
    return approval;
  }

  statusAt(approval: SimApproval, now = this.now): 'RUNNING' | 'COMPLETED' | 'TERMINATED' {
    if (now < approval.finishedAt) return 'RUNNING';
    return approval.outcome === 'revoke' ? 'TERMINATED' : 'COMPLETED';
  }

  /** Approvals that exist (were created) by now, newest first. */
  visible(): SimApproval[] {
    return this.approvals.filter((a) => a.createdAt <= this.now);
  }

  private count(endpoint: Endpoint, call: SimCall): void {
    this.calls.set(endpoint.name, (this.calls.get(endpoint.name) ?? 0) + 1);
    if (endpoint.metered) this.metered += 1;
    if (this.options.log) this.log.push(call);
  }

  /** DingTalk's answer to one call: the HTTP status and the body, errors in DingTalk's own shape. */
  answer(call: SimCall): SimReply {
    const endpoint = endpoints[call.name];
    this.count(endpoint, call);
    const body = call.body ?? {};
    const query = call.query ?? {};
    switch (call.name) {
      case 'ListProcessInstanceIds': {
        const statuses = body.statuses as string[] | undefined;
        const userIds = body.userIds as string[] | undefined;
        const matching =
          body.processCode !== this.processCode
            ? []
            : this.visible().filter(
                (a) =>
                  a.createdAt >= Number(body.startTime) &&
                  a.createdAt <= Number(body.endTime ?? this.now) &&
                  (!statuses || statuses.includes(this.statusAt(a))) &&
                  (!userIds || userIds.includes(a.originator ?? 'user-1')),
              );
        const start = Number(body.nextToken ?? 0);
        const size = Math.min(Number(body.maxResults ?? PAGE), PAGE);
        return {
          status: 200,
          body: { result: { list: matching.slice(start, start + size).map((a) => a.id), nextToken: start + PAGE < matching.length ? String(start + PAGE) : '' }, success: true },
        };
      }
      case 'GetProcessInstance': {
        const approval = this.byId.get(String(query.processInstanceId));
        if (!approval || approval.createdAt > this.now) return apiError(400, 'processInstanceNotExist', '审批实例不存在');
        const status = this.statusAt(approval);
        return {
          status: 200,
          body: {
            result: {
              title: `Approval ${approval.id}`,
              originatorUserId: approval.originator ?? 'user-1',
              createTime: apiTime(approval.createdAt),
              status,
              ...(status === 'RUNNING' ? {} : { finishTime: apiTime(approval.finishedAt) }),
              ...(status === 'COMPLETED' ? { result: approval.outcome } : {}),
              formComponentValues: [{ name: 'Amount', value: '6000', componentType: 'MoneyField' }],
              tasks: (approval.tasks ?? [])
                .filter((task) => task.startedAt <= this.now)
                .map((task) => ({
                  taskId: task.taskId,
                  userId: task.userId,
                  createTime: apiTime(task.startedAt),
                  ...(this.now < task.finishedAt ? { status: 'RUNNING', result: 'NONE' } : { status: 'COMPLETED', result: 'AGREE', finishTime: apiTime(task.finishedAt) }),
                })),
              operationRecords: [],
            },
            success: 'true',
          },
        };
      }
      case 'QuerySchemaByProcessCode':
        if (query.processCode !== this.processCode) return apiError(400, 'formNotExist', '表单不存在');
        return { status: 200, body: { result: { name: 'Expense Claim', status: 'PUBLISHED', schemaContent: { items: [] } } } };
      case 'ListUserVisibleBpmsProcesses':
        return { status: 200, body: { result: { processList: [{ name: 'Expense Claim', processCode: this.processCode }] } } };
      case 'GetUser': {
        const userid = String(body.userid);
        return { status: 200, body: { errcode: 0, errmsg: 'ok', result: { userid, name: `Name of ${userid}` } } };
      }
      default:
        throw new Error(`The simulation does not answer ${call.name}`);
    }
  }

  /** The in-process adapter: the parsed body, or an error as a transport throws it ("not found" codes the caller tolerates come back as the body). */
  readonly transport: Transport = async (request: DingTalkRequest) => {
    const { name, method } = request.endpoint;
    const query = Object.fromEntries(Object.entries(request.query ?? {}).flatMap(([key, value]) => (value === undefined ? [] : [[key, String(value)]])));
    const reply = this.answer({ name: name as EndpointName, ...(method === 'GET' ? { query } : { body: request.body ?? {} }) });
    if (reply.status === 200) return reply.body;
    const { code } = reply.body as { code: string };
    if (request.notFoundCodes?.includes(code)) return reply.body;
    throw new Error(`Simulated DingTalk error ${reply.status} ${code} for ${name}`);
  };
}
