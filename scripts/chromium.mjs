// Finds Debian's Chromium for the browser tests, installing it with apt-get when missing and possible.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return r.status === 0;
}

function canRun(cmd, args) {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

/** Returns the Chromium path, installing Debian's package when it is missing; exits with instructions when it cannot. */
export function ensureChromium() {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  console.log(`Chromium not found at ${CHROMIUM}; installing Debian's chromium package…`);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const apt = canRun('apt-get', ['--version']);
  const sudo = !isRoot && canRun('sudo', ['-n', 'true']);
  if (apt && (isRoot || sudo)) {
    const pre = isRoot ? [] : ['sudo', '-n'];
    const [cmd, ...rest] = [...pre, 'apt-get'];
    if (run(cmd, [...rest, 'update', '-qq']) && run(cmd, [...rest, 'install', '-y', '-qq', 'chromium']) && existsSync(CHROMIUM)) return CHROMIUM;
  }
  console.error(
    `\nThe browser tests need Debian's Chromium at ${CHROMIUM}.\n` +
      `Install it with:\n\n    sudo apt-get update && sudo apt-get install -y chromium\n\n` +
      `or point CHROMIUM_PATH at a Chromium binary. (Playwright's own browser download is not used.)\n`,
  );
  process.exit(1);
}
