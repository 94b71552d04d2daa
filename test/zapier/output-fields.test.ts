/**
 * Zapier's publishing checks (zapier-platform.md §9) as tests: trigger display text (D018, D021), the static
 * sample (D010, D012, D023, D024), and that the sample and a real record share one shape (T004, T005, C003).
 */
import type { PlainOutputField } from 'zapier-platform-core';
import App from '../../index';
import { fieldKey } from '../../approvals/record/form';
import { approvalOutputFields, outputFields } from '../../zapier/output-fields';
import { approvalRecord } from '../../approvals/record/record';
import { ProcessInstance } from '../../dingtalk/schemas/workflow';
import sample from '../../samples/approval.json';
import waitingSample from '../../samples/waiting.json';
import { waitingOutputFields } from '../../zapier/waiting-trigger';
import completedBody from '../fixtures/get-process-instance.json';
import { ISO_WITH_OFFSET, isTitleCase } from '../publishing-rules';

interface TriggerLike {
  key: string;
  noun: string;
  display: { label: string; description: string; hidden?: boolean };
  operation: { sample?: unknown; outputFields?: unknown; inputFields?: unknown };
}

const triggers = Object.values(App.triggers ?? {}) as unknown as TriggerLike[];
const visible = triggers.filter((trigger) => !trigger.display.hidden);

/** Anything that starts like a date and carries a time. */
const LOOKS_LIKE_DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;


describe('outputFields, the one builder of output field lists', () => {
  it('builds key, label and type (text by default), a required id and lists; a line item prefixes keys and labels', () => {
    expect(outputFields([['id', 'Approval ID', 'string', 'required'], ['title', 'Title'], ['cc_user_ids', 'CC User IDs', 'string', 'list']])).toEqual([
      { key: 'id', label: 'Approval ID', type: 'string', required: true },
      { key: 'title', label: 'Title', type: 'string' },
      { key: 'cc_user_ids', label: 'CC User IDs', type: 'string', list: true },
    ]);
    expect(outputFields([['task_id', 'ID', 'integer']], 'tasks[]', 'Task ')).toEqual([{ key: 'tasks[]task_id', label: 'Task ID', type: 'integer' }]);
  });

  it('the labels users map by stay as published', () => {
    const labels = (fields: PlainOutputField[]) => Object.fromEntries(fields.map((field) => [field.key, field.label]));
    const statistics = App.searches!.find_approval_statistics!.operation.outputFields as PlainOutputField[];
    expect(labels(approvalOutputFields)).toMatchObject({
      'form[]label': 'Form Field Label',
      'attachments[]size': 'Attachment Size (Bytes)',
      'operations[]date': 'Operation Date',
      'tasks[]task_id': 'Task ID',
      'tasks[]wait_minutes': 'Task Wait (Minutes)',
    });
    expect(labels(statistics)).toMatchObject({
      processing_hours_p90: 'Processing Time 90th Percentile (Hours)',
      'steps[]visits': 'Step Visits',
      'departments[]department_id': 'Department ID',
      'departments[]slowest_step': 'Department Slowest Step',
    });
    expect(labels(waitingOutputFields)).toMatchObject({ id: 'Delivery ID (Approval, Task and Threshold)', manager_name: "Approver's Manager Name" });
  });
});

