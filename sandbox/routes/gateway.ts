/**
 * gateway_1_0 OpenConnection (open-dingtalk/developerpedia docs/learn/stream/protocol.md; ../shared/dingtalk-events.md
 * §3): checks the app's credentials and subscriptions and hands out a WebSocket endpoint on the sandbox with a
 * one-use ticket. Error shapes for bad input are not documented (⚠); the token call's codes stand in.
 */
import type { EndpointName } from '../../dingtalk/endpoints';
import { apiError, isRecord, ok, text, type Handler, type Reply } from '../http';

/** "Without Accept: application/json the reply is XML" (dingtalk-stream-sdk-nodejs src/client.ts comment); ⚠ layout. */
const xml = (endpoint: string, ticket: string): Reply => ({
  status: 200,
  raw: Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><OpenConnectionResponse><endpoint>${endpoint}</endpoint><ticket>${ticket}</ticket></OpenConnectionResponse>`),
  headers: { 'content-type': 'application/xml;charset=utf-8' },
});

export const gatewayRoutes: Partial<Record<EndpointName, Handler>> = {
  OpenConnection: (ctx, { body, headers }) => {
    const { app } = ctx.state;
    if (text(body.clientId) !== app.appKey || text(body.clientSecret) !== app.appSecret) {
      return apiError(400, 'invalidClientIdOrSecret', '无效的clientId或者clientSecret');
    }
    const subscriptions = Array.isArray(body.subscriptions) ? body.subscriptions : [];
    const problems: string[] = [];
    if (subscriptions.length === 0) problems.push('subscriptions不能为空');
    const parsed = subscriptions.flatMap((item, index) => {
      const type = isRecord(item) ? text(item.type) : undefined;
      const topic = isRecord(item) ? text(item.topic) : undefined;
      if (type !== 'EVENT' && type !== 'CALLBACK') problems.push(`subscriptions[${index}].type必须为EVENT或CALLBACK`);
      if (!topic) problems.push(`subscriptions[${index}].topic不能为空`);
      if (type === 'EVENT' && topic !== '*') problems.push(`subscriptions[${index}]: EVENT仅支持topic为*`);
      return type && topic ? [{ type, topic }] : [];
    });
    if (problems.length > 0) return apiError(400, 'InvalidParameter', problems.join('; '));
    const ticket = ctx.tickets.issue(ctx.now(), app.appKey, parsed, text(body.localIp));
    const endpoint = `${ctx.url.replace(/^http/, 'ws')}/connect`;
    const accept = headers.accept ?? '';
    if (!accept.includes('application/json')) return xml(endpoint, ticket.ticket);
    return ok({ endpoint, ticket: ticket.ticket });
  },
};
