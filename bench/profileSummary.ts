/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): the top functions by self time and
 * by inclusive (total) time, idle and GC shown separately.
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/agprof dist/bench/audit.bench.js --quick --only=batched
 *   node dist/bench/profileSummary.js /tmp/agprof/<file>.cpuprofile [top=25] [filter]
 *
 * `filter` (a substring of the function's file or name) restricts the inclusive table, e.g. "lib/".
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
	functionName: string;
	url: string;
	lineNumber: number;
}

interface ProfileNode {
	id: number;
	callFrame: CallFrame;
	children?: number[];
}

interface Profile {
	nodes: ProfileNode[];
	samples: number[];
	timeDeltas: number[];
	startTime: number;
	endTime: number;
}

function label(f: CallFrame): string {
	const file = f.url.replace(/^file:\/\//, '').replace(/^.*\/(dist|node_modules)\//, '$1/');
	return `${f.functionName || '(anonymous)'} ${file ? `${file}:${f.lineNumber + 1}` : ''}`.trim();
}

function main(): void {
	// Piped into head: stop quietly when the reader goes away.
	process.stdout.on('error', (error: NodeJS.ErrnoException) => {
		if (error.code === 'EPIPE') process.exit(0);
		throw error;
	});
	const [path, topArg, filter] = process.argv.slice(2);
	if (!path) throw new Error('usage: profileSummary.js <file.cpuprofile> [top] [filter]');
	const top = Number(topArg ?? 25);
	const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
	const byId = new Map(profile.nodes.map((n) => [n.id, n] as const));
	const parent = new Map<number, number>();
	for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

	const selfUs = new Map<number, number>();
	for (let i = 0; i < profile.samples.length; i++) selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));

	const self = new Map<string, number>();
	const total = new Map<string, number>();
	let all = 0;
	let idle = 0;
	for (const [id, us] of selfUs) {
		const node = byId.get(id);
		if (!node) continue;
		all += us;
		const name = label(node.callFrame);
		if (node.callFrame.functionName === '(idle)') idle += us;
		self.set(name, (self.get(name) ?? 0) + us);
		// Inclusive time: count once per distinct frame label on the stack (recursion counted once).
		const seen = new Set<string>();
		for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
			const frame = byId.get(cur);
			if (!frame) break;
			const l = label(frame.callFrame);
			if (seen.has(l)) continue;
			seen.add(l);
			total.set(l, (total.get(l) ?? 0) + us);
		}
	}
	const busy = all - idle;
	const ms = (us: number): string => (us / 1000).toFixed(0).padStart(7);
	const pct = (us: number): string => `${((us / busy) * 100).toFixed(1)}%`.padStart(6);
	process.stdout.write(`profile ${path}: ${(all / 1000).toFixed(0)} ms sampled, ${(idle / 1000).toFixed(0)} ms idle, ${(busy / 1000).toFixed(0)} ms busy (percentages are of busy)\n\n`);
	process.stdout.write(`top ${top} by self time\n`);
	for (const [name, us] of [...self].filter(([n]) => !n.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${ms(us)} ms ${pct(us)}  ${name}\n`);
	process.stdout.write(`\ntop ${top} by inclusive time${filter ? ` (matching "${filter}")` : ''}\n`);
	for (const [name, us] of [...total]
		.filter(([n]) => !n.startsWith('(root)') && !n.startsWith('(idle)') && (!filter || n.includes(filter)))
		.sort((a, b) => b[1] - a[1])
		.slice(0, top))
		process.stdout.write(`${ms(us)} ms ${pct(us)}  ${name}\n`);
}

main();
