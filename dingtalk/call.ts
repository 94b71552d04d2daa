import type { z as zod } from 'zod';
import type { Endpoint } from './endpoints';
import { DingTalkSchemaError } from './errors';
import type { DingTalkRequest, Transport } from './transport';

/**
 * Sends one request and parses the answer with the endpoint's response schema. A mismatch becomes an error
 * that names the endpoint and the first fields that were wrong, never a silent `undefined` further on.
 *
 * Every DingTalk call passes here, whatever the transport, so this is where the quota meter counts: a metered
 * endpoint (endpoints.ts, DingTalk's billing rule) is counted before it is sent, failed calls included, and the
 * count is stored before the caller sees the answer.
 */
export async function call<Schema extends zod.ZodType>(
  transport: Transport,
  endpoint: Endpoint,
  schema: Schema,
  request: Omit<DingTalkRequest, 'endpoint'> = {},
): Promise<zod.output<Schema>> {
  const counter = endpoint.metered ? transport.counter : undefined;
  counter?.count(endpoint);
  let data: unknown;
  try {
    data = await transport({ endpoint, ...request });
  } finally {
    await counter?.settle();
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`)
      .join('; ');
    throw new DingTalkSchemaError(`${endpoint.name} (${endpoint.method} ${endpoint.path})`, detail);
  }
  return parsed.data;
}
