import type { z as zod } from 'zod';
import type { Endpoint } from './endpoints';
import { DingTalkSchemaError } from './errors';
import type { DingTalkRequest, Transport } from './transport';

/**
 * Sends one request and parses the answer with the endpoint's response schema. A mismatch becomes an error
 * that names the endpoint and the first fields that were wrong, never a silent `undefined` further on.
 */
export async function call<Schema extends zod.ZodType>(
  transport: Transport,
  endpoint: Endpoint,
  schema: Schema,
  request: Omit<DingTalkRequest, 'endpoint'> = {},
): Promise<zod.output<Schema>> {
  const data = await transport({ endpoint, ...request });
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
