#!/usr/bin/env node
// Installs what cnna needs on a fresh Debian machine with Node 20: the Debian packages the
// project uses (via apt-get when running as root; otherwise it names the command to run) and
// the npm dependencies (npm ci when node_modules is missing or older than the lockfile).
// Invariant: it is idempotent and quiet when everything is already present.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEBIAN_PACKAGES = ['verilator', 'libsystemc-dev', 'yosys', 'socat', 'dataset-fashion-mnist', 'libonnx-testdata', 'g++', 'make', 'python3', 'tcl', 'chromium'];

function missingDebianPackages() {
  const missing = [];
  for (const pkg of DEBIAN_PACKAGES) {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
    if (r.status !== 0 || !r.stdout.includes('install ok installed')) missing.push(pkg);
  }
  return missing;
}

function installDebian() {
  if (!existsSync('/usr/bin/dpkg-query')) {
    console.error('cnna setup: this is not a Debian machine; install these by hand: ' + DEBIAN_PACKAGES.join(' '));
    process.exit(1);
  }
  const missing = missingDebianPackages();
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const cmd = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  if (!isRoot) {
    console.error(`cnna setup: missing Debian packages: ${missing.join(', ')}.\nRun as root:  sudo sh -c '${cmd}'`);
    process.exit(1);
  }
  console.error(`cnna setup: installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { stdio: ['ignore', 'ignore', 'inherit'], env });
}

function installNpm() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  console.error('cnna setup: installing npm packages (npm ci)');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}

installDebian();
installNpm();
