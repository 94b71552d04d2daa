/**
 * Approval attachments and the grant-URL flow (download-an-approval-attachment): GrantProcessInstanceForDownloadFile
 * hands out a pre-signed URL on the sandbox itself, valid for 15 minutes of sandbox time.
 *
 * DingTalk's server API cannot upload attachments (files come from the client JSAPI into the approval's DingPan
 * space), so a file named in a form value or a comment that the sandbox has never seen gets placeholder bytes;
 * `org.addAttachment` stores real bytes.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FileRef, State, StoredFile } from './state';

export const DOWNLOAD_TTL_MS = 15 * 60 * 1000;
/** The approval DingPan space every sandbox file lives in. */
export const SPACE_ID = '1000000001';

export function placeholderFile(ref: FileRef, processInstanceId: string, comment: boolean): StoredFile {
  const content = `DingTalk sandbox placeholder for ${ref.fileName} (${ref.fileId}): the server API cannot upload files.\n`;
  return { ...ref, processInstanceId, comment, contentBase64: Buffer.from(content).toString('base64') };
}

/** Stores real bytes as a new file of an instance; returns its form-value reference. */
export function storeFile(
  state: State,
  processInstanceId: string,
  file: { fileName: string; fileType: string; content: Buffer | string },
  comment = false,
): FileRef {
  const bytes = Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content);
  // Zero-byte files cannot be downloaded through the API (download-an-approval-attachment).
  if (bytes.length === 0) throw new Error(`${file.fileName} is empty; DingTalk does not serve zero-byte attachments`);
  state.counters.file += 1;
  const ref: FileRef = {
    spaceId: SPACE_ID,
    fileId: `sbx-file-${String(state.counters.file).padStart(6, '0')}`,
    fileName: file.fileName,
    fileSize: String(bytes.length),
    fileType: file.fileType.replace(/^\./, ''),
  };
  state.files[ref.fileId] = { ...ref, processInstanceId, comment, contentBase64: bytes.toString('base64') };
  return ref;
}

const sign = (state: State, payload: string) => createHmac('sha256', state.secret).update(payload).digest('base64url');

/** The path of a download URL for one file, expiring at `expiresAt` (sandbox ms). */
export function downloadPath(state: State, fileId: string, expiresAt: number): string {
  const payload = Buffer.from(JSON.stringify({ f: fileId, e: expiresAt })).toString('base64url');
  return `/download/${payload}.${sign(state, payload)}`;
}

export type DownloadCheck = { file: StoredFile } | { denied: 'signature' | 'expired' | 'missing' };

export function checkDownload(state: State, token: string, now: number): DownloadCheck {
  const [payload = '', signature = ''] = token.split('.');
  const expected = Buffer.from(sign(state, payload));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { denied: 'signature' };
  const { f: fileId, e: expiresAt } = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { f: string; e: number };
  if (now > expiresAt) return { denied: 'expired' };
  const file = state.files[fileId];
  return file ? { file } : { denied: 'missing' };
}

const TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  txt: 'text/plain; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};

export const contentTypeOf = (fileType: string) => TYPES[fileType.toLowerCase()] ?? 'application/octet-stream';
