// `npm test`: finds (or on Debian as root installs) Chromium, type-checks, builds the client,
// runs every vitest suite, and ends with the plain line "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { findChromium } from './chromium.mjs';

const REPORT = '.vitest-report.json';
const run = (command, args, options = {}) => spawnSync(command, args, { stdio: 'inherit', ...options }).status === 0;

function ensureChromium() {
  if (findChromium()) return true;
  const isRoot = process.getuid?.() === 0;
  if (isRoot && existsSync('/etc/debian_version')) {
    console.log('No Chromium found; installing Debian\'s "chromium" package...');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    if (run('apt-get', ['update', '-qq'], { env }) && run('apt-get', ['install', '-y', '-qq', 'chromium'], { env }) && findChromium()) return true;
  }
  console.log('No Chromium found: install one (Debian: "sudo apt-get install chromium") or set CHROMIUM_PATH to its binary.');
  return false;
}

if (!ensureChromium()) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}

let passed = 0;
let failed = 0;
const step = (name, ok) => {
  if (ok) passed++;
  else {
    failed++;
    console.log(`FAILED: ${name}`);
  }
  return ok;
};

step('typecheck (tsc)', run('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']));
step('typecheck (svelte-check)', run('npx', ['svelte-check', '--tsconfig', './tsconfig.json', '--threshold', 'error', '--output', 'human']));
if (!step('build', run('npm', ['run', '--silent', 'build']))) {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(1);
}

rmSync(REPORT, { force: true });
const vitestOk = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${REPORT}`, ...process.argv.slice(2)]);
let skipped = 0;
if (existsSync(REPORT)) {
  const report = JSON.parse(readFileSync(REPORT, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  // A suite that fails to load has no tests to count; count it so the summary cannot hide it.
  failed += report.testResults.filter((suite) => suite.status === 'failed' && suite.assertionResults.length === 0).length;
} else {
  failed++;
}
if (!vitestOk && failed === 0) failed++;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 ? 0 : 1);