describe('triggers (D018, D021, singular noun)', () => {
  it('the visible triggers are exactly the five polling approval triggers, the instant one and Approval Waiting Too Long', () => {
    expect(visible.map((trigger) => trigger.key).sort()).toEqual(['approval_approved', 'approval_event_instant', 'approval_finished', 'approval_rejected', 'approval_revoked', 'approval_waiting_too_long', 'new_approval']);
    expect(triggers.filter((trigger) => trigger.display.hidden).map((trigger) => trigger.key).sort()).toEqual(['list_departments', 'list_templates', 'list_users']);
  });

  it.each(visible.map((trigger) => [trigger.key, trigger] as const))('%s: noun, Title Case label, "Triggers when …." description', (_key, trigger) => {
    expect(trigger.noun).toBe('Approval');
    expect(trigger.display.label).toMatch(/\S/);
    expect(isTitleCase(trigger.display.label)).toBe(true);
    expect(trigger.display.description.startsWith('Triggers when ')).toBe(true);
    expect(trigger.display.description.endsWith('.')).toBe(true);
    expect(trigger.display.description).not.toMatch(/zapier/i);
  });

  it('the Title Case check itself rejects lower-case words', () => {
    expect(isTitleCase('Approval approved')).toBe(false);
    expect(isTitleCase('List of Approval Templates')).toBe(true);
  });

  const ledgerTriggers = visible.filter((trigger) => !['approval_waiting_too_long', 'approval_event_instant'].includes(trigger.key));
  it.each(ledgerTriggers.map((trigger) => [trigger.key, trigger] as const))('%s: uses the shared sample and output fields', (_key, trigger) => {
    expect(trigger.operation.sample).toBe(sample);
    expect(trigger.operation.outputFields).toBe(approvalOutputFields);
  });

  it('approval_waiting_too_long: the approval record plus waiting fields, every sample key described, dates with offsets', () => {
    const waiting = visible.find((trigger) => trigger.key === 'approval_waiting_too_long')!;
    const outputKeys = (waiting.operation.outputFields as PlainOutputField[]).map((field) => field.key);
    expect(outputKeys).toEqual(expect.arrayContaining([...approvalOutputFields.map((field) => field.key), ...waitingOutputFields.map((field) => field.key)]));
    const record = waiting.operation.sample as Record<string, unknown>;
    expect(Object.keys(record).sort()).toEqual(Object.keys({ ...sample, ...waitingSample }).sort());
    for (const field of waitingOutputFields) expect(record).toHaveProperty(field.key);
    expect(record.waiting_since).toMatch(ISO_WITH_OFFSET);
    expect(record.checked_at).toMatch(ISO_WITH_OFFSET);
    expect(record.id).toBe(`${String(record.approval_id)}:task-${String(record.task_id)}:after-2h`);
  });

  it('approval_event_instant: the approval record\'s output fields, plus the waiting trigger\'s when the event is "waiting"; the shared samples', async () => {
    const instant = visible.find((trigger) => trigger.key === 'approval_event_instant')!;
    const [dynamic, ...others] = (instant.operation.outputFields as unknown[]).filter((field) => typeof field === 'function') as DynamicFields[];
    expect(others).toEqual([]);
    expect((instant.operation.outputFields as unknown[]).filter((field) => typeof field !== 'function')).toEqual(approvalOutputFields);
    const waitingKeys = (await dynamic!({} as never, { inputData: { event: 'waiting' } })).map((field) => field.key);
    expect(waitingKeys).toEqual(waitingOutputFields.map((field) => field.key).filter((key) => key !== 'id'));
    await expect(dynamic!({} as never, { inputData: { event: 'approved' } })).resolves.toEqual([]);
    expect(instant.operation.sample).toBe(sample);
  });

  /** A trigger's input fields, with dynamic ones resolved as for every choice of the instant trigger's Event. */
  const inputFieldsOf = async (trigger: TriggerLike) => {
    const listed = trigger.operation.inputFields as ({ key: string; label?: string; helpText?: string } | DynamicFields)[];
    const resolved = await Promise.all(listed.map(async (field) => (typeof field === 'function' ? (await field({} as never, { inputData: { event: 'waiting' } })) : [field])));
    return resolved.flat();
  };

  it.each(visible.map((trigger) => [trigger.key, trigger] as const))('%s: input fields have Title Case labels and no redundant help text (D011)', async (_key, trigger) => {
    expect(Array.isArray(trigger.operation.inputFields)).toBe(true);
    const fields = await inputFieldsOf(trigger);
    for (const field of fields) {
      expect(field.label && isTitleCase(field.label)).toBe(true);
      expect(field.helpText?.trim().toLowerCase()).not.toBe(field.label?.trim().toLowerCase());
    }
  });
});

type DynamicFields = (z: never, bundle: { inputData: Record<string, unknown> }) => Promise<{ key: string; label?: string; helpText?: string }[]> | { key: string; label?: string; helpText?: string }[];

