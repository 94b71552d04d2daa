/**
 * Zapier's publishing checks (zapier-platform.md §9) for the searches and the dropdown triggers: "Find X" labels and
 * "Finds …." descriptions, singular nouns, a search field (D009), samples with a primary key that match their
 * output fields (D010, D024), a real record with the sample's keys (T004), and dropdown/search references that
 * resolve (D005, D013, D014).
 */
import type { PlainOutputField } from 'zapier-platform-core';
import App from '../index';
import { approvalOutputFields, userOutputFields } from '../zapier/output-fields';
import { userRecord } from '../contacts/find-user';

import approvalSample from '../samples/approval.json';
import userSample from '../samples/user.json';
import { ISO_WITH_OFFSET, isTitleCase } from './publishing-rules';

interface Field { key: string; label?: string; helpText?: string; dynamic?: string; search?: string }
interface Operation {
  key: string;
  noun: string;
  display: { label: string; description: string; hidden?: boolean };
  operation: { sample?: Record<string, unknown>; outputFields?: PlainOutputField[]; inputFields?: unknown };
}

const searches = Object.values(App.searches ?? {}) as unknown as Operation[];
const triggers = Object.values(App.triggers ?? {}) as unknown as Operation[];
const creates = Object.values(App.creates ?? {}) as unknown as Operation[];
const dropdowns = triggers.filter((trigger) => ['list_users', 'list_departments'].includes(trigger.key));

const fieldsOf = (operation: Operation) => (Array.isArray(operation.operation.inputFields) ? (operation.operation.inputFields as Field[]) : []);

/** What each kind of operation's description starts with (Zapier's D021 wording). */
const OPENING = { triggers: 'Triggers when ', creates: 'Creates ', searches: 'Finds ' } as const;
const everyOperation = (['triggers', 'creates', 'searches'] as const).flatMap((kind) =>
  Object.entries(App[kind] ?? {}).map(([key, operation]) => [`${kind}.${key}`, kind, key, operation as unknown as Operation] as const),
);

describe('every trigger, create and search in the App (D011, D018, D021, singular nouns)', () => {
  test('all of them are checked', () => {
    expect(everyOperation.length).toBe(triggers.length + creates.length + searches.length);
    expect(everyOperation.length).toBeGreaterThanOrEqual(16);
  });

  test.each(everyOperation)('%s', (_name, kind, key, operation) => {
    expect(operation.key).toBe(key);
    expect(operation.noun).toMatch(/^[A-Z][a-z]+( [A-Z][a-z]+)*$/);
    expect(operation.noun).not.toMatch(/s$/);
    expect(isTitleCase(operation.display.label)).toBe(true);
    expect(operation.display.description.startsWith(OPENING[kind])).toBe(true);
    expect(operation.display.description).toMatch(/\S\.$/);
    expect(operation.display.description).not.toMatch(/zapier/i);
    expect(typeof operation.operation.sample?.id).toBe('string');
    for (const field of fieldsOf(operation).filter((candidate) => typeof candidate === 'object')) {
      expect([field.key, Boolean(field.label && isTitleCase(field.label))]).toEqual([field.key, true]);
      expect([field.key, field.helpText?.trim().toLowerCase()]).not.toEqual([field.key, field.label?.trim().toLowerCase()]);
      if (field.search) expect([field.key, field.dynamic]).toEqual([field.key, expect.any(String)]);
    }
  });
});

/** Whether a sample value has an output field's type (datetime: ISO-8601 with an offset, D023). */
function ofType(value: unknown, type: string): boolean {
  if (type === 'boolean') return typeof value === 'boolean';
  if (type === 'integer') return Number.isInteger(value);
  if (type === 'number') return typeof value === 'number' && Number.isFinite(value);
  if (type === 'datetime') return typeof value === 'string' && ISO_WITH_OFFSET.test(value);
  return typeof value === 'string';
}

/** Problems between a sample and output fields: a missing or extra key, or a value of the wrong type. */
function sampleProblems(sample: Record<string, unknown>, fields: PlainOutputField[]): string[] {
  const problems = fields.flatMap((field) => {
    // A line-item field (`steps[]step`): every item of the sample's list has the key, with the type.
    const [list, key] = field.key.split('[]');
    if (key !== undefined) {
      const items = sample[list!];
      if (!Array.isArray(items) || items.length === 0) return [`${list} should be a non-empty list`];
      return items.flatMap((item: Record<string, unknown>, i) => (key in item && ofType(item[key], field.type ?? 'string') ? [] : [`${list}[${i}].${key} should be a ${field.type ?? 'string'}`]));
    }
    if (!(field.key in sample)) return [`${field.key} is missing`];
    const value = sample[field.key];
    const type = field.type ?? 'string';
    if (field.list) return Array.isArray(value) && value.every((item) => ofType(item, type)) ? [] : [`${field.key} should be a list of ${type}`];
    return ofType(value, type) ? [] : [`${field.key} should be a ${type}`];
  });
  const extra = Object.keys(sample).filter((key) => !fields.some((field) => field.key === key || field.key.startsWith(`${key}[]`)));
  return [...problems, ...extra.map((key) => `${key} is not an output field`)];
}

