/**
 * StartProcessInstance's formComponentValues in, GetProcessInstance's formComponentValues out.
 *
 * Requests use the encodings of oa-formcomponent-message (every value a string, JSON inside for lists, tables as
 * `[[{name, value}]]`, departments comma-separated). Responses use what GetProcessInstance returns (the fixtures
 * under test/fixtures): selections with `{label, key}` in extValue, money with its Chinese capitals, contacts and
 * departments by name with ids in extValue, tables as `[{rowValue: [{label, value, key, componentType}]}]`.
 * Problems carry DingTalk's codes: `illegalComponent` for a malformed entry, `formConverterError` for a value
 * that fails its control's rules.
 */
import { moneyUpper } from './money';
import { isRecord, text } from './http';
import { departmentById, userById, type FileRef, type FormComponent, type State, type StoredValue, type Template } from './state';

export class FormProblem extends Error {
  constructor(readonly code: 'formConverterError' | 'illegalComponent', message: string) {
    super(message);
  }
}

/** What the flow rules read: numbers for money and numbers, text for the rest, rows keyed by child id for tables. */
export type Facts = Map<string, unknown>;

export interface DecodedForm {
  values: StoredValue[];
  facts: Facts;
  /** Files named in DDAttachment values, to be registered for download. */
  files: FileRef[];
}

interface Encoded {
  value: string;
  extValue?: string;
  fact: unknown;
}

const invalid = (label: string, why: string) => new FormProblem('formConverterError', `表单数据校验失败，失败控件：${label}（${why}）`);

function parseJson(raw: string, label: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw invalid(label, 'not valid JSON');
  }
}

function stringList(raw: string, label: string): string[] {
  const parsed = parseJson(raw, label);
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) throw invalid(label, 'expected a JSON array of strings');
  return parsed;
}

/** Schema options come as plain strings or as `{"value","key"}` JSON strings (both appear in real schemas). */
export function optionsOf(component: FormComponent): { value: string; key: string }[] {
  return (component.props.options ?? []).map((option, index) => {
    try {
      const parsed: unknown = JSON.parse(option);
      if (isRecord(parsed) && typeof parsed.value === 'string') return { value: parsed.value, key: text(parsed.key) ?? `option_${index}` };
    } catch {
      // a plain option
    }
    return { value: option, key: `option_${index}` };
  });
}

/** `yyyy-MM-dd[ HH:mm]` as a regular expression. */
const dateFormat = (format: unknown) =>
  new RegExp(`^${String(format || 'yyyy-MM-dd').replace(/yyyy/, '\\d{4}').replace(/MM|dd|HH|mm/g, '\\d{2}')}$`);

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)$/;

function encodeScalar(state: State, component: FormComponent, raw: string): Encoded {
  const { label } = component.props;
  switch (component.componentName) {
    case 'NumberField':
    case 'StarRatingField':
      if (!NUMBER.test(raw)) throw invalid(label, 'not a number');
      return { value: raw, fact: Number(raw) };
    case 'MoneyField': {
      if (!NUMBER.test(raw)) throw invalid(label, 'not an amount');
      const upper = component.props.notUpper === '1' ? undefined : JSON.stringify({ upper: moneyUpper(Number(raw)) });
      return { value: raw, ...(upper ? { extValue: upper } : {}), fact: Number(raw) };
    }
    case 'DDSelectField': {
      const option = optionsOf(component).find((candidate) => candidate.value === raw);
      if (!option) throw invalid(label, `"${raw}" is not one of its options`);
      return { value: raw, extValue: JSON.stringify({ label: option.value, key: option.key }), fact: raw };
    }
    case 'DDMultiSelectField': {
      const options = optionsOf(component);
      const picked = stringList(raw, label).map((value) => {
        const option = options.find((candidate) => candidate.value === value);
        if (!option) throw invalid(label, `"${value}" is not one of its options`);
        return option;
      });
      return { value: JSON.stringify(picked.map((o) => o.value)), extValue: JSON.stringify(picked.map((o) => ({ label: o.value, key: o.key }))), fact: picked.map((o) => o.value) };
    }
    case 'DDDateField':
      if (!dateFormat(component.props.format).test(raw)) throw invalid(label, `expected ${String(component.props.format || 'yyyy-MM-dd')}`);
      return { value: raw, fact: raw };
    case 'DDDateRangeField': {
      const range = stringList(raw, label);
      const format = dateFormat(component.props.format);
      if (range.length !== 2 || !range.every((date) => format.test(date))) throw invalid(label, 'expected ["start","end"] dates');
      return { value: JSON.stringify(range), fact: range };
    }
    case 'DDPhotoField':
      return { value: JSON.stringify(stringList(raw, label)), fact: stringList(raw, label) };
    case 'InnerContactField': {
      const ids = stringList(raw, label);
      const users = ids.map((id) => userById(state, id));
      if (users.some((user) => !user?.active)) throw invalid(label, 'names a userid that is not an active member');
      if (component.props.choice === 0 && ids.length > 1) throw invalid(label, 'takes one person');
      const people = users.flatMap((user) => (user ? [{ emplId: user.userid, name: user.name, avatar: '' }] : []));
      return { value: people.map((p) => p.name).join(','), extValue: JSON.stringify(people), fact: ids };
    }
    case 'DepartmentField': {
      const ids = raw.split(',').map((id) => id.trim()).filter(Boolean);
      const departments = ids.map((id) => departmentById(state, Number(id)));
      if (ids.length === 0 || departments.some((department) => !department)) throw invalid(label, 'names an unknown department id');
      const ext = departments.flatMap((d) => (d ? [{ deptName: d.name, itemId: String(d.deptId), name: d.name }] : []));
      // One department has been seen as a single object, several as an array.
      return { value: ext.map((d) => d.name).join(','), extValue: JSON.stringify(ext.length === 1 ? ext[0] : ext), fact: ids };
    }
    default:
      return { value: raw, fact: raw };
  }
}

