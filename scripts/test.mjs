// `npm test`: finds (or on Debian as root installs) Chromium, type-checks, builds the client,
// runs every vitest suite, and ends with the plain line "N passed, N failed" (", N skipped" may follow).
//
// What the last line counts, and why:
// - "passed" counts vitest tests only. Chromium, the two type-checks and the build are steps, not
//   tests: each prints one line ("step build: ok (5.4 s)") and is never counted as passed.
// - "skipped" counts tests that did not run (it.skip, it.todo, the rest of a file with an it.only,
//   the tests of a file whose beforeAll threw). Every test must run here: each one is listed by name
//   and any of them fails the run; a green run ends on exactly "N passed, 0 failed".
// - "failed" counts failed vitest tests, plus one for each failure that is not a test: a step that
//   failed; a test file that failed outside its tests (it did not load, a beforeAll/afterAll hook
//   threw, it holds no test); tests skipped in files that did not fail (one for all of them); and
//   vitest failing with nothing of the above to show for it (an unhandled error after a test).
//   Counting these is the fallback the fixed format leaves: it has no slot for them, and a run that
//   fails must never end on "0 failed". The line just above the last one names each of them.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { relative } from 'node:path';
import { findChromium } from './chromium.mjs';

const REPORT = '.vitest-report.json';
/** Skipped tests and failed files named one per line, up to this many each. */
const MAX_LISTED = 30;
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

const failedSteps = [];
/** Runs one step and prints its outcome on a line of its own; steps never count as tests. */
function step(name, action) {
  const started = Date.now();
  const ok = action();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`step ${name}: ${ok ? 'ok' : 'FAILED'} (${seconds} s)`);
  if (!ok) failedSteps.push(name);
  return ok;
}

/** Prints the failures that were not tests, then the summary line, and exits. */
function finish(tests) {
  const { passed = 0, failed = 0, skipped = 0, otherFailures = [] } = tests;
  const others = [...failedSteps.map((name) => `step ${name}`), ...otherFailures];
  if (others.length > 0) console.log(`failed outside tests (${others.length}, counted in "failed"): ${others.join('; ')}`);
  const failedTotal = failed + others.length;
  console.log(`${passed} passed, ${failedTotal} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
  process.exit(failedTotal === 0 && skipped === 0 ? 0 : 1);
}

const listed = (items) => (items.length > MAX_LISTED ? [...items.slice(0, MAX_LISTED), `... and ${items.length - MAX_LISTED} more`] : items);
const firstLine = (text) => (text ?? '').replace(/\u001b\[[0-9;]*m/g, '').trim().split('\n')[0]?.slice(0, 200) ?? '';

/** Reads vitest's JSON report into the counts of the summary line. */
function readReport(vitestOk) {
  if (!existsSync(REPORT)) return { otherFailures: ['vitest wrote no report'] };
  const report = JSON.parse(readFileSync(REPORT, 'utf8'));
  const skippedNames = [];
  const failedFiles = [];
  let failedTests = 0;
  let skippedInPassingFiles = 0;
  for (const file of report.testResults) {
    const name = relative(process.cwd(), file.name);
    let fileFailedTests = 0;
    let fileSkipped = 0;
    for (const test of file.assertionResults) {
      if (test.status === 'failed') fileFailedTests++;
      else if (test.status !== 'passed') {
        fileSkipped++;
        skippedNames.push(`${name} > ${test.fullName} (${test.status})`);
      }
    }
    failedTests += fileFailedTests;
    // A file that failed with no failed test failed outside its tests: it did not load, a hook
    // threw (its tests then show as skipped, and that failure accounts for them), or it holds no test.
    if (file.status === 'failed' && fileFailedTests === 0) failedFiles.push({ name, why: firstLine(file.message) || 'a beforeAll/afterAll hook failed (its error is printed above)' });
    else skippedInPassingFiles += fileSkipped;
  }
  for (const line of listed(skippedNames)) console.log(`SKIPPED: ${line}`);
  for (const { name, why } of failedFiles) console.log(`FAILED FILE: ${name}: ${why}`);
  const otherFailures = failedFiles.map(({ name }) => `file ${name}`);
  if (skippedInPassingFiles > 0) otherFailures.push(`${skippedInPassingFiles} skipped test${skippedInPassingFiles === 1 ? '' : 's'} (it.skip, it.todo or it.only; every test must run)`);
  // vitest also fails a run for errors outside any test (an unhandled rejection after a test ended),
  // which its JSON report does not list; counted once when nothing above accounts for the failure.
  if (!vitestOk && failedTests === 0 && failedFiles.length === 0) otherFailures.push('vitest failed outside any test (see "Unhandled Errors" above)');
  return { passed: report.numPassedTests, failed: failedTests, skipped: skippedNames.length, otherFailures };
}

if (!step('chromium', ensureChromium)) finish({});

step('typecheck (tsc)', () => run('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']));
step('typecheck (svelte-check)', () => run('npx', ['svelte-check', '--tsconfig', './tsconfig.json', '--threshold', 'error', '--output', 'human']));
// The end-to-end tests serve the built client: without a build no test can be trusted to mean anything.
if (!step('build', () => run('npm', ['run', '--silent', 'build']))) finish({});

rmSync(REPORT, { force: true });
// Not a step: its outcome is accounted for test by test (and file by file) in the summary.
const vitestOk = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${REPORT}`, ...process.argv.slice(2)]);
finish(readReport(vitestOk));
