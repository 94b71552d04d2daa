/**
 * Input problems found before calling DingTalk. Every check collects its problems and throws one InputError,
 * which becomes one Zapier error listing them all ("Amount must be a number; Reason is required."), not a
 * stack trace.
 */
import type { ZObject } from 'zapier-platform-core';

/** Echoed input is cut to this many characters in error messages. */
const ECHO_CHARS = 40;

/** A user's value inside an error message, quoted and cut short: a 10,000-character input is not echoed whole. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const chars = [...text];
  if (chars.length <= ECHO_CHARS) return `"${text}"`;
  return `"${chars.slice(0, ECHO_CHARS).join('')}…" (${chars.length.toLocaleString('en-US')} characters)`;
}

export class InputError extends Error {
  constructor(
    problems: string[],
    readonly code = 'InvalidInput',
  ) {
    super(`${problems.join('; ')}.`);
    this.name = 'InputError';
  }
}

export async function asUserErrors<T>(z: ZObject, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof InputError) throw new z.errors.Error(error.message, error.code, 400);
    throw error;
  }
}
