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

/** Table rows: GetProcessInstance returns `[{rowValue: [{label, value, key}]}]`; StartProcessInstance takes `[[{name, value}]]`. */
function tableRows(text: string): Record<string, string>[] | undefined {
  const parsed = parseJson(text);
  if (!Array.isArray(parsed)) return undefined;
  return parsed.map((row) => {
    const cells: unknown[] = Array.isArray(row) ? row : isRecord(row) && Array.isArray(row.rowValue) ? row.rowValue : [];
    const line: Record<string, string> = {};
    for (const cell of cells) {
      if (!isRecord(cell)) continue;
      const label = str(cell.label) ?? str(cell.name) ?? str(cell.key);
      if (label) line[fieldKey(label).slice('form__'.length)] = str(cell.value) ?? (cell.value == null ? '' : JSON.stringify(cell.value));
    }
    return line;
  });
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

/** Converts one component; returns the typed value plus any extra keys (date-range halves). */
function convert(raw: RawFormValue, label: string, attachments: FormAttachment[]): { value: unknown; extra?: Record<string, unknown> } {
  // DingTalk returns an empty field as the string "null" (seen in GetProcessInstance output).
  const text = raw.value === 'null' ? '' : (raw.value ?? '');
  switch (raw.componentType) {
    case 'MoneyField':
    case 'NumberField':
    case 'StarRatingField':
      return { value: text === '' ? null : toNumber(text) };
    case 'DDMultiSelectField':
      return { value: text === '' ? [] : toList(text) };
    case 'DDPhotoField':
      return { value: text === '' ? [] : toList(text) };
    case 'DDDateField':
      return { value: text === '' ? null : toIsoDateTime(text) ?? text };
    case 'DDDateRangeField': {
      const parts = parseJson(text);
      const [start, end] = Array.isArray(parts) ? parts.map((part) => toIsoDateTime(String(part)) ?? String(part)) : [];
      return { value: { start: start ?? null, end: end ?? null }, extra: { start: start ?? null, end: end ?? null } };
    }
    case 'TableField':
      return { value: tableRows(text) ?? text };
    case 'InnerContactField': {
      const list = people(text, raw.extValue, ['emplId', 'userId', 'userid', 'id']);
      return { value: list, extra: { ids: list.map((p) => p.id).filter(Boolean), names: list.map((p) => p.name).filter(Boolean) } };
    }
    case 'DepartmentField': {
      const list = people(text, raw.extValue, ['id', 'itemId', 'deptId', 'dept_id', 'number']);
      return { value: list, extra: { ids: list.map((p) => p.id).filter(Boolean), names: list.map((p) => p.name).filter(Boolean) } };
    }
    case 'DDAttachment': {
      const files = attachmentsOf(label, text);
      attachments.push(...files);
      return { value: files.map((file) => file.name) };
    }
    default:
      // TextField, TextareaField, DDSelectField, PhoneField and any type we do not know: text, never dropped.
      return { value: text };
  }
}

/** Flattens GetProcessInstance's `formComponentValues` into typed Zapier fields. */
export function flattenForm(values: RawFormValue[]): FlatForm {
  const fields: Record<string, unknown> = {};
  const form: FlatForm['form'] = [];
  const attachments: FormAttachment[] = [];
  for (const raw of values) {
    if (raw.componentType === 'TextNote') continue;
    const label = raw.componentType === 'DDDateRangeField' ? rangeLabel(raw.name ?? '') : (raw.name ?? raw.id ?? 'Field');
    const type = raw.componentType ?? 'Unknown';
    const { value, extra } = convert(raw, label, attachments);
    let key = fieldKey(label);
    for (let n = 2; key in fields; n += 1) key = `${fieldKey(label)}_${n}`;
    fields[key] = value;
    for (const [suffix, extraValue] of Object.entries(extra ?? {})) fields[`${key}__${suffix}`] = extraValue;
    form.push({ label, type, value });
  }
  return { fields, form, attachments };
}
