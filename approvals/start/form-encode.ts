/**
 * Encodes Start Approval's inputs as DingTalk's `formComponentValues`, after checking every value against the
 * template. Every value is a string; lists are JSON inside it, except departments, which are comma-separated
 * (oa-formcomponent-message; ../shared/dingtalk-api.md §2.3). All problems are returned together.
 */
import type { FormComponentValueInput, FormSchemaComponent } from '../../dingtalk/workflow';
import { fieldKeyOf, optionValues, rangeKeys, rangeLabels } from './form-fields';
import { dateInputMs, isBlank, listOf } from '../../lib/inputs';
import { ORG_OFFSET_MS } from '../../lib/time';
import { toNumber } from '../record/form';

const SKIPPED = new Set(['DDAttachment', 'TextNote']);

export interface Encoded {
  values: FormComponentValueInput[];
  problems: string[];
}

/** Formats a date input in Hong Kong time with the component's `yyyy-MM-dd[ HH:mm]` format. */
export function formatDate(value: unknown, format: string | null | undefined): string | undefined {
  const ms = dateInputMs(value);
  if (ms === undefined) return undefined;
  const hk = new Date(ms + ORG_OFFSET_MS).toISOString();
  const parts: Record<string, string> = { yyyy: hk.slice(0, 4), MM: hk.slice(5, 7), dd: hk.slice(8, 10), HH: hk.slice(11, 13), mm: hk.slice(14, 16) };
  return (format || 'yyyy-MM-dd').replace(/yyyy|MM|dd|HH|mm/g, (token) => parts[token]!);
}

/** One component's value as DingTalk's string, or a problem sentence. */
function encodeValue(component: FormSchemaComponent, value: unknown, label: string): { value?: string; problem?: string } {
  switch (component.componentName) {
    case 'NumberField':
    case 'MoneyField':
    case 'StarRatingField': {
      const number = toNumber(String(value));
      return typeof number === 'number' ? { value: String(number) } : { problem: `${label} must be a number` };
    }
    case 'DDSelectField': {
      const options = optionValues(component);
      const text = String(value).trim();
      return options.length === 0 || options.includes(text) ? { value: text } : { problem: `${label} must be one of: ${options.join(', ')}` };
    }
    case 'DDMultiSelectField': {
      const options = optionValues(component);
      const chosen = listOf(value);
      const unknown = chosen.filter((item) => options.length > 0 && !options.includes(item));
      return unknown.length === 0 ? { value: JSON.stringify(chosen) } : { problem: `${label} has options the template does not offer: ${unknown.join(', ')}` };
    }
    case 'DDDateField': {
      const date = formatDate(value, component.props.format);
      return date ? { value: date } : { problem: `${label} must be a date` };
    }
    case 'DDPhotoField': {
      const urls = listOf(value);
      const bad = urls.filter((url) => !/^https:\/\//i.test(url));
      return bad.length === 0 ? { value: JSON.stringify(urls) } : { problem: `${label} takes https image URLs` };
    }
    case 'InnerContactField': {
      const users = listOf(value);
      if (component.props.choice === 0 && users.length > 1) return { problem: `${label} takes one user` };
      return { value: JSON.stringify(users) };
    }
    case 'DepartmentField':
      return { value: listOf(value).join(',') };
    default:
      return { value: String(value) };
  }
}

function encodeTable(component: FormSchemaComponent, rows: unknown, label: string, problems: string[]): string | undefined {
  const list = Array.isArray(rows) ? rows : [];
  const children = (component.children ?? []).filter((child) => !SKIPPED.has(child.componentName));
  const encodedRows = list.map((row, index) => {
    const cells = typeof row === 'object' && row !== null ? (row as Record<string, unknown>) : {};
    return children.flatMap((child) => {
      const childLabel = child.props.label ?? child.props.id ?? 'Field';
      const where = `${label} row ${index + 1}: ${childLabel}`;
      const raw = cells[child.props.id ?? ''];
      if (isBlank(raw)) {
        if (child.props.required) problems.push(`${where} is required`);
        return [];
      }
      const { value, problem } = encodeValue({ ...child, children: [] }, raw, where);
      if (problem) problems.push(problem);
      return value === undefined ? [] : [{ name: childLabel, value }];
    });
  });
  return encodedRows.length > 0 ? JSON.stringify(encodedRows) : undefined;
}

/** Checks and encodes every fillable component; required ones must have a value. */
export function encodeForm(components: FormSchemaComponent[], inputData: Record<string, unknown>): Encoded {
  const values: FormComponentValueInput[] = [];
  const problems: string[] = [];
  for (const component of components) {
    if (SKIPPED.has(component.componentName)) continue;
    const key = fieldKeyOf(component);
    const label = component.props.label ?? component.props.id ?? 'Field';
    const id = component.props.id ?? undefined;
    if (component.componentName === 'DDDateRangeField') {
      const keys = rangeKeys(key);
      const [startLabel, endLabel] = rangeLabels(label);
      const [start, end] = [inputData[keys.start], inputData[keys.end]];
      if (isBlank(start) && isBlank(end)) {
        if (component.props.required) problems.push(`${startLabel} and ${endLabel} are required`);
        continue;
      }
      const dates = [start, end].map((d) => (isBlank(d) ? undefined : formatDate(d, component.props.format)));
      if (dates.some((d) => d === undefined)) problems.push(`${startLabel} and ${endLabel} must both be dates`);
      else values.push({ name: label, value: JSON.stringify(dates), ...(id ? { id } : {}) });
      continue;
    }
    const raw = inputData[key];
    if (isBlank(raw)) {
      if (component.props.required) problems.push(`${label} is required`);
      continue;
    }
    if (component.componentName === 'TableField') {
      const value = encodeTable(component, raw, label, problems);
      if (value) values.push({ name: label, value, ...(id ? { id } : {}) });
      continue;
    }
    const { value, problem } = encodeValue(component, raw, label);
    if (problem) problems.push(problem);
    else if (value !== undefined) values.push({ name: label, value, ...(id ? { id } : {}) });
  }
  return { values, problems };
}