type Path = { list?: string; child: string };
const pathOf = (key: string): Path => {
  const [list, child] = key.split('[]');
  return child === undefined ? { child: key } : { list, child };
};

/** Why `value` does not fit the output field's declared type, or undefined when it does (null fits unless required). */
function typeProblem(field: PlainOutputField, value: unknown, { fileIsUrl }: { fileIsUrl: boolean }): string | undefined {
  if (value === null) return field.required ? `${field.key} is required but null` : undefined;
  if (value === undefined) return `${field.key} is missing`;
  const one = (item: unknown): string | undefined => {
    switch (field.type ?? 'string') {
      case 'string':
        return typeof item === 'string' ? undefined : `${field.key} should be a string, got ${JSON.stringify(item)}`;
      case 'integer':
        return Number.isInteger(item) ? undefined : `${field.key} should be an integer, got ${JSON.stringify(item)}`;
      case 'number':
        return typeof item === 'number' && Number.isFinite(item) ? undefined : `${field.key} should be a number, got ${JSON.stringify(item)}`;
      case 'datetime':
        return typeof item === 'string' && ISO_WITH_OFFSET.test(item) ? undefined : `${field.key} should be ISO-8601 with an offset, got ${JSON.stringify(item)}`;
      case 'file':
        if (typeof item !== 'string') return `${field.key} should be a file (a string), got ${JSON.stringify(item)}`;
        return !fileIsUrl || /^https:\/\/\S+$/.test(item) ? undefined : `${field.key} should be a file URL, got ${JSON.stringify(item)}`;
      case 'boolean':
        return typeof item === 'boolean' ? undefined : `${field.key} should be a boolean, got ${JSON.stringify(item)}`;
      default:
        return `${field.key} has a type this test does not know: ${field.type}`;
    }
  };
  if (field.list) return Array.isArray(value) ? value.map(one).find(Boolean) : `${field.key} should be a list, got ${JSON.stringify(value)}`;
  return one(value);
}

/**
 * Every output field must exist in `record` with a value of its declared type. For `list[]child` keys the list
 * must be a non-empty array whose every item has the child; `requireValue` asks for at least one non-null value
 * per field (a sample should show what each field looks like).
 */
function shapeProblems(record: Record<string, unknown>, options: { fileIsUrl: boolean; requireValue: boolean }): string[] {
  return approvalOutputFields.flatMap((field) => {
    const { list, child } = pathOf(field.key);
    if (list === undefined) {
      if (!(child in record)) return [`${field.key} is missing`];
      const value = record[child];
      if (options.requireValue && value === null) return [`${field.key} has no sample value`];
      const problem = typeProblem(field, value, options);
      return problem ? [problem] : [];
    }
    const items = record[list];
    if (!Array.isArray(items) || items.length === 0) return [`${list} should be a non-empty list of line items`];
    const problems = items.flatMap((item: Record<string, unknown>, i) => {
      if (!(child in item)) return [`${list}[${i}].${child} is missing`];
      const problem = typeProblem(field, item[child], options);
      return problem ? [`${list}[${i}]: ${problem}`] : [];
    });
    if (options.requireValue && items.every((item: Record<string, unknown>) => item[child] === null)) problems.push(`${field.key} has no sample value`);
    return problems;
  });
}

