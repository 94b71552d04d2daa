/**
 * The rooms of the house (README §7), checked on every import of every source file, type-only imports included:
 * - the domain (lib/, dingtalk/, contacts/, approvals/) and the relay import nothing from zapier-platform-core, so
 *   the relay and scripts run the domain with plain Node;
 * - the domain never reaches up into the Zapier side (zapier/, triggers/, creates/, searches/, hydrators,
 *   authentication, middleware, index);
 * - no file of the app imports itself through a cycle (the relay's store still has type-only cycles of its own).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(__dirname, '..');
const SOURCE_DIRS = ['lib', 'quota', 'dingtalk', 'contacts', 'approvals', 'zapier', 'triggers', 'creates', 'searches', 'relay'];
/** Zapier-free: the domain, and the relay built on it. */
const DOMAIN = ['lib/', 'quota/', 'dingtalk/', 'contacts/', 'approvals/', 'relay/'];
const ZAPIER_SIDE = ['zapier/', 'triggers/', 'creates/', 'searches/', 'hydrators.ts', 'authentication.ts', 'middleware.ts', 'index.ts'];

function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return tsFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Every module a file imports: package names as written, relative ones as repository paths. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true);
  return importedFiles.map(({ fileName }) => {
    if (!fileName.startsWith('.')) return fileName;
    const base = relative(ROOT, resolve(ROOT, dirname(file), fileName));
    for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) {
      try {
        if (statSync(join(ROOT, candidate)).isFile()) return candidate;
      } catch {
        // try the next form
      }
    }
    return base;
  });
}

const files = [...readdirSync(ROOT).filter((name) => name.endsWith('.ts')), ...SOURCE_DIRS.flatMap(tsFiles)];
const graph = new Map(files.map((file) => [file, importsOf(file)]));

/** One cycle per strongly connected start, as "a → b → a"; empty when the graph has none. */
export function cyclesIn(edges: ReadonlyMap<string, readonly string[]>): string[] {
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (node: string, path: string[]) => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'open') {
      cycles.push([...path.slice(path.indexOf(node)), node].join(' → '));
      return;
    }
    state.set(node, 'open');
    for (const next of edges.get(node) ?? []) if (edges.has(next)) visit(next, [...path, node]);
    state.set(node, 'done');
  };
  for (const node of edges.keys()) visit(node, []);
  return cycles;
}

const inDomain = (file: string) => DOMAIN.some((dir) => file.startsWith(dir));

test('the source files were found', () => {
  expect(files).toEqual(expect.arrayContaining(['index.ts', 'lib/inputs.ts', 'approvals/ledger/ledger.ts', 'zapier/transport.ts', 'dingtalk/workflow.ts']));
});

test('nothing in the domain or the relay imports zapier-platform-core, not even its types', () => {
  const offenders = [...graph].filter(([file, imports]) => inDomain(file) && imports.some((name) => name.startsWith('zapier-platform-core')));
  expect(offenders.map(([file]) => file)).toEqual([]);
});

test('nothing in the domain or the relay imports from the Zapier side', () => {
  const offenders = [...graph].flatMap(([file, imports]) =>
    inDomain(file) ? imports.filter((name) => ZAPIER_SIDE.some((side) => name === side || name.startsWith(side))).map((name) => `${file} → ${name}`) : [],
  );
  expect(offenders).toEqual([]);
});

test('there are no import cycles in the app', () => {
  expect(cyclesIn(new Map([...graph].filter(([file]) => !file.startsWith('relay/'))))).toEqual([]);
});

test('the checks can fail: a cycle and a Zapier import are found', () => {
  expect(cyclesIn(new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']]]))).toEqual(['a.ts → b.ts → c.ts → a.ts']);
  const probe = ts.preProcessFile("import type { Bundle } from 'zapier-platform-core';\nimport { x } from './y';", true, true);
  expect(probe.importedFiles.map((f) => f.fileName)).toEqual(['zapier-platform-core', './y']);
});
