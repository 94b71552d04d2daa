/**
 * Turns DingTalk's form values (every value a string, JSON inside for lists) into typed values a Zapier user
 * can map: numbers for money and number fields, lists for multi-selects, start/end for date ranges, line items
 * for tables, ids and names for contact and department fields. Unknown component types pass through as text.
 *
 * Encodings follow https://open.dingtalk.com/document/development/oa-formcomponent-message and the shapes in
 * ../shared/dingtalk-api.md §2.3. Where GetProcessInstance's output shape is not documented (⚠ table rows,
 * contact/department extValue), the parser accepts each shape seen in public code and falls back to text.
 */
import { realFileName } from './files';
import { toIsoDateTime } from '../../lib/time';

export interface RawFormValue {
  id?: string | null;
  name?: string | null;
  value?: string | null;
  extValue?: string | null;
  componentType?: string | null;
}

export interface FormAttachment {
  field: string;
  file_id: string;
  name: string;
  size: number | null;
  type: string;
  space_id: string | null;
}

export interface FlatForm {
  /** `form__<Label>` keys with typed values, in form order. */
  fields: Record<string, unknown>;
  /** Every field as `{label, type, value}`; `value` is the typed value. */
  form: { label: string; type: string; value: unknown }[];
  attachments: FormAttachment[];
}

