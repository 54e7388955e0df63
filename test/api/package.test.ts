/** The installable package: declarations are built, the exports map resolves by name, and it runs in Node. */
import { expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

it('builds the library with declarations, and `p2p-docdb/node` works by its package name', () => {
  execFileSync(process.execPath, [resolve(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.lib.json'], { cwd: root, stdio: 'pipe' });
  const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { name: string; exports: Record<string, { types: string; import: string }> };
  for (const [entry, target] of Object.entries(pkg.exports)) {
    expect(existsSync(resolve(root, target.types)), `${entry} types`).toBe(true);
    expect(existsSync(resolve(root, target.import)), `${entry} code`).toBe(true);
  }
  expect(readFileSync(resolve(root, pkg.exports['.']!.types), 'utf8')).toMatch(/openNode/);
  // A separate Node process imports the package by name (self-reference through "exports").
  const script = `
    const m = await import('${pkg.name}/node');
    const node = await m.openNode({ name: 'pkg', store: new m.MemoryStore(m.createMemoryData()), lockInit: { fallback: true, probeMs: 5 } });
    await node.addSchema('type Task { title: String }');
    await node.create('Task', { title: 'from the package' });
    const page = await node.list('Task');
    await node.close();
    console.log(JSON.stringify({ total: page.total, title: page.docs[0].fields.title, core: Object.keys(await import('${pkg.name}')).includes('openNode') }));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({ total: 1, title: 'from the package', core: true });
  // The built CLI (what the bin runs once installed, without sources) loads and answers.
  const pkgBin = (JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin;
  expect(pkgBin.p2pdb).toBe('bin/p2pdb.mjs');
  const cli = `
    const { main } = await import('./dist/lib/cli/main.js');
    process.exitCode = await main(['client', 'p2p', 'info', '--url', 'localhost:1']);
  `;
  let failed: { status: number; stderr: string } | undefined;
  try {
    execFileSync(process.execPath, ['--input-type=module', '-e', cli], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
  } catch (err) {
    failed = err as { status: number; stderr: string };
  }
  expect(failed?.status).toBe(1);
  expect(failed?.stderr).toMatch(/^cannot reach a node at http:\/\/localhost:1/);
}, 120_000);
