/**
 * Start Approval's table (明細) input: Zapier line items (an array of rows keyed by each column's id), or a JSON
 * array of rows keyed by column id or label, typed or mapped as text. Anything else is refused with an example of
 * the accepted form: a table given as a line of text such as `Taxi,2026-11-24,100` must not be dropped silently.
 */
import type { FormSchemaComponent } from '../../dingtalk/workflow';
import { quote } from '../../lib/inputs';
import { optionValues } from './form-fields';

export interface TableRows {
  /** Each row keyed by column id. */
  rows: Record<string, unknown>[];
  problems: string[];
}

const isRow = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A cell value an example row shows for a column of this kind. */
function exampleCell(column: FormSchemaComponent): string {
  switch (column.componentName) {
    case 'MoneyField':
    case 'NumberField':
      return '100';
    case 'DDDateField':
      return '2026-11-24';
    case 'DDSelectField':
      return optionValues(column)[0] ?? 'Option';
    default:
      return 'Taxi';
  }
}

/** `[{"Description": "Taxi", "Amount": "100"}]`, with the table's own column labels. */
export function exampleRows(columns: FormSchemaComponent[]): string {
  return JSON.stringify([Object.fromEntries(columns.map((column) => [column.props.label ?? column.props.id ?? 'Column', exampleCell(column)]))]);
}

function parsed(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  const text = raw.trim();
  if (!text.startsWith('[') && !text.startsWith('{')) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function readTableRows(raw: unknown, columns: FormSchemaComponent[], label: string): TableRows {
  const value = parsed(raw);
  const list = isRow(value) ? [value] : value;
  if (!Array.isArray(list) || !list.every(isRow)) {
    return { rows: [], problems: [`${label} takes line items, or a JSON array of rows such as ${exampleRows(columns)}, not ${quote(raw)}`] };
  }
  const byKey = new Map<string, string>();
  for (const column of columns) {
    const id = column.props.id ?? '';
    byKey.set(id, id);
    if (column.props.label) byKey.set(column.props.label, id);
  }
  const problems: string[] = [];
  const rows = list.map((row, index) => {
    const cells: Record<string, unknown> = {};
    const unknown: string[] = [];
    for (const [key, cell] of Object.entries(row)) {
      const id = byKey.get(key.trim());
      if (id === undefined) unknown.push(key);
      else cells[id] = cell;
    }
    if (unknown.length > 0) {
      const known = columns.map((column) => column.props.label ?? column.props.id).join(', ');
      problems.push(`${label} row ${index + 1} has columns the table does not have: ${unknown.map(quote).join(', ')} (its columns are ${known})`);
    }
    return cells;
  });
  return { rows, problems };
}
