// Writes the lockfile of pack-check's temporary project: the packed tarball plus the entries of the repository's
// package-lock.json that the project's dependencies reach (same versions, same resolved tarballs and integrity), so
// that `npm ci --offline` installs them from the npm cache that the repository's `npm ci` filled.
//
//   node scripts/pack-check-lock.js <repo package-lock.json> <project package.json> <tarball>  > package-lock.json
'use strict';
const fs = require('node:fs');
const crypto = require('node:crypto');
const path = require('node:path');

const [lockFile, projectFile, tarball] = process.argv.slice(2);
const lock = JSON.parse(fs.readFileSync(lockFile, 'utf8'));
const project = JSON.parse(fs.readFileSync(projectFile, 'utf8'));
const ours = JSON.parse(fs.readFileSync(path.join(path.dirname(lockFile), 'package.json'), 'utf8'));
const repoPackages = lock.packages;

/** Where Node resolves `name` from the package at `from` (a lockfile key): the nearest node_modules upwards. */
function resolveKey(from, name) {
  let base = from;
  for (;;) {
    const key = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (repoPackages[key]) return key;
    if (!base) return undefined;
    const i = base.lastIndexOf('/node_modules/');
    base = i < 0 ? '' : base.slice(0, i);
  }
}

const out = {};
const queue = [];
const visit = (from, deps, optional) => {
  for (const name of Object.keys(deps || {})) {
    const key = resolveKey(from, name);
    if (!key) {
      if (optional.has(name)) continue;
      throw new Error(`${name} (needed by ${from || 'the project'}) is not in the repository's lockfile`);
    }
    if (out[key]) continue;
    out[key] = repoPackages[key];
    queue.push(key);
  }
};
const depsOf = (p) => ({ ...p.dependencies, ...p.optionalDependencies, ...p.peerDependencies });
const optionalOf = (p) =>
  new Set([...Object.keys(p.optionalDependencies || {}), ...Object.keys(p.peerDependenciesMeta || {})]);

const { 'cdktf-platform-trust': _self, ...direct } = project.dependencies;
visit('', { ...direct, ...project.devDependencies }, new Set());
// The packed package's own dependencies resolve at the top level of the new project.
visit('', ours.dependencies, new Set());
while (queue.length) {
  const key = queue.shift();
  const p = repoPackages[key];
  visit(key, depsOf(p), optionalOf(p));
}

const tgz = fs.readFileSync(path.join(path.dirname(projectFile), tarball.replace(/^file:/, '')));
const packages = {
  '': {
    name: project.name,
    version: project.version,
    dependencies: project.dependencies,
    devDependencies: project.devDependencies,
  },
  'node_modules/cdktf-platform-trust': {
    version: ours.version,
    resolved: tarball,
    integrity: `sha512-${crypto.createHash('sha512').update(tgz).digest('base64')}`,
    license: ours.license,
    dependencies: ours.dependencies,
    ...(ours.bin ? { bin: ours.bin } : {}),
    engines: ours.engines,
    peerDependencies: ours.peerDependencies,
  },
  ...Object.fromEntries(
    Object.keys(out)
      .sort()
      .map((k) => [k, out[k]]),
  ),
};
process.stdout.write(
  `${JSON.stringify({ name: project.name, version: project.version, lockfileVersion: 3, requires: true, packages }, null, 2)}\n`,
);
