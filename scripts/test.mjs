// `npm test`: type-check, unit and integration tests (vitest), then browser end-to-end tests (Playwright
// driving Debian's Chromium). Runs every stage, prints one summary line, exits non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { ensureChromium } from './chromium.mjs';

const results = [];
const bin = (name) => `node_modules/.bin/${name}`;

function stage(name, cmd, args, env = {}) {
  console.log(`\n=== ${name} ===`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  const ok = r.status === 0;
  results.push({ name, ok, seconds: Math.round((Date.now() - started) / 1000) });
  return ok;
}

function count(file, read) {
  if (!existsSync(file)) return null;
  try {
    return read(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return null;
  }
}

if (!existsSync('node_modules')) {
  console.error('Dependencies are not installed: run `npm install` first.');
  process.exit(1);
}
mkdirSync('reports', { recursive: true });
rmSync('reports/unit.json', { force: true });
rmSync('reports/e2e.json', { force: true });
rmSync('reports/faults.json', { force: true });

const chromium = ensureChromium();
stage('type-check', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
stage('unit and integration tests (vitest)', bin('vitest'), ['run', '--reporter=default', '--reporter=json', '--outputFile.json=reports/unit.json']);
stage('fault scenarios (vitest, test/faults: 100,000-document catch-up)', bin('vitest'), ['run', '--reporter=default', '--reporter=json', '--outputFile.json=reports/faults.json'], { FAULTS: '1' });
stage('browser end-to-end tests (Playwright, Chromium)', bin('playwright'), ['test'], { CHROMIUM_PATH: chromium });

const unit = count('reports/unit.json', (j) => ({ passed: j.numPassedTests, failed: j.numFailedTests }));
const faults = count('reports/faults.json', (j) => ({ passed: j.numPassedTests, failed: j.numFailedTests }));
const e2e = count('reports/e2e.json', (j) => ({ passed: j.stats.expected, failed: j.stats.unexpected + (j.stats.flaky ?? 0) }));
console.log('\n=== summary ===');
for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'}  ${r.name} (${r.seconds}s)`);
if (unit) console.log(`unit/integration: ${unit.passed} passed, ${unit.failed} failed`);
if (faults) console.log(`fault scenarios: ${faults.passed} passed, ${faults.failed} failed`);
if (e2e) console.log(`browser: ${e2e.passed} passed, ${e2e.failed} failed`);
const passed = (unit?.passed ?? 0) + (faults?.passed ?? 0) + (e2e?.passed ?? 0);
const stagesFailed = results.filter((r) => !r.ok).length;
const failed = (unit?.failed ?? 0) + (faults?.failed ?? 0) + (e2e?.failed ?? 0) + (stagesFailed && !(unit?.failed || faults?.failed || e2e?.failed) ? stagesFailed : 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(stagesFailed ? 1 : 0);
