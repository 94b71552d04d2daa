#!/usr/bin/env node
/**
 * `npm run zip [-- --out <folder>]`: builds build.zip and source.zip, the files `zapier-platform upload` sends to
 * Zapier, with `zapier-platform build --skip-dep-install --skip-validation` (the flags that work offline, README §4).
 *
 * Why not run that command in the project folder: with --skip-dep-install the CLI zips every package.json it finds
 * under node_modules (its preset include pattern), so the zip would carry the manifests of ~1,100 devDependencies,
 * and its `_zapier-build` step deletes and rebuilds the project's dist/ and build/. Plain `zapier-platform push`
 * avoids the first by copying the project to a temporary folder and running `npm install --production` there, which
 * needs the npm registry. This script does the same offline: it stages a copy of the project whose node_modules holds
 * only the production packages of package-lock.json (hard links to the installed ones), builds there, and copies the
 * two zips out. The project's own dist/, build/ and node_modules are never written, so builds can run side by side.
 *
 * Plain JavaScript so that it runs from a fresh clone before anything is compiled, like check-node.js.
 */
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
/** Never staged: installed or generated output, local secrets, other staging folders. */
const NOT_SOURCE = new Set(['node_modules', 'dist', 'build', '.git', '.env', 'coverage']);
const STAGING_PREFIX = '.zip-staging-';

/** package-lock.json keys ("node_modules/a", "node_modules/a/node_modules/b") of what `npm ci --omit=dev` installs. */
function productionPackages() {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
  return Object.entries(lock.packages)
    .filter(([key, entry]) => key.startsWith('node_modules/') && !entry.dev && !entry.link)
    .map(([key]) => key);
}

/** Copies a folder as hard links (fast, no extra disk), leaving out nested node_modules (they are staged by key). */
function linkTree(from, to) {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') linkTree(source, target);
    } else if (entry.isSymbolicLink()) {
      fs.symlinkSync(fs.readlinkSync(source), target);
    } else {
      try {
        fs.linkSync(source, target);
      } catch {
        fs.copyFileSync(source, target); // another file system, or links not allowed
      }
    }
  }
}

function stage(dir) {
  for (const entry of fs.readdirSync(ROOT, { withFileTypes: true })) {
    if (NOT_SOURCE.has(entry.name) || entry.name.startsWith(STAGING_PREFIX)) continue;
    fs.cpSync(path.join(ROOT, entry.name), path.join(dir, entry.name), { recursive: true });
  }
  for (const key of productionPackages()) {
    const installed = path.join(ROOT, key);
    // An optional package for another platform is in the lock file but not installed.
    if (fs.existsSync(installed)) linkTree(installed, path.join(dir, key));
  }
}

function parseOut(args) {
  const at = args.indexOf('--out');
  if (at === -1) return path.join(ROOT, 'build');
  if (!args[at + 1]) throw new Error('Usage: node scripts/build-zip.js [--out <folder>]');
  return path.resolve(args[at + 1]);
}

function main() {
  const out = parseOut(process.argv.slice(2));
  // Inside the project, so that the staged build still finds the devDependencies it compiles with (typescript,
  // @types/node) one folder up, while the zip is made only from the staged node_modules.
  const dir = path.join(ROOT, `${STAGING_PREFIX}${crypto.randomBytes(4).toString('hex')}`);
  try {
    stage(dir);
    const bin = path.join(ROOT, 'node_modules', '.bin');
    execFileSync(path.join(bin, 'zapier-platform'), ['build', '--skip-dep-install', '--skip-validation'], {
      cwd: dir,
      stdio: 'inherit',
      env: {
        ...process.env,
        // `_zapier-build` runs `npm run build` in the staged copy: rimraf, tsc and Node 22 come from the project.
        PATH: `${bin}${path.delimiter}${process.env.PATH}`,
        // The CLI otherwise reports usage to zapier.com and checks npm for updates.
        DISABLE_ZAPIER_ANALYTICS: '1',
        NO_UPDATE_NOTIFIER: '1',
      },
    });
    fs.mkdirSync(out, { recursive: true });
    for (const name of ['build.zip', 'source.zip']) fs.copyFileSync(path.join(dir, 'build', name), path.join(out, name));
    const size = fs.statSync(path.join(out, 'build.zip')).size;
    console.log(`\n${path.relative(process.cwd(), path.join(out, 'build.zip')) || 'build.zip'}: ${(size / 1024).toFixed(0)} KB, production dependencies only.`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
