/**
 * gateway_1_0: opening a Stream connection (../shared/dingtalk-events.md §3; open-dingtalk/developerpedia
 * docs/learn/stream/protocol.md). The relay calls this through the axios transport, then connects a WebSocket to
 * `${endpoint}?ticket=${ticket}` (streamUrl). Not token-authenticated: the body carries the app's credentials.
 */
import { call } from './call';
import { endpoints } from './endpoints';
import { OpenConnectionResponseBody } from './schemas/gateway';
import type { Transport } from './transport';

export interface StreamSubscription {
  /** EVENT for event subscriptions (topic must be `*`), CALLBACK for bot and card callbacks (topic = their path). */
  type: 'EVENT' | 'CALLBACK';
  topic: string;
}

export interface OpenConnectionInput {
  clientId: string;
  clientSecret: string;
  /** Default: every event the app subscribes to in the developer console (`EVENT` / `*`). */
  subscriptions?: StreamSubscription[];
  /** This machine's IPs, comma-separated, to help DingTalk support trace a connection. */
  localIp?: string;
  /**
   * Free-form key/values (the SDK's `extras` map). The docs' `ua` field is absent from SDK 2.2.27's request model,
   * so a client name goes here if anywhere.
   */
  extras?: Record<string, string>;
}

export interface StreamTicket {
  /** e.g. wss://wss-open-connection.dingtalk.com:443/connect */
  endpoint: string;
  /** Valid 90 s, for one connection: never store or reuse it. */
  ticket: string;
}

/** Every problem with the input at once, before anything is sent. */
function problemsOf(input: OpenConnectionInput): string[] {
  const problems: string[] = [];
  if (!input.clientId.trim()) problems.push('clientId is empty');
  if (!input.clientSecret.trim()) problems.push('clientSecret is empty');
  for (const subscription of input.subscriptions ?? []) {
    if (subscription.type === 'EVENT' && subscription.topic !== '*') {
      problems.push(`an EVENT subscription must use topic "*" (got "${subscription.topic}"): choose events in the developer console`);
    }
    if (subscription.type === 'CALLBACK' && !subscription.topic.startsWith('/')) problems.push(`a CALLBACK topic is a path such as /v1.0/im/bot/messages/get (got "${subscription.topic}")`);
  }
  if (input.subscriptions?.length === 0) problems.push('subscriptions is empty: DingTalk would push nothing');
  return problems;
}

export async function openConnection(transport: Transport, input: OpenConnectionInput): Promise<StreamTicket> {
  const problems = problemsOf(input);
  if (problems.length > 0) throw new Error(`Cannot open a DingTalk Stream connection: ${problems.join('; ')}.`);
  const { endpoint, ticket } = await call(transport, endpoints.OpenConnection, OpenConnectionResponseBody, {
    body: {
      clientId: input.clientId,
      clientSecret: input.clientSecret,
      subscriptions: input.subscriptions ?? [{ type: 'EVENT', topic: '*' }],
      localIp: input.localIp,
      extras: input.extras,
    },
  });
  return { endpoint, ticket };
}

/** The WebSocket URL for a ticket: `${endpoint}?ticket=${ticket}` (the ticket URL-encoded). */
export function streamUrl({ endpoint, ticket }: StreamTicket): string {
  const url = new URL(endpoint);
  url.searchParams.set('ticket', ticket);
  return url.toString();
}