/** Every string anywhere in `value`, with its path. */
function strings(value: unknown, at = ''): [string, string][] {
  if (typeof value === 'string') return [[at, value]];
  if (Array.isArray(value)) return value.flatMap((item, i) => strings(item, `${at}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => strings(item, at ? `${at}.${key}` : key));
  return [];
}

const record = approvalRecord('pi-fake-expense-0001', ProcessInstance.parse(completedBody.result), {
  processCode: 'PROC-FAKE-EXPENSE-0001',
  templateName: 'Expense Claim 費用報銷',
  names: new Map([
    ['user-chan-0001', '陳嘉欣 Chan Ka Yan'],
    ['user-lee-0002', 'Lee Siu Wai'],
    ['user-ho-0004', 'Ho Chi Keung'],
  ]),
  file: (ref) => `hydrate|||${JSON.stringify(ref)}|||hydrate`,
}) as unknown as Record<string, unknown>;

const sampleRecord = sample as unknown as Record<string, unknown>;
const nonFormKeys = (keys: string[]) => keys.filter((key) => !key.startsWith('form__')).sort();
const itemKeys = (value: unknown) => [...new Set((value as Record<string, unknown>[]).flatMap((item) => Object.keys(item)))].sort();

describe('the static sample (D010, D012, D023, D024)', () => {
  it('has a non-empty string id (the primary key)', () => {
    expect(typeof sample.id).toBe('string');
    expect(sample.id).toMatch(/\S/);
  });

  it('every date-time in it is ISO-8601 with an offset', () => {
    const datetimes = strings(sample).filter(([, value]) => LOOKS_LIKE_DATETIME.test(value));
    // created_at, finished_at, two operation dates, two task times.
    expect(datetimes).toHaveLength(6);
    expect(datetimes.filter(([, value]) => !ISO_WITH_OFFSET.test(value))).toEqual([]);
  });

  it('matches approvalOutputFields: every key present, with a value of the declared type', () => {
    expect(shapeProblems(sampleRecord, { fileIsUrl: true, requireValue: true })).toEqual([]);
  });

  it('the shape check catches a wrong type, a missing key and an offset-less datetime', () => {
    const broken = {
      ...sampleRecord,
      processing_minutes: '1405',
      created_at: '2026-11-20T10:15:00',
      tasks: [{ ...sample.tasks[0], wait_minutes: 1.5 }],
      attachments: [{ ...sample.attachments[0], file: 'dinner-receipt.pdf' }],
    } as Record<string, unknown>;
    delete broken.outcome;
    expect(shapeProblems(broken, { fileIsUrl: true, requireValue: true })).toEqual([
      'outcome is missing',
      'created_at should be ISO-8601 with an offset, got "2026-11-20T10:15:00"',
      'processing_minutes should be an integer, got "1405"',
      'attachments[0]: attachments[]file should be a file URL, got "dinner-receipt.pdf"',
      'tasks[0]: tasks[]wait_minutes should be an integer, got 1.5',
    ]);
  });

  it('form__ keys are the keys flattenForm gives its form labels, with the same values', () => {
    const expected: Record<string, unknown> = {};
    for (const { label, value, type } of sample.form) {
      expected[fieldKey(label)] = value;
      if (type === 'DDDateRangeField') {
        const range = value as { start: string; end: string };
        expected[`${fieldKey(label)}__start`] = range.start;
        expected[`${fieldKey(label)}__end`] = range.end;
      }
    }
    const formFields = Object.fromEntries(Object.entries(sampleRecord).filter(([key]) => key.startsWith('form__')));
    expect(formFields).toEqual(expected);
  });

  it('its minutes agree with its times', () => {
    const minutes = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 60000;
    expect(sample.processing_minutes).toBe(minutes(sample.created_at, sample.finished_at));
    for (const task of sample.tasks) expect(task.wait_minutes).toBe(minutes(task.created_at, task.finished_at));
  });
});

describe('the sample and a real record share one shape (T004, T005)', () => {
  it('the record from the fixture has every output field, with the declared types', () => {
    // A real record's file is a dehydrated pointer, not yet a URL.
    expect(shapeProblems(record, { fileIsUrl: false, requireValue: false })).toEqual([]);
  });

  it('the same top-level keys apart from form__ fields', () => {
    expect(nonFormKeys(Object.keys(sampleRecord))).toEqual(nonFormKeys(Object.keys(record)));
  });

  it.each(['attachments', 'operations', 'tasks', 'form'])('the same %s[] item keys', (list) => {
    expect(itemKeys(sampleRecord[list])).toEqual(itemKeys(record[list]));
  });

  it('the sample has no key the real record could not produce, except form__ fields', () => {
    const extra = Object.keys(sampleRecord).filter((key) => !key.startsWith('form__') && !(key in record));
    expect(extra).toEqual([]);
  });

  it('every output field key is unique', () => {
    const keys = approvalOutputFields.map((field) => field.key);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
