/**
 * Evaluate the prompt-injection scanner on a labelled JSONL file ({text, label, track?} per line).
 *   npm run build && node dist/bench/evalInjection.js --data ../shared/data/injection/dev.jsonl [--sensitivity medium] [--errors N] [--track T]
 * Prints a per-track table, then as its last line:
 *   tpr=<0..1> fpr=<0..1> balanced=<0..1> p50_us=<n> p95_us=<n>
 */
import { readFileSync } from 'node:fs';
import { scanText, type Sensitivity } from '../lib/injection';

interface Row {
	text: string;
	label: number;
	track: string;
}

function arg(name: string): string | undefined {
	const i = process.argv.indexOf(`--${name}`);
	if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
	const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
	return eq === undefined ? undefined : eq.slice(name.length + 3);
}

function pct(sorted: number[], p: number): number {
	if (sorted.length === 0) return 0;
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function main(): void {
	const data = arg('data');
	if (data === undefined) {
		process.stderr.write('usage: evalInjection --data file.jsonl [--sensitivity low|medium|high] [--errors N] [--track T]\n');
		process.exit(2);
	}
	const sRaw = arg('sensitivity') ?? 'medium';
	if (sRaw !== 'low' && sRaw !== 'medium' && sRaw !== 'high') throw new Error(`bad --sensitivity ${sRaw}`);
	const sensitivity: Sensitivity = sRaw;
	const showErrors = Number(arg('errors') ?? '0');
	const onlyTrack = arg('track');
	const rows: Row[] = [];
	for (const line of readFileSync(data, 'utf8').split('\n')) {
		if (line.trim() === '') continue;
		const o = JSON.parse(line) as { text?: unknown; label?: unknown; track?: unknown };
		if (typeof o.text !== 'string' || (o.label !== 0 && o.label !== 1)) continue;
		const track = typeof o.track === 'string' ? o.track : o.label === 1 ? 'positive' : 'negative';
		if (onlyTrack !== undefined && track !== onlyTrack) continue;
		rows.push({ text: o.text, label: o.label, track });
	}
	// Warm-up (JIT) on a few rows, not timed.
	for (let i = 0; i < Math.min(50, rows.length); i++) scanText(rows[i].text, { sensitivity });

	const times: number[] = [];
	const perTrack = new Map<string, { label: number; n: number; flagged: number; times: number[] }>();
	let tp = 0;
	let fn = 0;
	let fp = 0;
	let tn = 0;
	let bytes = 0;
	let shown = 0;
	const t0 = process.hrtime.bigint();
	for (const r of rows) {
		const a = process.hrtime.bigint();
		const res = scanText(r.text, { sensitivity });
		const us = Number(process.hrtime.bigint() - a) / 1000;
		times.push(us);
		bytes += Buffer.byteLength(r.text);
		let t = perTrack.get(r.track);
		if (t === undefined) {
			t = { label: r.label, n: 0, flagged: 0, times: [] };
			perTrack.set(r.track, t);
		}
		t.n++;
		t.times.push(us);
		if (res.flagged) t.flagged++;
		if (r.label === 1) res.flagged ? tp++ : fn++;
		else res.flagged ? fp++ : tn++;
		if (shown < showErrors && res.flagged !== (r.label === 1)) {
			shown++;
			const why = res.findings.slice(0, 3).map((f) => `${f.rule}(${f.score.toFixed(2)}):${JSON.stringify(f.snippet.slice(0, 80))}`).join(' | ');
			process.stderr.write(`[${r.track}] label=${r.label} score=${res.score} ${why}\n   ${JSON.stringify(r.text.slice(0, 300))}\n`);
		}
	}
	const totalS = Number(process.hrtime.bigint() - t0) / 1e9;

	const lines: string[] = [];
	lines.push(`sensitivity=${sensitivity} rows=${rows.length} throughput=${(bytes / 1e6 / totalS).toFixed(2)} MB/s`);
	lines.push('| track | label | n | flagged | rate | p50 µs | p95 µs |');
	lines.push('|---|---|---|---|---|---|---|');
	for (const [name, t] of [...perTrack.entries()].sort((x, y) => y[1].label - x[1].label || x[0].localeCompare(y[0]))) {
		const ts = t.times.slice().sort((x, y) => x - y);
		const rate = t.flagged / t.n;
		const rateStr = t.label === 1 ? `TPR ${(rate * 100).toFixed(1)}%` : `FPR ${(rate * 100).toFixed(1)}% (acc ${((1 - rate) * 100).toFixed(1)}%)`;
		lines.push(`| ${name} | ${t.label} | ${t.n} | ${t.flagged} | ${rateStr} | ${pct(ts, 50).toFixed(0)} | ${pct(ts, 95).toFixed(0)} |`);
	}
	const tpr = tp + fn > 0 ? tp / (tp + fn) : 0;
	const fpr = fp + tn > 0 ? fp / (fp + tn) : 0;
	const balanced = (tpr + (1 - fpr)) / 2;
	const sorted = times.slice().sort((x, y) => x - y);
	lines.push(`tpr=${tpr.toFixed(4)} fpr=${fpr.toFixed(4)} balanced=${balanced.toFixed(4)} p50_us=${Math.round(pct(sorted, 50))} p95_us=${Math.round(pct(sorted, 95))}`);
	process.stdout.write(lines.join('\n') + '\n');
}

main();
