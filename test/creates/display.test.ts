/**
 * Zapier's publishing checks (zapier-platform.md §9) for every action: Title Case labels
 * (D018), singular nouns, "Creates …." descriptions, no redundant help text (D011), search fields paired with a
 * dropdown (D014), and static samples that carry the primary key and match the output fields (D010, D023, D024).
 */
import type { PlainOutputField } from 'zapier-platform-core';
import App from '../../index';
import { approvalOutputFields } from '../../zapier/output-fields';
import approvalSample from '../../samples/approval.json';
import { ISO_WITH_OFFSET, isTitleCase } from '../publishing-rules';

interface CreateLike {
  key: string;
  noun: string;
  display: { label: string; description: string };
  operation: { inputFields: Record<string, unknown>[]; sample: Record<string, unknown>; outputFields: PlainOutputField[] };
}

const KEYS = {
  start_approval: 'Approval',
  add_comment: 'Comment',
  approve_or_reject: 'Approval',
  revoke_approval: 'Approval',
  transfer_approval_task: 'Approval',
  send_work_notification: 'Notification',
};
const byKey = App.creates as unknown as Record<string, CreateLike>;
// Every create in the App, so a new one cannot escape these checks; KEYS must name its noun.
const creates = Object.keys(byKey).map((key) => [key, byKey[key]!] as const);
/** The static fields; a function in the list builds a template's own form fields, labelled by the template. */
const staticFields = (create: CreateLike) => create.operation.inputFields.filter((field) => typeof field !== 'function');

test('every create in the App is listed here with its noun', () => {
  expect(Object.keys(byKey).sort()).toEqual(Object.keys(KEYS).sort());
});

function typeOk(field: PlainOutputField, value: unknown): boolean {
  const one = (item: unknown) => {
    switch (field.type ?? 'string') {
      case 'integer':
        return Number.isInteger(item);
      case 'datetime':
        return typeof item === 'string' && ISO_WITH_OFFSET.test(item);
      default:
        return typeof item === 'string';
    }
  };
  return field.list ? Array.isArray(value) && value.every(one) : one(value);
}

describe.each(creates)('%s', (key, create) => {
  test('is registered under its key with a singular noun', () => {
    expect(create.key).toBe(key);
    expect(create.noun).toBe(KEYS[key as keyof typeof KEYS]);
  });

  test('Title Case label and a "Creates …." description without "Zapier"', () => {
    expect(isTitleCase(create.display.label)).toBe(true);
    expect(create.display.description).toMatch(/^Creates .+\.$/);
    expect(create.display.description).not.toMatch(/zapier/i);
  });

  test('input fields: Title Case labels, help text that adds something, every search field also a dropdown', () => {
    for (const field of staticFields(create)) {
      expect(isTitleCase(String(field.label))).toBe(true);
      expect(String(field.helpText ?? '').trim().toLowerCase()).not.toBe(String(field.label).toLowerCase());
      expect(String(field.helpText ?? '')).not.toBe('');
      if (field.search) expect(field.dynamic).toEqual(expect.stringMatching(/^\w+\.\w+(\.\w+)?$/));
    }
  });

  test('the sample has the primary key and every output field, with its declared type', () => {
    const { sample, outputFields } = create.operation;
    expect(sample.id).toEqual(expect.any(String));
    for (const field of outputFields.filter((f) => !f.key.includes('[]'))) {
      expect({ key: field.key, ok: field.key in sample && (sample[field.key] === null || typeOk(field, sample[field.key])) }).toEqual({ key: field.key, ok: true });
    }
  });
});

test('Start Approval, Approve or Reject and Revoke return the approval record, with its sample and output fields, plus what the action did', () => {
  const added = {
    start_approval: ['note'],
    approve_or_reject: ['decision', 'decided_by_user_id', 'decided_at', 'note'],
    revoke_approval: ['revoked_by_user_id', 'revoked_at', 'note'],
    transfer_approval_task: ['transferred_task_id', 'from_user_id', 'to_user_id', 'transferred_at', 'note'],
  };
  for (const [key, keys] of Object.entries(added)) {
    const { operation } = byKey[key]!;
    expect(Object.keys(operation.sample)).toEqual([...Object.keys(approvalSample), ...keys]);
    expect(operation.outputFields).toEqual([...approvalOutputFields, ...keys.map((k) => expect.objectContaining({ key: k }))]);
  }
});

test('the approval actions share the Approval field: mapped from a trigger or Find Approval, or picked after a Template', () => {
  for (const key of ['add_comment', 'approve_or_reject', 'revoke_approval', 'transfer_approval_task']) {
    const fields = byKey[key]!.operation.inputFields;
    expect(fields.slice(0, 2)).toEqual([
      expect.objectContaining({ key: 'processCode', required: false, dynamic: 'list_templates.id.name' }),
      expect.objectContaining({ key: 'processInstanceId', required: true, dynamic: 'new_approval.id.title', search: 'find_approval.id' }),
    ]);
  }
});
