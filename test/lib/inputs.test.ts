import { InputError, listOf, quote, readInputs, textOf } from '../../lib/inputs';

describe('textOf', () => {
  test('trims plain values; missing, null and objects read as empty', () => {
    expect([textOf('  a '), textOf(7), textOf(true), textOf(undefined), textOf(null), textOf({ a: 1 })]).toEqual(['a', '7', 'true', '', '', '']);
  });
});

describe('listOf: mapped lists and comma text', () => {
  test('a mapped list keeps each item whole (an option may contain a comma); one mapped text is split at commas', () => {
    expect(listOf(['Travel, local', ' Meals '])).toEqual(['Travel, local', 'Meals']);
    expect(listOf('a, b,,c ')).toEqual(['a', 'b', 'c']);
    expect([listOf(undefined), listOf(''), listOf([])]).toEqual([[], [], []]);
  });

  test('for ids, splitItems also splits mapped items and drops repeats', () => {
    expect(listOf(['u1,u2', 'u2', ' u3 '], { splitItems: true })).toEqual(['u1', 'u2', 'u3']);
    expect(listOf('u1,u1', { splitItems: true })).toEqual(['u1']);
  });
});

describe('quote', () => {
  test('echoes a short value whole and a long one cut to 40 characters with its length', () => {
    expect(quote('abc')).toBe('"abc"');
    expect(quote('x'.repeat(10_000))).toBe(`"${'x'.repeat(40)}…" (10,000 characters)`);
  });
});

describe('readInputs', () => {
  test('collects every problem and throws them together', () => {
    const input = readInputs({ id: ' ', days: '200', text: 'x'.repeat(5) } as Record<string, unknown>);
    input.required('id', 'Approval');
    input.wholeNumber('days', 'Look Back (Days)', { min: 1, max: 120, fallback: 7 });
    input.maxLength('Text', input.text('text'), 4);
    expect(() => input.done()).toThrow(new InputError(['Approval is required', 'Look Back (Days) must be a whole number from 1 to 120', 'Text is 5 characters long; DingTalk accepts at most 4']));
  });

  test('whole numbers fall back when empty and refuse fractions; Yes/No fields read Zapier\'s forms', () => {
    const input = readInputs({ empty: '', half: '1.5', yes: 'yes', no: false, other: 'maybe' } as Record<string, unknown>);
    expect(input.wholeNumber('empty', 'Days', { min: 1, max: 9, fallback: 7 })).toBe(7);
    input.wholeNumber('half', 'Days', { min: 1, max: 9, fallback: 7 });
    expect(input.problems).toEqual(['Days must be a whole number from 1 to 9']);
    expect([input.boolean('yes', false), input.boolean('no', true), input.boolean('other', true), input.boolean('missing', false)]).toEqual([true, false, true, false]);
  });

  test('done() with no problems passes, and a custom code is kept', () => {
    expect(() => readInputs({}).done()).not.toThrow();
    const input = readInputs({});
    input.problems.push('No pending task');
    expect(() => input.done('NoPendingTask')).toThrow(expect.objectContaining({ code: 'NoPendingTask', message: 'No pending task.' }));
  });
});
