import { z } from 'zod';

/** oauth2_1_0 GetAccessTokenResponseBody */
export const GetAccessTokenResponseBody = z.looseObject({
  accessToken: z.string().min(1),
  expireIn: z.number(),
});
