/**
 * The pre-signed download URLs GrantProcessInstanceForDownloadFile hands out. Real ones point at DingPan's object
 * storage, which answers an expired or tampered link with 403 and an XML error; the sandbox does the same.
 */
import { checkDownload, contentTypeOf } from '../files';
import type { Context, Reply } from '../http';

const ossError = (code: string, message: string): Reply => ({
  status: 403,
  raw: Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>\n`),
  headers: { 'content-type': 'application/xml' },
});

export function download(ctx: Context, token: string): Reply {
  const check = checkDownload(ctx.state, token, ctx.now());
  if ('denied' in check) {
    if (check.denied === 'expired') return ossError('AccessDenied', 'Request has expired.');
    if (check.denied === 'signature') return ossError('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
    return { status: 404, raw: Buffer.from('<Error><Code>NoSuchKey</Code></Error>'), headers: { 'content-type': 'application/xml' } };
  }
  const { file } = check;
  const content = Buffer.from(file.contentBase64, 'base64');
  return {
    status: 200,
    raw: content,
    headers: {
      'content-type': contentTypeOf(file.fileType),
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
    },
  };
}
