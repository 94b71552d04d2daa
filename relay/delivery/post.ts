/**
 * One POST to a hook. Success is a 2xx within the timeout (Svix's rule, dingtalk-events.md §8); redirects are not
 * followed and count as failures, as with Svix. The target URL never appears in what this returns: Zapier's
 * hook URLs are secrets, so errors name the host only.
 */
export type PostResult =
  | { kind: 'answered'; status: number; retryAfter: string | null; body: string }
  | { kind: 'timeout' }
  | { kind: 'failed'; error: string };

const BODY_EXCERPT = 200;

export const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return 'an unreadable URL';
  }
};

export async function postHook(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<PostResult> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'user-agent': 'dingtalk-approvals-relay', ...headers },
      redirect: 'manual',
      signal,
    });
    const text = (await response.text()).slice(0, BODY_EXCERPT);
    return { kind: 'answered', status: response.status, retryAfter: response.headers.get('retry-after'), body: text };
  } catch (error) {
    if (signal.aborted) return { kind: 'timeout' };
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { kind: 'failed', error: `${hostOf(url)}: ${cause?.code ?? cause?.message ?? (error as Error).message}` };
  }
}
