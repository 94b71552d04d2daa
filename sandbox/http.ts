/**
 * Requests and replies in DingTalk's two dialects:
 * - api.dingtalk.com: an HTTP status plus `{code, message, requestid}` (server-api-error-codes-1);
 * - oapi.dingtalk.com: HTTP 200 with `{errcode, errmsg, request_id}`, 0 meaning success.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Tickets } from './events/tickets';
import type { State } from './state';

export interface Incoming {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export interface Reply {
  status: number;
  /** JSON, unless `raw` is given. */
  body?: unknown;
  raw?: Buffer;
  headers?: Record<string, string>;
}

/** What a handler sees: the state, the sandbox clock and settings. */
export interface Context {
  state: State;
  now(): number;
  /** The sandbox's base URL, for links it hands out (download URLs). */
  url: string;
  tokenTtlSeconds: number;
  /** Stream connection tickets handed out by connections/open and redeemed by the WebSocket endpoint. */
  tickets: Tickets;
}

export type Handler = (ctx: Context, request: Incoming) => Reply;

/** Thrown from deep inside a handler to answer with a DingTalk error. */
export class Rejection extends Error {
  constructor(readonly reply: Reply) {
    super(`DingTalk error ${JSON.stringify(reply.body)}`);
  }
}

/** api.dingtalk.com request ids look like "01A08FE7-…"; topapi's are short lowercase strings. */
const apiRequestId = () => randomUUID().toUpperCase();
const oapiRequestId = () => randomBytes(6).toString('hex');

export const ok = (body: unknown): Reply => ({ status: 200, body });

export const apiError = (status: number, code: string, message: string, extra: Record<string, unknown> = {}): Reply => ({
  status,
  body: { code, requestid: apiRequestId(), message, ...extra },
});

export const oapiOk = (fields: Record<string, unknown>): Reply => ({
  status: 200,
  body: { errcode: 0, errmsg: 'ok', ...fields, request_id: oapiRequestId() },
});

export const oapiError = (errcode: number, errmsg: string, extra: Record<string, unknown> = {}): Reply => ({
  status: 200,
  body: { errcode, errmsg, ...extra, request_id: oapiRequestId() },
});

/** Shorthands that throw, for validation deep in a handler. */
export const failApi = (code: string, message: string, status = 400): never => {
  throw new Rejection(apiError(status, code, message));
};
export const failOapi = (errcode: number, errmsg: string): never => {
  throw new Rejection(oapiError(errcode, errmsg));
};

/** A non-empty string field (numbers are accepted as their text, as DingTalk's gateway does). */
export const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;

/** A number field, also from a query-string or form-encoded string. */
export const numeric = (value: unknown): number | undefined => {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
};

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `yyyy-MM-ddTHH:mmZ` in UTC, GetProcessInstance's time format. */
export const apiTime = (ms: number): string => `${new Date(ms).toISOString().slice(0, 16)}Z`;
