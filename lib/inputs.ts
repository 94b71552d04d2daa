/**
 * Input problems found before calling DingTalk. Every check collects its problems and throws one InputError,
 * which becomes one Zapier error listing them all ("Amount must be a number; Reason is required."), not a
 * stack trace.
 */
import type { ZObject } from 'zapier-platform-core';

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
