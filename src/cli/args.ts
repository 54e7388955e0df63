/** Command-line arguments: positionals and `--flag value` / `--flag=value` options (repeatable). Pure. */

/** Parsed arguments. */
export interface Args {
  readonly positional: string[];
  /** Every value given for each option, in order. */
  readonly options: Map<string, string[]>;
}

/** A usage problem (unknown option, missing value); the CLI prints it and exits with 2. */
export class UsageError extends Error {
  static override readonly name = 'UsageError';
  override name = 'UsageError';
}

/** Parses argv; `known` lists the options that take a value. */
export function parseArgs(argv: readonly string[], known: readonly string[]): Args {
  const positional: string[] = [];
  const options = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--') || a === '--') {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    if (!known.includes(name)) throw new UsageError(`unknown option --${name} (options: ${known.map((k) => `--${k}`).join(', ')})`);
    let value: string | undefined = eq < 0 ? undefined : a.slice(eq + 1);
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      i++;
    }
    options.set(name, [...(options.get(name) ?? []), value]);
  }
  return { positional, options };
}

/** The last value of an option, or a default. */
export function option(args: Args, name: string, fallback: string): string;
export function option(args: Args, name: string): string | undefined;
export function option(args: Args, name: string, fallback?: string): string | undefined {
  return args.options.get(name)?.at(-1) ?? fallback;
}

/** Every value of a repeatable, comma-separable option (`--peers a,b --peers c`). */
export function listOption(args: Args, name: string): string[] {
  return (args.options.get(name) ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

/** `HOST:PORT` (or `http://HOST:PORT`) as host and port; throws UsageError. */
export function parseUrl(text: string): { host: string; port: number } {
  const m = /^(?:https?:\/\/)?(\[[^\]]+\]|[^:/]+):(\d{1,5})\/?$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) throw new UsageError(`--url must be HOST:PORT, e.g. localhost:9181 (got ${JSON.stringify(text)})`);
  return { host: m[1]!, port };
}
