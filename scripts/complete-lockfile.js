#!/usr/bin/env node
// The npm registry mirror of our machines lacks some platform builds (e.g. @swc/core for macOS),
// so `npm install` writes a package-lock.json without their entries and `npm ci` then refuses the
// lock as out of sync. This adds the missing optional entries, marked optional and restricted to
// their platform, so that `npm ci` skips them here and installs them where they exist.
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const file = join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;
let added = 0;

function platformOf(name) {
  const os = ['darwin', 'linux', 'win32', 'freebsd', 'android', 'sunos', 'openbsd', 'netbsd', 'aix'].find((o) => name.includes(o));
  const cpu = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64'].find((c) => new RegExp(`[-_]${c}([-_]|$)`).test(name));
  return { os, cpu };
}

for (const [path, meta] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(meta.optionalDependencies ?? {})) {
    const candidates = [`${path ? path + '/' : ''}node_modules/${dep}`, `node_modules/${dep}`];
    if (candidates.some((c) => packages[c])) continue;
    const { os, cpu } = platformOf(dep);
    const entry = { version: version.replace(/^[\^~]/, ''), optional: true };
    if (meta.dev) entry.dev = true;
    if (os) entry.os = [os];
    if (cpu) entry.cpu = [cpu];
    packages[`node_modules/${dep}`] = entry;
    added += 1;
  }
}

const sorted = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
lock.packages = sorted;
writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`added ${added} missing optional entries`);
