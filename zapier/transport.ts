/**
 * The Zapier adapter of the DingTalk client's Transport (dingtalk/transport.ts): every call goes through
 * `z.request`, so Zapier logs it, scrubs secrets and refreshes the session. Errors are raised by the app's
 * afterResponse middleware (`middleware.ts`). Metered calls are counted on the connection's meter under
 * `operation` (dingtalk/call.ts counts; quota/meter.ts stores), for the budget and the usage breakdown.
 */
import type { Bundle, ZObject } from 'zapier-platform-core';
import { NOT_FOUND_CODES_OPTION, urlOf, withToken, type Transport } from '../dingtalk/transport';
import type { Operation } from '../quota/meter';
import { meteredTransport } from '../quota/metered';
import { meterOf } from './quota';

export function zapierTransport(z: ZObject, bundle: Bundle, operation: Operation): Transport {
  const transport: Transport = async (request) => {
    const { params, headers } = withToken(request, bundle.authData.accessToken);
    const options = {
      url: urlOf(request.endpoint),
      method: request.endpoint.method,
      params,
      headers,
      body: request.body,
      removeMissingValuesFrom: { params: true, body: true },
      // Read by the afterResponse middleware; z.request passes unknown keys through to `response.request`.
      [NOT_FOUND_CODES_OPTION]: request.notFoundCodes ?? [],
      // api.dingtalk.com answers "not found" with HTTP 400, which core's throwForStatus (it runs after the app's
      // afterResponse) would still throw. The middleware throws for every other 4xx/5xx itself, so nothing is lost.
      ...(request.notFoundCodes?.length ? { skipThrowForStatus: true } : {}),
    };
    const response = await z.request(options);
    return response.data;
  };
  return meteredTransport(transport, meterOf(z, bundle), operation);
}
