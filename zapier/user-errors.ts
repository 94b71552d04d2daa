/**
 * Input problems found before calling DingTalk (lib/inputs.ts InputError) become one Zapier error listing them
 * all, not a stack trace.
 */
import type { Bundle, ZObject } from 'zapier-platform-core';
import { InputError } from '../lib/inputs';

export async function asUserErrors<T>(z: ZObject, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof InputError) throw new z.errors.Error(error.message, error.code, 400);
    throw error;
  }
}

/**
 * A perform whose InputErrors reach the user as one Zapier error. The perform itself is typed from its field
 * list (`satisfies CreatePerform<InferInputData<typeof inputFields>>`); registered, it takes the plain Bundle
 * core's types expect when a field list holds a dynamic-fields function.
 */
export function withUserErrors<Data extends Record<string, unknown>, Result>(perform: (z: ZObject, bundle: Bundle<Data>) => Promise<Result>): (z: ZObject, bundle: Bundle) => Promise<Result> {
  return (z, bundle) => asUserErrors(z, () => perform(z, bundle as Bundle<Data>));
}
