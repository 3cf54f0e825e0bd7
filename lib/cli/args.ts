/** A small argv parser: positionals, `--flag value`, `--flag=value` and boolean `--flag`. */
export interface ParsedArgs {
	positionals: string[];
	flags: Map<string, string | true>;
}

export class UsageError extends Error {}

export function parseArgs(argv: string[], booleans: ReadonlySet<string>): ParsedArgs {
	const positionals: string[] = [];
	const flags = new Map<string, string | true>();
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '--') {
			positionals.push(...argv.slice(i + 1));
			break;
		}
		if (!arg.startsWith('--')) {
			positionals.push(arg);
			continue;
		}
		const eq = arg.indexOf('=');
		const name = arg.slice(2, eq === -1 ? undefined : eq);
		if (eq !== -1) flags.set(name, arg.slice(eq + 1));
		else if (booleans.has(name)) flags.set(name, true);
		else {
			const value = argv[i + 1];
			if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
			flags.set(name, value);
			i++;
		}
	}
	return { positionals, flags };
}

export function flag(args: ParsedArgs, name: string): string | undefined {
	const value = args.flags.get(name);
	return typeof value === 'string' ? value : undefined;
}
