/** A small argv reader: positional arguments, `--flag value`, `--flag=value` and boolean switches. */
export interface ParsedArgs {
  positionals: string[];
  options: Record<string, string | true>;
}

export class UsageError extends Error {}

export function parseArgs(argv: string[], booleans: readonly string[] = []): ParsedArgs {
  const positionals: string[] = [];
  const options: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const name = arg.replace(/^--?/, '');
    const eq = name.indexOf('=');
    if (eq >= 0) {
      options[name.slice(0, eq)] = name.slice(eq + 1);
    } else if (booleans.includes(name)) {
      options[name] = true;
    } else {
      const value = argv[i + 1];
      if (value === undefined) throw new UsageError(`option --${name} needs a value`);
      options[name] = value;
      i++;
    }
  }
  return { positionals, options };
}

export function stringOption(args: ParsedArgs, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = args.options[name];
    if (typeof value === 'string') return value;
  }
  return undefined;
}
