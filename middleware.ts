/**
 * The app's single afterResponse: every DingTalk response goes through the pure table in
 * `dingtalk/errors.ts`, and the resulting problem becomes the matching Zapier error class.
 */
import type { AfterResponseMiddleware, HttpResponse, ZObject } from 'zapier-platform-core';
import { describeProblem } from './dingtalk/advice';
import { problemOf, type Problem } from './dingtalk/errors';
import { NOT_FOUND_CODES_OPTION } from './dingtalk/transport';
import { isRelayRequest } from './zapier/relay-client';


function zapierErrorFor(z: ZObject, problem: Problem): Error {
  const message = describeProblem(problem);
  switch (problem.kind) {
    case 'expired-token':
      return new z.errors.RefreshAuthError(message);
    case 'throttled':
      return new z.errors.ThrottledError(message, problem.retryAfterSeconds);
    case 'quota-exhausted':
      // A halt, not an error: retrying cannot help until the quota resets, and errors would pause the Zap.
      return new z.errors.HaltedError(message);
    default:
      return new z.errors.Error(message, problem.code, problem.status);
  }
}

/** The parsed JSON body, or the text when DingTalk (or a proxy in front of it) answered with something else. */
function bodyOf(response: HttpResponse): unknown {
  try {
    return response.data ?? response.content;
  } catch {
    return response.content;
  }
}

export const handleDingTalkErrors: AfterResponseMiddleware = (response, z) => {
  const url = response.request.url ?? '';
  // A raw (streamed) file download has no body to read here; z.stashFile checks its status itself.
  if (!url || (response.request as { raw?: boolean }).raw) return response;
  // The event relay is not DingTalk: zapier/relay-client.ts reads its answers itself.
  if (isRelayRequest(response.request)) return response;
  const problem = problemOf({ url, method: response.request.method, status: response.status, body: bodyOf(response), retryAfter: response.getHeader('retry-after') });
  if (!problem) return response;
  // A "not found" code the client asked to handle itself (e.g. 60121 for an unknown mobile number).
  const tolerated: unknown = (response.request as Record<string, unknown>)[NOT_FOUND_CODES_OPTION];
  if (Array.isArray(tolerated) && tolerated.includes(problem.code)) return response;
  throw zapierErrorFor(z, problem);
};
