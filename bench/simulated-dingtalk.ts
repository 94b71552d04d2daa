/**
 * An in-process DingTalk for the cost model and the ledger's unit tests: a Transport that answers the calls a
 * poll makes from an in-memory set of approvals, with DingTalk's paging (20 ids per page) and its billing rule
 * (workflow calls are metered; token and contacts calls are free).
 *
 * Why not the sandbox (sandbox/, the one full stand-in): the cost model runs about 400,000 polls over a simulated
 * month in a few minutes, with every approval's finish scheduled in advance and a clock that jumps. The sandbox
 * finishes an approval only when a person acts at its current time and checks tokens, QPS and permissions on
 * every call. `npm run bench` part 2 runs the same poll against the real sandbox over HTTP and checks the
 * sandbox's meter against the client's count, so the two cannot drift apart unnoticed.
 */
import type { Endpoint } from '../dingtalk/endpoints';
import type { DingTalkRequest, Transport } from '../dingtalk/transport';
import { INSTANCE_PAGE_SIZE as PAGE } from '../dingtalk/workflow';
import { apiTime } from '../sandbox/http';

export interface SimApproval {
  id: string;
  createdAt: number;
  finishedAt: number;
  outcome: 'agree' | 'refuse' | 'revoke';
}


export class SimulatedDingTalk {
  now = 0;
  readonly calls = new Map<string, number>();
  metered = 0;
  /** Sorted by creation time, newest first, as the list endpoint returns them. */
  private approvals: SimApproval[] = [];
  private byId = new Map<string, SimApproval>();

  constructor(private readonly processCode: string) {}

  add(approval: SimApproval): void {
    this.approvals.push(approval);
    this.approvals.sort((a, b) => b.createdAt - a.createdAt);
    this.byId.set(approval.id, approval);
  }

  statusAt(approval: SimApproval, now = this.now): 'RUNNING' | 'COMPLETED' | 'TERMINATED' {
    if (now < approval.finishedAt) return 'RUNNING';
    return approval.outcome === 'revoke' ? 'TERMINATED' : 'COMPLETED';
  }

  /** Approvals that exist (were created) by now, newest first. */
  visible(): SimApproval[] {
    return this.approvals.filter((a) => a.createdAt <= this.now);
  }

  private count(endpoint: Endpoint): void {
    this.calls.set(endpoint.name, (this.calls.get(endpoint.name) ?? 0) + 1);
    if (endpoint.metered) this.metered += 1;
  }

  readonly transport: Transport = async (request: DingTalkRequest) => {
    this.count(request.endpoint);
    const body = request.body ?? {};
    switch (request.endpoint.name) {
      case 'ListProcessInstanceIds': {
        const statuses = body.statuses as string[] | undefined;
        const matching = this.visible().filter(
          (a) => a.createdAt >= Number(body.startTime) && a.createdAt <= Number(body.endTime ?? this.now) && (!statuses || statuses.includes(this.statusAt(a))),
        );
        const start = Number(body.nextToken ?? 0);
        return {
          result: { list: matching.slice(start, start + PAGE).map((a) => a.id), nextToken: start + PAGE < matching.length ? String(start + PAGE) : '' },
          success: true,
        };
      }
      case 'GetProcessInstance': {
        const approval = this.byId.get(String(request.query?.processInstanceId));
        if (!approval) throw new Error('unknown approval');
        const status = this.statusAt(approval);
        return {
          result: {
            title: `Expense claim ${approval.id}`,
            originatorUserId: 'user-1',
            createTime: apiTime(approval.createdAt),
            status,
            ...(status === 'RUNNING' ? {} : { finishTime: apiTime(approval.finishedAt) }),
            ...(status === 'COMPLETED' ? { result: approval.outcome } : {}),
            formComponentValues: [{ name: 'Amount', value: '6000', componentType: 'MoneyField' }],
            tasks: [],
            operationRecords: [],
          },
          success: 'true',
        };
      }
      case 'QuerySchemaByProcessCode':
        return { result: { name: 'Expense Claim', status: 'PUBLISHED', schemaContent: { items: [] } } };
      case 'ListUserVisibleBpmsProcesses':
        return { result: { processList: [{ name: 'Expense Claim', processCode: this.processCode }] } };
      case 'GetUser':
        return { errcode: 0, result: { userid: 'user-1', name: 'Chan Tai Man' } };
      default:
        throw new Error(`The simulation does not answer ${request.endpoint.name}`);
    }
  };
}
