/**
 * The project's own npm settings. npm 11 prints an "install scripts not yet covered by allowScripts" warning during
 * `npm ci` for every dependency with an install script that package.json's `allowScripts` does not decide, which a
 * new user reads as a failed install. Every such package in the lock file must be approved or denied here.
 */
import fs from 'node:fs';
import path from 'node:path';
import pkg from '../package.json';

const lock = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package-lock.json'), 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean }> };

test('every dependency with an install script is approved or denied in allowScripts, so npm ci prints no warning', () => {
  const withScripts = Object.entries(lock.packages)
    .filter(([, entry]) => entry.hasInstallScript)
    .map(([key]) => key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length));
  const decided = Object.keys((pkg as { allowScripts?: Record<string, boolean> }).allowScripts ?? {}).map((entry) => entry.replace(/(.)@.*$/, '$1'));
  expect(withScripts.filter((name) => !decided.includes(name))).toEqual([]);
  // node@22 must be allowed: its preinstall fetches the Node 22 binary that every npm script runs on.
  expect((pkg as { allowScripts?: Record<string, boolean> }).allowScripts?.node).toBe(true);
});
