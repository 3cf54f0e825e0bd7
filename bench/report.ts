/** Helpers every benchmark shares: statistics, formatting, child commands, Redis server readings. */
import { execFile } from 'node:child_process';
import type Redis from 'ioredis';

export function median(values: number[]): number {
	if (values.length === 0) return Number.NaN;
	const s = [...values].sort((a, b) => a - b);
	const m = s.length >> 1;
	return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function percentile(values: number[], p: number): number {
	if (values.length === 0) return Number.NaN;
	const s = Float64Array.from(values).sort();
	return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export function fmtRate(n: number): string {
	return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a';
}

export function fmtUs(n: number): string {
	if (!Number.isFinite(n)) return 'n/a';
	return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

export function fmtMs(n: number): string {
	if (!Number.isFinite(n)) return 'n/a';
	return n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

export function fmtRatio(n: number): string {
	return Number.isFinite(n) ? `${(n * 100).toFixed(1)}%` : 'n/a';
}

export function table(header: string[], rows: string[][]): string {
	return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** Progress on stderr, so stdout stays the markdown report. */
export function logger(tag: string): (message: string) => void {
	return (message) => process.stderr.write(`[${tag} ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

export function run(file: string, args: string[]): Promise<string> {
	return new Promise((resolve, reject) => {
		execFile(file, args, { maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
			if (error) reject(new Error(`${file} failed: ${error.message}\n${stderr}`));
			else resolve(stdout);
		});
	});
}

/** Redis server CPU (user + system), microseconds. Global: other clients of the server count too. */
export async function serverCpuUs(redis: Redis): Promise<number> {
	const info = await redis.info('cpu');
	const field = (name: string): number => Number(new RegExp(`^${name}:([0-9.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
	return (field('used_cpu_user') + field('used_cpu_sys')) * 1e6;
}

/** SCAN + UNLINK of every key matching `pattern`; returns how many went. */
export async function deleteKeys(redis: Redis, pattern: string): Promise<number> {
	let cursor = '0';
	let deleted = 0;
	do {
		const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
		cursor = next;
		if (keys.length > 0) deleted += await redis.unlink(...keys);
	} while (cursor !== '0');
	return deleted;
}

export interface BenchOptions<S extends string> {
	quick: boolean;
	rounds: number;
	only: Set<S>;
	/** Whether to rewrite RESULTS.md: by default only a full run (not --quick, not --only) does. */
	write: boolean;
}

/** The command line every benchmark takes: --quick, --rounds=N, --only=a,b, --write / --no-write, --help. */
export function parseBenchOptions<S extends string>(argv: string[], sections: readonly S[], script: string): BenchOptions<S> {
	let quick = false;
	let rounds = 3;
	let only: Set<S> | undefined;
	let write: boolean | undefined;
	for (const arg of argv) {
		if (arg === '--quick') quick = true;
		else if (arg === '--no-write') write = false;
		else if (arg === '--write') write = true;
		else if (arg.startsWith('--rounds=')) rounds = Number(arg.slice('--rounds='.length));
		else if (arg.startsWith('--only=')) {
			only = new Set();
			for (const name of arg.slice('--only='.length).split(',')) {
				if (!(sections as readonly string[]).includes(name)) throw new Error(`unknown section "${name}" (use ${sections.join(', ')})`);
				only.add(name as S);
			}
		} else if (arg === '--help' || arg === '-h') {
			process.stdout.write(`usage: node dist/bench/${script} [--quick] [--rounds=N] [--only=${sections.join(',')}] [--write|--no-write]\n`);
			process.exit(0);
		} else throw new Error(`unknown argument "${arg}" (try --help)`);
	}
	if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be a positive integer');
	return { quick, rounds, only: only ?? new Set(sections), write: write ?? (!quick && only === undefined) };
}
