/**
 * A transport whose metered calls the meter counts (dingtalk/call.ts does the counting), for one operation.
 */
import type { Transport } from '../dingtalk/transport';
import type { Meter, Operation } from './meter';

export function meteredTransport(transport: Transport, meter: Meter, operation: Operation): Transport {
  const metered: Transport = (request) => transport(request);
  metered.counter = { count: () => meter.count(operation), settle: () => meter.flush() };
  return metered;
}
