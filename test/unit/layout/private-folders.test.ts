/**
 * The private/ boundary. A module in `<dir>/private/` is an internal of the area `<dir>`: only files under `<dir>`
 * import it, and no package entry or area index file re-exports (or imports) from a private/ folder, so every name
 * of the public API is declared outside private/. Tests may import internals by path; lib/, stacks/, scripts/ and
 * examples/ may not cross the boundary.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SCANNED = ['lib', 'stacks', 'scripts', 'examples'];

/** The folder whose private/ holds `file` (repository-relative, '/'-separated), or undefined for a public file. */
function privateOwner(file: string): string | undefined {
  const parts = file.split('/');
  const at = parts.indexOf('private');
  return at > 0 && at < parts.length - 1 ? parts.slice(0, at).join('/') : undefined;
}

/**
 * The boundary violations of one source file. `file` is repository-relative; `index` says whether the file is a
 * package entry or an area's index file (those may not reach into any private/ folder, their own area's included).
 */
function boundaryViolations(file: string, source: string, index: boolean): string[] {
  const found: string[] = [];
  const { importedFiles } = ts.preProcessFile(source, true, true);
  for (const { fileName: specifier } of importedFiles) {
    if (!specifier.startsWith('.')) continue;
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
    const owner = privateOwner(target) ?? privateOwner(`${target}/index`);
    if (owner === undefined) continue;
    if (index) found.push(`${file}: the index file reaches into a private folder ('${specifier}')`);
    else if (!file.startsWith(`${owner}/`)) found.push(`${file}: imports '${specifier}', private to ${owner}`);
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory() && entry.name !== 'node_modules') out.push(...sourceFiles(rel));
    else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

/** The source files of the package entries (package.json "exports": dist/lib/x.d.ts is lib/x.ts). */
function packageEntries(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    exports: Record<string, string | { types?: string }>;
  };
  return Object.values(pkg.exports)
    .map((target) => (typeof target === 'string' ? undefined : target.types))
    .filter((types): types is string => types !== undefined)
    .map((types) => types.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '.ts'));
}

describe('private/ folders', () => {
  const entries = packageEntries();
  const isIndex = (file: string) => entries.includes(file) || /^lib\/[^/]+\/index\.ts$/.test(file);

  test('the package entries are read from package.json', () => {
    expect(entries).toEqual(
      expect.arrayContaining([
        'lib/index.ts',
        'lib/node/index.ts',
        'lib/control-plane/index.ts',
        'lib/review/index.ts',
      ]),
    );
    for (const entry of entries) expect(fs.existsSync(path.join(ROOT, entry))).toBe(true);
  });

  test('the check refuses a deliberately bad import or re-export', () => {
    // Another area's private module, from lib/, from a stack, by require and by dynamic import.
    expect(
      boundaryViolations('lib/ci/runner-access.ts', "import { x } from '../checks/private/context';", false),
    ).toEqual(["lib/ci/runner-access.ts: imports '../checks/private/context', private to lib/checks"]);
    expect(
      boundaryViolations('stacks/app.ts', "import { y } from '../lib/core/private/policy-hcl-json';", false),
    ).toHaveLength(1);
    expect(
      boundaryViolations('lib/pki/certificates.ts', "const z = require('../node/private/base64');", false),
    ).toHaveLength(1);
    expect(boundaryViolations('scripts/demo.ts', "void import('../lib/review/private/markdown');", false)).toHaveLength(
      1,
    );
    // A package entry or an area index file re-exporting from a private folder, its own area's included.
    expect(
      boundaryViolations('lib/index.ts', "export type { R } from './bootstrap/private/freshness';", true),
    ).toHaveLength(1);
    expect(
      boundaryViolations('lib/secrets/index.ts', "export { validateCidr } from './private/cidr';", true),
    ).toHaveLength(1);
    // Inside the area (rules/ is under lib/checks), and public modules: allowed.
    expect(
      boundaryViolations('lib/checks/rules/policy-sudo.ts', "import { v } from '../private/values';", false),
    ).toEqual([]);
    expect(boundaryViolations('lib/checks/private/context.ts', "import { t } from './transit';", false)).toEqual([]);
    expect(boundaryViolations('lib/index.ts', "export { PlanClock } from './core/plan-clock';", true)).toEqual([]);
  });

  test('no file in lib/, stacks/, scripts/ or examples/ crosses the boundary', () => {
    const violations = SCANNED.flatMap(sourceFiles).flatMap((file) =>
      boundaryViolations(file, fs.readFileSync(path.join(ROOT, file), 'utf8'), isIndex(file)),
    );
    expect(violations).toEqual([]);
  });

  test('every area keeps its internals in one private/ folder directly under it', () => {
    const misplaced = sourceFiles('lib').filter((file) => {
      const owner = privateOwner(file);
      return owner !== undefined && !/^lib\/[^/]+$/.test(owner);
    });
    expect(misplaced).toEqual([]);
  });
});
