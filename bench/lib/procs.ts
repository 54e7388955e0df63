/** Child processes the bench starts: spawned in their own process group, always killed on exit. */
import { spawn, type ChildProcess } from 'node:child_process';

export interface Managed {
  readonly name: string;
  readonly child: ChildProcess;
  /** The last lines it printed (for error messages). */
  output(): string;
  stop(): Promise<void>;
}

const running = new Set<Managed>();

/** Kills a process group: SIGTERM, then SIGKILL after `graceMs`. */
async function killGroup(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      try { child.kill(sig); } catch { /* gone */ }
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Starts a command in its own process group and remembers it for `stopAll`. */
export function start(name: string, cmd: string, args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Managed {
  const child = spawn(cmd, args, {
    cwd: opts.cwd ?? process.cwd(),
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let tail = '';
  const keep = (d: Buffer): void => {
    tail = (tail + d.toString()).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const m: Managed = {
    name,
    child,
    output: () => tail,
    stop: async () => {
      running.delete(m);
      await killGroup(child);
    },
  };
  running.add(m);
  return m;
}

/** Runs a command to completion; rejects with its output when it fails. */
export async function runToEnd(name: string, cmd: string, args: string[], opts: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<string> {
  const m = start(name, cmd, args, opts);
  const timer = setTimeout(() => void m.stop(), opts.timeoutMs ?? 300_000);
  const code = await new Promise<number | null>((resolve) => m.child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  running.delete(m);
  if (code !== 0) throw new Error(`${name} failed (exit ${code}):\n${m.output()}`);
  return m.output();
}

/** Stops every process started here (idempotent). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((m) => m.stop().catch(() => undefined)));
}

/** Synchronous last resort on process exit: SIGKILL whatever is left. */
function killLeftovers(): void {
  for (const m of running) {
    try {
      if (m.child.pid !== undefined && m.child.exitCode === null) process.kill(-m.child.pid, 'SIGKILL');
    } catch { /* gone */ }
  }
}
process.on('exit', killLeftovers);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    void stopAll().finally(() => process.exit(130));
  });
}

/** Resolves when an HTTP URL answers 2xx; rejects after `timeoutMs` or when `proc` exits. */
export async function waitForHttp(url: string, timeoutMs = 60_000, proc?: Managed): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch { /* not yet */ }
    if (proc && proc.child.exitCode !== null) throw new Error(`${proc.name} exited early:\n${proc.output()}`);
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms${proc ? `:\n${proc.output()}` : ''}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}
