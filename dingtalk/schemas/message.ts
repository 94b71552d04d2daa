import { z } from 'zod';

/** topapi/message/corpconversation/asyncsend_v2 (asynchronous-sending-of-enterprise-session-messages) */
export const SendWorkNotificationResponseBody = z.looseObject({
  task_id: z.number(),
  request_id: z.string().nullish(),
});