function encodeAttachments(raw: string, label: string, files: FileRef[]): Encoded {
  const parsed = parseJson(raw, label);
  if (!Array.isArray(parsed)) throw invalid(label, 'expected a JSON array of files');
  const refs = parsed.map((item): FileRef => {
    const fileId = isRecord(item) ? text(item.fileId) : undefined;
    const fileName = isRecord(item) ? text(item.fileName) : undefined;
    if (!isRecord(item) || !fileId || !fileName) throw invalid(label, 'every file needs fileId and fileName');
    return { spaceId: text(item.spaceId) ?? '', fileId, fileName, fileSize: text(item.fileSize) ?? '0', fileType: text(item.fileType) ?? '' };
  });
  files.push(...refs);
  return { value: JSON.stringify(refs), fact: refs.map((ref) => ref.fileId) };
}

function encodeTable(state: State, table: FormComponent, raw: string): Encoded {
  const { label } = table.props;
  const rows = parseJson(raw, label);
  if (!Array.isArray(rows) || !rows.every(Array.isArray)) throw invalid(label, 'expected [[{"name","value"}]] rows');
  const children = table.children ?? [];
  const factRows: Record<string, string>[] = [];
  const rowValues = rows.map((row: unknown[], index) => {
    const cells = new Map<string, string>();
    for (const cell of row) {
      const name = isRecord(cell) ? text(cell.name) : undefined;
      const child = children.find((candidate) => candidate.props.label === name || candidate.props.id === name);
      if (!isRecord(cell) || !child || typeof cell.value !== 'string') throw invalid(label, `row ${index + 1} has an unknown or malformed cell`);
      cells.set(child.props.id, cell.value);
    }
    const missing = children.find((child) => child.props.required && !cells.get(child.props.id));
    if (missing) throw invalid(`${label} / ${missing.props.label}`, `row ${index + 1} is missing it`);
    factRows.push(Object.fromEntries(cells));
    const rowValue = children.flatMap((child) => {
      const value = cells.get(child.props.id);
      if (value === undefined) return [];
      const encoded = encodeScalar(state, child, value);
      return [{ componentType: child.componentName, label: child.props.label, value: encoded.value, key: child.props.id }];
    });
    return { rowValue, rowNumber: `${table.props.id}_ROW${index + 1}` };
  });
  return { value: JSON.stringify(rowValues), extValue: JSON.stringify({ statValue: [], componentName: 'TableField' }), fact: factRows };
}

const fillable = (component: FormComponent) => component.componentName !== 'TextNote';

/**
 * Checks and encodes the submitted values against the template's form. `lenient` (ProcessForecast) skips values
 * it cannot read and does not ask for required ones.
 */
export function decodeForm(state: State, template: Template, input: unknown, lenient = false): DecodedForm {
  if (!Array.isArray(input)) throw new FormProblem('illegalComponent', '表单组件入参错误：formComponentValues must be an array');
  const decoded: DecodedForm = { values: [], facts: new Map(), files: [] };
  for (const entry of input) {
    const name = isRecord(entry) ? text(entry.name) : undefined;
    const id = isRecord(entry) ? text(entry.id) : undefined;
    const component = template.items.find((item) => fillable(item) && ((id !== undefined && item.props.id === id) || item.props.label === name));
    const raw = isRecord(entry) ? entry.value : undefined;
    if (!component || typeof raw !== 'string' || raw.length > 65535) {
      if (lenient) continue;
      throw new FormProblem('illegalComponent', `表单组件入参错误：${name ?? id ?? JSON.stringify(entry)}`);
    }
    try {
      const encoded =
        component.componentName === 'TableField'
          ? encodeTable(state, component, raw)
          : component.componentName === 'DDAttachment'
            ? encodeAttachments(raw, component.props.label, decoded.files)
            : encodeScalar(state, component, raw);
      decoded.facts.set(component.props.id, encoded.fact);
      decoded.values = decoded.values.filter((value) => value.id !== component.props.id);
      decoded.values.push({
        id: component.props.id,
        name: component.props.label,
        value: encoded.value,
        ...(encoded.extValue !== undefined ? { extValue: encoded.extValue } : {}),
        componentType: component.componentName,
        ...(typeof component.props.bizAlias === 'string' ? { bizAlias: component.props.bizAlias } : {}),
      });
    } catch (error) {
      if (!lenient || !(error instanceof FormProblem)) throw error;
    }
  }
  if (!lenient) {
    const missing = template.items.find((item) => fillable(item) && item.props.required && !decoded.facts.has(item.props.id));
    if (missing) throw invalid(missing.props.label, 'required');
  }
  // Form order, as DingTalk lists them.
  const order = template.items.map((item) => item.props.id);
  decoded.values.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  return decoded;
}
