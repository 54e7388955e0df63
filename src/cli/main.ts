/**
 * `p2pdb`: DefraDB's command shapes for this database.
 *   p2pdb start [--rootdir DIR] [--url HOST:PORT] [--p2paddr MULTIADDR …] [--peers ADDR,ADDR] [--relay MULTIADDR]
 *   p2pdb client collection add '<SDL>' | collection describe
 *   p2pdb client p2p info | p2p connect <multiaddr> | p2p active-peers
 *   p2pdb client p2p collection add <names> | remove <names> | getall
 *   p2pdb client query '<GraphQL>' [--variables JSON]
 * Client commands take --url (default 127.0.0.1:9181), print JSON on stdout, and on failure print one line on
 * stderr and exit 1 (2 for a usage error).
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError, listOption, option, parseArgs, parseUrl } from './args.js';

const DEFAULT_URL = '127.0.0.1:9181';

/** Where a usage error points (the error itself stays one line). */
const SEE_HELP = ' (p2pdb --help lists the commands)';

const USAGE = `usage:
  p2pdb start [--rootdir DIR] [--url HOST:PORT] [--p2paddr MULTIADDR …] [--peers ADDR,ADDR] [--relay MULTIADDR]
  p2pdb client collection add '<SDL>' [--url HOST:PORT]
  p2pdb client collection describe
  p2pdb client p2p info | p2p connect <multiaddr> | p2p active-peers
  p2pdb client p2p collection add <name1>,<name2> | p2p collection remove <names> | p2p collection getall
  p2pdb client query '<GraphQL>' [--variables JSON]`;

/** What a command wrote and how it ended. */
export interface Outcome {
  readonly stdout: string;
  readonly code: number;
  readonly stderr: string;
}

/** Calls the control API of the node at `url`. */
async function call(url: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const { host, port } = parseUrl(url);
  const base = `http://${host}:${port}`;
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw new Error(`cannot reach a node at ${base}${cause ? ` (${cause})` : ''}: is \`p2pdb start --url ${host}:${port}\` running?`);
  }
  const value = (await res.json().catch(() => ({ error: `the node answered ${res.status} without JSON` }))) as { error?: string };
  if (!res.ok) throw new Error(value.error ?? `the node answered ${res.status}`);
  return value;
}

/** Runs a client command; resolves to what to print. */
export async function runClient(argv: readonly string[]): Promise<Outcome> {
  try {
    const args = parseArgs(argv, ['url', 'variables']);
    const url = option(args, 'url', DEFAULT_URL);
    const [group, verb, ...rest] = args.positional;
    const out = (v: unknown): Outcome => ({ stdout: `${JSON.stringify(v, null, 2)}\n`, stderr: '', code: 0 });
    const need = (v: string | undefined, what: string): string => {
      if (v === undefined || !v.trim()) throw new UsageError(`${what} is missing${SEE_HELP}`);
      return v;
    };
    if (group === 'collection' && verb === 'add') return out(await call(url, 'POST', '/api/v0/collections', { sdl: need(rest[0], 'the SDL') }));
    if (group === 'collection' && verb === 'describe') return out(await call(url, 'GET', '/api/v0/collections'));
    if (group === 'query') {
      const variables = option(args, 'variables');
      let vars: unknown = {};
      if (variables !== undefined) {
        try {
          vars = JSON.parse(variables);
        } catch {
          throw new UsageError('--variables must be a JSON object');
        }
      }
      const r = (await call(url, 'POST', '/api/v0/graphql', { query: need(verb, 'the GraphQL request'), variables: vars })) as { errors?: Array<{ message: string; locations?: Array<{ line: number; column: number }> }> };
      if (r.errors?.length) {
        const e = r.errors[0]!;
        const at = e.locations?.[0];
        return { stdout: `${JSON.stringify(r, null, 2)}\n`, stderr: `${e.message}${at ? ` (line ${at.line}, column ${at.column})` : ''}\n`, code: 1 };
      }
      return out(r);
    }
    if (group === 'p2p') {
      if (verb === 'info') return out(await call(url, 'GET', '/api/v0/p2p/info'));
      if (verb === 'active-peers') return out(await call(url, 'GET', '/api/v0/p2p/active-peers'));
      if (verb === 'connect') return out(await call(url, 'POST', '/api/v0/p2p/connect', { address: need(rest[0], 'the multiaddress') }));
      if (verb === 'collection') {
        const [action, names] = rest;
        if (action === 'add') return out(await call(url, 'POST', '/api/v0/p2p/collections', { names: need(names, 'the collection names') }));
        if (action === 'remove') return out(await call(url, 'DELETE', '/api/v0/p2p/collections', { names: need(names, 'the collection names') }));
        if (action === 'getall') return out(await call(url, 'GET', '/api/v0/p2p/collections'));
      }
    }
    throw new UsageError(`unknown command: p2pdb client ${args.positional.join(' ')}${SEE_HELP}`);
  } catch (err) {
    const usage = err instanceof UsageError;
    return { stdout: '', stderr: `${(err as Error).message}\n`, code: usage ? 2 : 1 };
  }
}

/** Runs `p2pdb start` until SIGINT or SIGTERM. */
async function runStart(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, ['rootdir', 'url', 'p2paddr', 'peers', 'relay']);
  if (args.positional.length) throw new UsageError(`unexpected ${JSON.stringify(args.positional[0])}${SEE_HELP}`);
  const { host, port } = parseUrl(option(args, 'url', DEFAULT_URL));
  const rootdir = resolve(option(args, 'rootdir', join(homedir(), '.p2pdb')).replace(/^~(?=$|\/)/, homedir()));
  const { startHeadless } = await import('./headless.js');
  const node = await startHeadless({ rootdir, host, port, p2paddrs: listOption(args, 'p2paddr'), peers: listOption(args, 'peers'), relays: listOption(args, 'relay') });
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await node.close();
  return 0;
}

/** The CLI: resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'start') return await runStart(rest);
    if (command === 'client') {
      const r = await runClient(rest);
      process.stdout.write(r.stdout);
      process.stderr.write(r.stderr);
      return r.code;
    }
    if (command === undefined || command === 'help' || command === '--help') {
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    }
    throw new UsageError(`unknown command ${JSON.stringify(command)}${SEE_HELP}`);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}
