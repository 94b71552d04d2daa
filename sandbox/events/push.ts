/**
 * HTTP push (event callback) to a configured URL, encrypted and signed as DingTalk does
 * (https://open.dingtalk.com/document/development/http-callback-overview; ../shared/dingtalk-events.md §6), using
 * the project's own crypto module: POST url?signature&timestamp&nonce with {"encrypt"}; success is HTTP 200 with
 * {msg_signature, timeStamp, nonce, encrypt} whose signature checks and whose plaintext is "success".
 * The owner key is the app's Client ID, as for console subscriptions.
 */
import axios from 'axios';
import { CHECK_URL_EVENT, encrypt, openPush, PushCryptoError, randomNonce, signature, SUCCESS_REPLY, type PushCredentials } from '../../dingtalk/events/crypto';

export interface HttpPushTarget {
  url: string;
  token: string;
  aesKey: string;
}

export interface PushOutcome {
  ok: boolean;
  status?: number;
  /** Why DingTalk would count this push as failed, in a sentence. */
  problem?: string;
  ms: number;
}

const http = axios.create({ validateStatus: () => true, transformResponse: (body: unknown) => body });

const replyProblem = (credentials: PushCredentials, body: unknown): string | undefined => {
  let reply: unknown;
  try {
    reply = typeof body === 'string' ? JSON.parse(body) : body;
  } catch {
    return 'the reply is not JSON ("HTTP请求结果校验返回字段值失败")';
  }
  if (typeof reply !== 'object' || reply === null) return 'the reply is not a JSON object';
  const { msg_signature: sig, timeStamp, nonce, encrypt: encrypted } = reply as Record<string, unknown>;
  if (typeof sig !== 'string' || typeof timeStamp !== 'string' || typeof nonce !== 'string' || typeof encrypted !== 'string') {
    return 'the reply lacks msg_signature, timeStamp, nonce or encrypt (all strings)';
  }
  try {
    const text = openPush(credentials, { signature: sig, timestamp: timeStamp, nonce, encrypt: encrypted });
    return text === SUCCESS_REPLY ? undefined : 'the reply decrypts to something other than "success"';
  } catch (error) {
    return error instanceof PushCryptoError ? `the reply does not check: ${error.message}` : 'the reply could not be checked';
  }
};

/** One push; never throws. `timeoutMs` is DingTalk's deadline (1,500 ms per http-callback-overview ⚠ 2,500 ms elsewhere). */
export async function pushOnce(target: HttpPushTarget, ownerKey: string, plaintext: unknown, now: number, timeoutMs: number): Promise<PushOutcome> {
  const credentials: PushCredentials = { token: target.token, aesKey: target.aesKey, ownerKey };
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const encrypted = encrypt(credentials, JSON.stringify(plaintext));
  // ⚠ The timestamp's unit is inconsistent in DingTalk's samples (ms in Java, s in the doc URL); ms here.
  const timestamp = String(now);
  const nonce = randomNonce(8);
  try {
    const response = await http.post(target.url, { encrypt: encrypted }, {
      params: { signature: signature(target.token, timestamp, nonce, encrypted), timestamp, nonce },
      headers: { 'Content-Type': 'application/json' },
      timeout: timeoutMs,
    });
    if (response.status !== 200) return { ok: false, status: response.status, problem: `the receiver answered HTTP ${response.status}`, ms: elapsed() };
    const problem = replyProblem(credentials, response.data);
    return { ok: problem === undefined, status: 200, ...(problem ? { problem } : {}), ms: elapsed() };
  } catch (error) {
    const timedOut = axios.isAxiosError(error) && error.code === 'ECONNABORTED';
    return { ok: false, problem: timedOut ? `no reply within ${timeoutMs} ms` : `the receiver could not be reached (${axios.isAxiosError(error) ? (error.code ?? 'error') : 'error'})`, ms: elapsed() };
  }
}

/** The console's URL check ("验证有效性" / Save): {"EventType":"check_url"} must come back as an encrypted success. */
export const checkUrl = (target: HttpPushTarget, ownerKey: string, now: number, timeoutMs: number): Promise<PushOutcome> =>
  pushOnce(target, ownerKey, { EventType: CHECK_URL_EVENT }, now, timeoutMs);
