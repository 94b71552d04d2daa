import { z } from 'zod';

/** gateway_1_0 OpenConnectionResponseBody: where to open the WebSocket, and the ticket (valid 90 s, one connection). */
export const OpenConnectionResponseBody = z.looseObject({
  endpoint: z.string().min(1),
  ticket: z.string().min(1),
});
