/**
 * The whole app against Zapier's own schema (zapier-platform-schema, as `zapier-platform validate` checks it
 * offline; zapier-platform.md §8): the hook trigger's four operations, the connection fields and every operation.
 */
import App from '../index';

// zapier-platform-schema comes with zapier-platform-core (its own dependency, same version) and has no types.
// core's cleaner turns functions into the `$func$` placeholders the schema expects, as the CLI does.
/* eslint-disable @typescript-eslint/no-require-imports */
const { validateAppDefinition } = require('zapier-platform-schema') as { validateAppDefinition: (app: unknown) => { errors: { stack: string }[] } };
const { recurseCleanFuncs } = require('zapier-platform-core/src/tools/cleaner') as { recurseCleanFuncs: (app: unknown) => unknown };
/* eslint-enable @typescript-eslint/no-require-imports */

test('the app definition has no schema errors', () => {
  const { errors } = validateAppDefinition(recurseCleanFuncs(App));
  expect(errors.map((error) => error.stack)).toEqual([]);
});
