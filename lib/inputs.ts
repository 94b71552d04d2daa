/**
 * Reading a step's inputs: the one place text, lists, whole numbers and Yes/No values are read from `bundle.inputData`
 * (or any plain record, in the relay and scripts), with every problem collected so the user sees all of them in
 * one message ("Amount must be a number; Reason is required."). Start Approval's form values (strict dates, money,
 * tables) build on it in approvals/start/input-values.ts. Nothing here knows Zapier: zapier/user-errors.ts turns an
 * InputError into Zapier's error.
 */
export class InputError extends Error {
  constructor(
    problems: string[],
    readonly code = 'InvalidInput',
  ) {
    super(`${problems.join('; ')}.`);
    this.name = 'InputError';
  }
}

/** Echoed input is cut to this many characters in error messages. */
const ECHO_CHARS = 40;

/** A user's value inside an error message, quoted and cut short: a 10,000-character input is not echoed whole. */
/** Whether `value` is a key of a dropdown's choice map, typed as that key. */
export const isChoice = <T extends object>(choices: T, value: string): value is Extract<keyof T, string> => Object.hasOwn(choices, value);

export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const chars = [...text];
  if (chars.length <= ECHO_CHARS) return `"${text}"`;
  return `"${chars.slice(0, ECHO_CHARS).join('')}…" (${chars.length.toLocaleString('en-US')} characters)`;
}

type Data = Readonly<Record<string, unknown>>;
/** The keys of a step's typed inputData (zapier: InferInputData of its field list); a misspelt key is a type error. */
type KeyOf<D> = Extract<keyof D, string>;

/** One input as trimmed text; missing, null and anything that is not a plain value read as ''. */
export function textOf(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value).trim() : '';
}

export const isBlank = (value: unknown) =>
  value === undefined || value === null || (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.length === 0);

export interface ListOptions {
  /**
   * Also split each item of a mapped list at commas, and drop repeats. For inputs where a comma can never be part
   * of one value (ids), so a mapped "a,b" counts as two. Without it an item of a mapped list stays whole: a
   * multi-select option may contain a comma; only a single mapped text is split.
   */
  splitItems?: boolean;
}

/** A list input: Zapier sends an array for a list field, or one comma-separated text when a single value was mapped. */
export function listOf(value: unknown, { splitItems = false }: ListOptions = {}): string[] {
  const split = (text: string) => text.split(',').map((item) => item.trim()).filter(Boolean);
  if (Array.isArray(value)) {
    const items = value.map((item) => String(item).trim()).filter(Boolean);
    return splitItems ? [...new Set(items.flatMap(split))] : items;
  }
  if (isBlank(value)) return [];
  return splitItems ? [...new Set(split(String(value)))] : split(String(value));
}

const count = (n: number) => n.toLocaleString('en-US');

/**
 * Reads one step's inputs and collects their problems. `done()` throws one InputError listing all of them.
 *
 *   const input = readInputs(bundle.inputData);
 *   const id = input.required('processInstanceId', 'Approval');
 *   input.done();
 */
export function readInputs<D extends Data>(data: D) {
  const problems: string[] = [];
  return {
    problems,
    /** Trimmed text, '' when missing. */
    text: (key: KeyOf<D>) => textOf(data[key]),
    /** Trimmed text that must be present. */
    required(key: KeyOf<D>, label: string): string {
      const value = textOf(data[key]);
      if (!value) problems.push(`${label} is required`);
      return value;
    },
    list: (key: KeyOf<D>, options?: ListOptions) => listOf(data[key], options),
    /** A Yes/No field: Zapier sends true/false or their text; anything else (or nothing) reads as `fallback`. */
    boolean(key: KeyOf<D>, fallback: boolean): boolean {
      const value = data[key];
      if (value === true || /^(true|yes|1)$/i.test(textOf(value))) return true;
      if (value === false || /^(false|no|0)$/i.test(textOf(value))) return false;
      return fallback;
    },
    /** A whole number from `min` to `max`; `fallback` when left empty. */
    wholeNumber(key: KeyOf<D>, label: string, { min, max, fallback }: { min: number; max: number; fallback: number }): number {
      const raw = textOf(data[key]);
      const value = raw === '' ? fallback : Number(raw);
      if (!Number.isInteger(value) || value < min || value > max) problems.push(`${label} must be a whole number from ${min} to ${max}`);
      return value;
    },
    /** A whole number that may be left empty, such as a task id: undefined when empty. */
    optionalWholeNumber(key: KeyOf<D>, label: string): number | undefined {
      const raw = textOf(data[key]);
      if (raw === '') return undefined;
      const value = Number(raw);
      if (!Number.isSafeInteger(value)) problems.push(`${label} must be a whole number, not ${quote(raw)}`);
      return value;
    },
    /** Notes a text longer than DingTalk accepts (counted in UTF-16 units, as DingTalk's Java does). */
    maxLength(label: string, value: string, max: number): void {
      if (value.length > max) problems.push(`${label} is ${count(value.length)} characters long; DingTalk accepts at most ${count(max)}`);
    },
    /** Throws every problem found so far as one InputError. */
    done(code?: string): void {
      if (problems.length > 0) throw new InputError(problems, code);
    },
  };
}