describe('searches (D009, D018, singular noun, "Finds …." descriptions)', () => {
  test('the searches are Find API Usage, Find Approval, Find Template and Find User', () => {
    expect(searches.map((search) => [search.key, search.noun, search.display.label]).sort()).toEqual([
      ['find_api_usage', 'Usage', 'Find API Usage'],
      ['find_approval', 'Approval', 'Find Approval'],
      ['find_approval_statistics', 'Statistics Report', 'Find Approval Statistics'],
      ['find_template', 'Template', 'Find Template'],
      ['find_user', 'User', 'Find User'],
    ]);
  });

  test.each(searches.map((search) => [search.key, search] as const))('%s: display text and input fields', (_key, search) => {
    expect(search.display.description).toMatch(/^Finds .+\.$/);
    expect(search.display.description).not.toMatch(/zapier/i);
    expect(search.display.hidden).toBeFalsy();
    const fields = fieldsOf(search);
    expect(fields.length).toBeGreaterThan(0);
    for (const field of fields) {
      expect([field.key, field.label && isTitleCase(field.label)]).toEqual([field.key, true]);
      expect(field.helpText?.trim().toLowerCase()).not.toBe(field.label?.trim().toLowerCase());
    }
  });

  test.each(searches.map((search) => [search.key, search] as const))('%s: a sample with a string id, matching its output fields', (key, search) => {
    const { sample, outputFields } = search.operation;
    expect(typeof sample?.id).toBe('string');
    expect(sample?.id).toMatch(/\S/);
    if (key === 'find_approval') {
      expect([sample, outputFields]).toEqual([approvalSample, approvalOutputFields]);
    } else {
      expect(sampleProblems(sample!, outputFields!)).toEqual([]);
    }
  });

  test('the sample check itself catches a wrong type, a missing key and an extra key', () => {
    const { id: _id, ...withoutId } = userSample;
    expect(sampleProblems({ ...withoutId, active: 'yes', nickname: 'Big Man' }, userOutputFields)).toEqual([
      'id is missing',
      'active should be a boolean',
      'nickname is not an output field',
    ]);
  });

  test('a real user record has exactly the sample\'s keys (T004)', () => {
    const record = userRecord({ userid: 'u1', name: 'Chan Tai Man', dept_id_list: [1] }, new Map([[1, 'Harbour Trading']]));
    expect(Object.keys(record).sort()).toEqual(Object.keys(userSample).sort());
  });
});

describe('the User and Department dropdowns (D021)', () => {
  test.each(dropdowns.map((trigger) => [trigger.key, trigger] as const))('%s: hidden, "Triggers when …." and a sample that matches its output', (key, trigger) => {
    expect(trigger.display.hidden).toBe(true);
    expect(trigger.noun).toBe(key === 'list_users' ? 'User' : 'Department');
    expect(isTitleCase(trigger.display.label)).toBe(true);
    expect(trigger.display.description).toMatch(/^Triggers when .+\.$/);
    expect(sampleProblems(trigger.operation.sample!, trigger.operation.outputFields!)).toEqual([]);
  });

  test('both dropdown triggers are registered', () => {
    expect(dropdowns.map((trigger) => trigger.key).sort()).toEqual(['list_departments', 'list_users']);
  });
});

describe('dropdown and search references resolve (D005, D013, D014)', () => {
  const fields = [...triggers, ...searches, ...creates].flatMap((operation) => fieldsOf(operation).map((field) => ({ at: `${operation.key}.${field.key}`, field })));

  test.each(fields.filter(({ field }) => field.dynamic).map(({ at, field }) => [at, field] as const))('%s: its dynamic trigger exists and outputs those keys', (_at, field) => {
    const [key, id, label] = field.dynamic!.split('.');
    const trigger = triggers.find((candidate) => candidate.key === key);
    expect(trigger).toBeDefined();
    expect(trigger!.operation.outputFields?.map((output) => output.key)).toEqual(expect.arrayContaining([id, label]));
  });

  test.each(fields.filter(({ field }) => field.search).map(({ at, field }) => [at, field] as const))('%s: its search exists and comes with a dropdown', (_at, field) => {
    const [key, id] = field.search!.split('.');
    const search = searches.find((candidate) => candidate.key === key);
    expect(search?.operation.outputFields?.map((output) => output.key)).toContain(id);
    expect(field.dynamic).toBeDefined();
  });

  test('the Originators field picks users from the dropdown or Find User', () => {
    const originators = fields.filter(({ field }) => field.key === 'originatorUserIds').map(({ field }) => [field.dynamic, field.search]);
    expect(originators.length).toBeGreaterThanOrEqual(5);
    expect(new Set(originators.map((pair) => pair.join(' ')))).toEqual(new Set(['list_users.id.name find_user.id']));
  });
});
