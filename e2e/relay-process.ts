/** Starts and stops a relay process of its own for tests that take the relay down. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A relay child process. */
export interface RelayProcess {
  readonly httpPort: number;
  stop(): Promise<void>;
}

/** Starts `relay/main.ts` on the given ports and waits for its address endpoint. */
export async function startRelayProcess(port: number, httpPort: number, dataDir = mkdtempSync(join(tmpdir(), 'relay-'))): Promise<RelayProcess & { dataDir: string }> {
  const child: ChildProcess = spawn('node_modules/.bin/tsx', ['relay/main.ts'], {
    env: { ...process.env, RELAY_PORT: String(port), RELAY_HTTP_PORT: String(httpPort), RELAY_DATA_DIR: dataDir },
    stdio: 'ignore',
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const r = await fetch(`http://localhost:${httpPort}/multiaddrs`);
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`relay on ${port}/${httpPort} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    httpPort,
    dataDir,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
