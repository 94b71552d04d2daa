/** MIME types for the file types DingTalk reports (`fileType` is an extension such as "pdf"). */
const TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  heic: 'image/heic',
  webp: 'image/webp',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  txt: 'text/plain',
  csv: 'text/csv',
  zip: 'application/zip',
};

export function contentTypeOf(type: string): string {
  return TYPES[type.toLowerCase().replace(/^\./, '')] ?? 'application/octet-stream';
}

/** Client-uploaded files come back named like `#a1b2c3.file`; give them a real name with their type. */
export function realFileName(name: string, type: string, fileId: string): string {
  const ext = type ? `.${type.replace(/^\./, '')}` : '';
  if (/^#.*\.file$/i.test(name) || name.trim() === '') return `attachment-${fileId}${ext}`;
  return ext && !name.toLowerCase().endsWith(ext.toLowerCase()) ? `${name}${ext}` : name;
}
