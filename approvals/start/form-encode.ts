/**
 * Encodes Start Approval's inputs as DingTalk's `formComponentValues`, after checking every value against the
 * template. Every value is a string; lists are JSON inside it, except departments, which are comma-separated
 * (oa-formcomponent-message; ../shared/dingtalk-api.md §2.3). All problems are returned together, each naming its
 * field, and nothing is sent while there is one.
 */
import type { FormComponentValueInput, FormSchemaComponent } from '../../dingtalk/workflow';
import { fieldKeyOf, optionValues, rangeKeys, rangeLabels } from './form-fields';
import { isBlank, listOf, quote } from '../../lib/inputs';
import { MAX_VALUE_CHARS, readDate, readNumber, type Read } from './input-values';
import { readTableRows } from './table-input';

const SKIPPED = new Set(['DDAttachment', 'TextNote']);

export interface Encoded {
  values: FormComponentValueInput[];
  problems: string[];
}

const labelOf = (component: Pick<FormSchemaComponent, 'props'>) => component.props.label ?? component.props.id ?? 'Field';
const tooLong = (label: string, length: number, what = 'per field') =>
  `${label} is ${length.toLocaleString('en-US')} characters once encoded; DingTalk accepts at most ${MAX_VALUE_CHARS.toLocaleString('en-US')} ${what}`;

/** One component's value as DingTalk's string, or a problem sentence. */
function encodeValue(component: FormSchemaComponent, value: unknown, label: string): Read {
  switch (component.componentName) {
    case 'NumberField':
      return readNumber(value, 'number', label);
    case 'MoneyField':
      return readNumber(value, 'money', label);
    case 'StarRatingField':
      return readNumber(value, 'whole', label);
    case 'DDSelectField': {
      const options = optionValues(component);
      const text = String(value).trim();
      return options.length === 0 || options.includes(text) ? { value: text } : { problem: `${label} must be one of ${options.join(', ')}, not ${quote(text)}` };
    }
    case 'DDMultiSelectField': {
      const options = optionValues(component);
      const chosen = listOf(value);
      const unknown = chosen.filter((item) => options.length > 0 && !options.includes(item));
      return unknown.length === 0 ? { value: JSON.stringify(chosen) } : { problem: `${label} has options the template does not offer: ${unknown.map(quote).join(', ')}` };
    }
    case 'DDDateField':
      return readDate(value, component.props.format, label);
    case 'DDPhotoField': {
      const urls = listOf(value);
      const bad = urls.filter((url) => !/^https:\/\//i.test(url));
      return bad.length === 0 ? { value: JSON.stringify(urls) } : { problem: `${label} takes https image URLs, not ${bad.map(quote).join(', ')}` };
    }
    case 'InnerContactField': {
      const users = listOf(value);
      if (component.props.choice === 0 && users.length > 1) return { problem: `${label} takes one user` };
      return { value: JSON.stringify(users) };
    }
    case 'DepartmentField':
      return { value: listOf(value).join(',') };
    default:
      return typeof value === 'object' ? { problem: `${label} takes text, not a list` } : { value: String(value) };
  }
}

/** Encodes a value and checks DingTalk's size limit on it. */
function encodeChecked(component: FormSchemaComponent, value: unknown, label: string, problems: string[]): string | undefined {
  const read = encodeValue(component, value, label);
  if (read.problem !== undefined) problems.push(read.problem);
  else if (read.value.length > MAX_VALUE_CHARS) problems.push(tooLong(label, read.value.length));
  else return read.value;
  return undefined;
}

function encodeTable(component: FormSchemaComponent, raw: unknown, label: string, problems: string[]): string | undefined {
  const children = (component.children ?? []).filter((child) => !SKIPPED.has(child.componentName));
  const rows = readTableRows(raw, children, label);
  if (rows.problems.length > 0) {
    problems.push(...rows.problems);
    return undefined;
  }
  const before = problems.length;
  const encodedRows = rows.rows.map((cells, index) =>
    children.flatMap((child) => {
      const childLabel = labelOf(child);
      const where = `${label} row ${index + 1}: ${childLabel}`;
      const cell = cells[child.props.id ?? ''];
      if (isBlank(cell)) {
        if (child.props.required) problems.push(`${where} is required`);
        return [];
      }
      const value = encodeChecked({ ...child, children: [] }, cell, where, problems);
      return value === undefined ? [] : [{ name: childLabel, value }];
    }),
  );
  if (problems.length > before || encodedRows.length === 0) return undefined;
  const value = JSON.stringify(encodedRows);
  if (value.length > MAX_VALUE_CHARS) {
    // oa-formcomponent-message: "表格明细控件总长度上限65535字符，建议明细不超过100行".
    problems.push(`${tooLong(label, value.length, 'for a whole table')}: ${encodedRows.length} rows is too many; DingTalk suggests at most 100. Split the line items over several approvals`);
    return undefined;
  }
  return value;
}

function encodeRange(component: FormSchemaComponent, inputData: Record<string, unknown>, problems: string[]): string | undefined {
  const keys = rangeKeys(fieldKeyOf(component));
  const [startLabel, endLabel] = rangeLabels(labelOf(component));
  const [start, end] = [inputData[keys.start], inputData[keys.end]];
  if (isBlank(start) && isBlank(end)) {
    if (component.props.required) problems.push(`${startLabel} and ${endLabel} are required`);
    return undefined;
  }
  if (isBlank(start) || isBlank(end)) {
    problems.push(`${isBlank(start) ? startLabel : endLabel} is required when ${isBlank(start) ? endLabel : startLabel} is set`);
    return undefined;
  }
  const [from, to] = [readDate(start, component.props.format, startLabel), readDate(end, component.props.format, endLabel)];
  for (const read of [from, to]) if (read.problem !== undefined) problems.push(read.problem);
  if (from.value === undefined || to.value === undefined) return undefined;
  // Both follow the same yyyy-MM-dd[ HH:mm] pattern, so text order is time order.
  if (to.value < from.value) {
    problems.push(`${endLabel} (${to.value}) is before ${startLabel} (${from.value})`);
    return undefined;
  }
  return JSON.stringify([from.value, to.value]);
}

/** Checks and encodes every fillable component; required ones must have a value. */
export function encodeForm(components: FormSchemaComponent[], inputData: Record<string, unknown>): Encoded {
  const values: FormComponentValueInput[] = [];
  const problems: string[] = [];
  for (const component of components) {
    if (SKIPPED.has(component.componentName)) continue;
    const label = labelOf(component);
    const id = component.props.id ?? undefined;
    const push = (value: string | undefined) => {
      if (value !== undefined) values.push({ name: label, value, ...(id ? { id } : {}) });
    };
    if (component.componentName === 'DDDateRangeField') {
      push(encodeRange(component, inputData, problems));
      continue;
    }
    const raw = inputData[fieldKeyOf(component)];
    if (isBlank(raw)) {
      if (component.props.required) problems.push(`${label} is required`);
      continue;
    }
    push(component.componentName === 'TableField' ? encodeTable(component, raw, label, problems) : encodeChecked(component, raw, label, problems));
  }
  return { values, problems };
}