const parseJson = (text: string | null | undefined): unknown => {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const str = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;

/** "5,000.50" → 5000.5; anything that is not a plain decimal number stays as the original text. */
export function toNumber(text: string): number | string {
  const cleaned = text.replace(/[,\s，]/g, '');
  return /^[-+]?(\d+\.?\d*|\.\d+)$/.test(cleaned) ? Number(cleaned) : text;
}

/** A JSON array string, or a comma-separated list. */
export function toList(text: string): string[] {
  const parsed = parseJson(text);
  if (Array.isArray(parsed)) return parsed.map((item) => str(item) ?? JSON.stringify(item));
  return text
    .split(/[,，]/)
    .map((item) => item.trim())
    .filter(Boolean);
}

/** Key-safe label: letters (any script) and digits kept, everything else becomes "_". */
export function fieldKey(label: string): string {
  const slug = label.trim().replace(/[^\p{L}\p{N}]+/gu, '_').replace(/^_+|_+$/g, '');
  return `form__${slug || 'Field'}`;
}

/** A date range's label is itself a JSON array: ["Start", "End"] → "Start ~ End". */
function rangeLabel(name: string): string {
  const parsed = parseJson(name);
  return Array.isArray(parsed) ? parsed.map(String).join(' ~ ') : name;
}

interface Person {
  id: string | null;
  name: string | null;
}

/** Contact and department values carry names in `value` and ids in `extValue` (⚠ shape varies). */
function people(value: string, extValue: string | null | undefined, idKeys: string[]): Person[] {
  const parsedExt = parseJson(extValue);
  // Contacts come as an array; a department has been seen as one object ({deptName, itemId, name}).
  const ext = isRecord(parsedExt) ? [parsedExt] : parsedExt;
  if (Array.isArray(ext) && ext.length > 0) {
    return ext.filter(isRecord).map((item) => ({
      id: idKeys.map((key) => str(item[key])).find(Boolean) ?? null,
      name: str(item.name) ?? null,
    }));
  }
  const parsed = parseJson(value);
  const ids = Array.isArray(parsed) ? parsed.map(String) : null;
  if (ids) return ids.map((id) => ({ id, name: null }));
  return toList(value).map((name) => ({ id: null, name }));
}

function attachmentsOf(field: string, text: string): FormAttachment[] {
  const parsed = parseJson(text);
  if (!Array.isArray(parsed)) return [];
  return parsed.filter(isRecord).flatMap((item) => {
    const fileId = str(item.fileId);
    if (!fileId) return [];
    const size = item.fileSize === null || item.fileSize === undefined || item.fileSize === '' ? NaN : Number(item.fileSize);
    const type = (str(item.fileType) ?? '').toLowerCase();
    return [{
      field,
      file_id: fileId,
      name: realFileName(str(item.fileName) ?? '', type, fileId),
      size: Number.isFinite(size) ? size : null,
      type,
      space_id: str(item.spaceId) ?? null,
    }];
  });
}

/** Where converted attachments go, and how one becomes a Zapier file (a dehydrated pointer) when the caller can. */
interface Sink {
  attachments: FormAttachment[];
  fileFor?: (attachment: FormAttachment) => unknown;
  /** Inside a table row, attachment cells carry their files (a top-level field's files are the record's `attachments`). */
  inRow?: boolean;
}

/** DingTalk returns an empty field as "", null or the string "null" (the h5app-approve-demo payload). */
const isEmpty = (text: string) => text.trim() === '' || text === 'null';

/** Converts one component; returns the typed value plus any extra keys (date-range halves, ids, names, files). */
function convert(raw: RawFormValue, label: string, sink: Sink): { value: unknown; extra?: Record<string, unknown> } {
  const text = raw.value ?? '';
  const empty = isEmpty(text);
  switch (raw.componentType) {
    case 'MoneyField':
    case 'NumberField':
    case 'StarRatingField':
      return { value: empty ? null : toNumber(text) };
    case 'DDMultiSelectField':
    case 'DDPhotoField':
      return { value: empty ? [] : toList(text) };
    case 'DDDateField':
      return { value: empty ? null : (toIsoDateTime(text) ?? text) };
    case 'DDDateRangeField': {
      const parts = parseJson(text);
      const [start, end] = Array.isArray(parts) ? parts.map((part) => (part == null || part === '' ? null : (toIsoDateTime(String(part)) ?? String(part)))) : [];
      return { value: { start: start ?? null, end: end ?? null }, extra: { start: start ?? null, end: end ?? null } };
    }
    case 'TableField':
      return { value: empty ? null : (tableRows(text, label, sink) ?? text) };
    case 'InnerContactField': {
      const list = empty ? [] : people(text, raw.extValue, ['emplId', 'userId', 'userid', 'id']);
      return { value: list, extra: { ids: list.map((p) => p.id).filter(Boolean), names: list.map((p) => p.name).filter(Boolean) } };
    }
    case 'DepartmentField': {
      const list = empty ? [] : people(text, raw.extValue, ['id', 'itemId', 'deptId', 'dept_id', 'number']);
      return { value: list, extra: { ids: list.map((p) => p.id).filter(Boolean), names: list.map((p) => p.name).filter(Boolean) } };
    }
    case 'DDAttachment': {
      const files = empty ? [] : attachmentsOf(label, text);
      sink.attachments.push(...files);
      return { value: files.map((file) => file.name), ...(sink.inRow && sink.fileFor ? { extra: { files: files.map(sink.fileFor) } } : {}) };
    }
    default:
      // TextField, TextareaField, DDSelectField, PhoneField and any type we do not know: text, never dropped.
      return { value: empty ? null : text };
  }
}

/** A cell's value or extValue as the string DingTalk uses at the top level (some payloads carry real arrays). */
const asText = (value: unknown): string | null => (value == null ? null : typeof value === 'string' ? value : JSON.stringify(value));

/** Component ids are `<ComponentName>_<suffix>` (or `-`); a cell without `componentType` is typed by its key. */
const typeFromKey = (key: string | undefined) => /^([A-Za-z]+Field|DDAttachment|TextNote)[_-]/.exec(key ?? '')?.[1];

/**
 * Table rows, each cell typed like a top-level field. GetProcessInstance returns `[{rowValue: [{label, value, key,
 * componentType}]}]` (⚠ undocumented; the h5app-approve-demo payload and our sandbox); StartProcessInstance takes
 * `[[{name, value}]]`. Cells may carry `value` as a JSON string or a real array, `extValue` or `extendValue` as a
 * string or an object, and no `componentType`.
 */
function tableRows(text: string, tableLabel: string, sink: Sink): Record<string, unknown>[] | undefined {
  const parsed = parseJson(text);
  if (!Array.isArray(parsed)) return undefined;
  const rowSink = { ...sink, inRow: true };
  return parsed.map((row, index) => {
    const cells: unknown[] = Array.isArray(row) ? row : isRecord(row) && Array.isArray(row.rowValue) ? row.rowValue : [];
    const line: Record<string, unknown> = {};
    for (const cell of cells) {
      if (!isRecord(cell)) continue;
      const label = str(cell.label) ?? str(cell.name) ?? str(cell.key);
      if (!label) continue;
      const componentType = str(cell.componentType) ?? typeFromKey(str(cell.key) ?? str(cell.id)) ?? null;
      const raw: RawFormValue = { value: asText(cell.value), extValue: asText(cell.extValue ?? cell.extendValue), componentType };
      const { value, extra } = convert(raw, `${tableLabel} row ${index + 1}: ${label}`, rowSink);
      const key = fieldKey(label).slice('form__'.length);
      line[key] = value;
      for (const [suffix, extraValue] of Object.entries(extra ?? {})) line[`${key}__${suffix}`] = extraValue;
    }
    return line;
  });
}

/** Flattens GetProcessInstance's `formComponentValues` into typed Zapier fields. */
export function flattenForm(values: RawFormValue[], fileFor?: (attachment: FormAttachment) => unknown): FlatForm {
  const fields: Record<string, unknown> = {};
  const form: FlatForm['form'] = [];
  const attachments: FormAttachment[] = [];
  const sink: Sink = { attachments, ...(fileFor ? { fileFor } : {}) };
  for (const raw of values) {
    if (raw.componentType === 'TextNote') continue;
    const label = raw.componentType === 'DDDateRangeField' ? rangeLabel(raw.name ?? '') : (raw.name ?? raw.id ?? 'Field');
    const type = raw.componentType ?? 'Unknown';
    const { value, extra } = convert(raw, label, sink);
    let key = fieldKey(label);
    for (let n = 2; key in fields; n += 1) key = `${fieldKey(label)}_${n}`;
    fields[key] = value;
    for (const [suffix, extraValue] of Object.entries(extra ?? {})) fields[`${key}__${suffix}`] = extraValue;
    form.push({ label, type, value });
  }
  return { fields, form, attachments };
}
