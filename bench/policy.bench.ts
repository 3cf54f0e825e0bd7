/**
 * Scope Guard engine speed: evaluate() decisions per second on a 20-rule policy, and Filter
 * Records throughput on 10,000 records of 50 fields. Each is reported with a reference
 * measured in the same run on the same data: the floor of a decision (one Map lookup and one
 * Set lookup per field) and of a filter (copying each record's kept fields by hand).
 *
 *   npm run build && node dist/bench/policy.bench.js [--quick]
 */
import { evaluate } from '../lib/policy/evaluate';
import { filterRecord } from '../lib/policy/filter';
import { compilePolicy } from '../lib/policy/parse';
import { ProposedAction } from '../lib/policy/types';

const quick = process.argv.includes('--quick');
const ROUNDS = 5;

function median(values: number[]): number {
	const s = [...values].sort((a, b) => a - b);
	return s[Math.floor(s.length / 2)];
}

function rate(n: number, fn: () => void): number {
	const t = process.hrtime.bigint();
	fn();
	return n / (Number(process.hrtime.bigint() - t) / 1e9);
}

const objects = ['Lead', 'Contact', 'Account', 'Opportunity', 'Case', 'Task', 'Event', 'Campaign', 'Quote', 'Order'];
const policy = compilePolicy({
	rules: [
		...objects.map((object, i) => ({ id: `sf-${i}`, system: 'salesforce', object, operations: ['read', 'update'], readableFields: ['*'], writableFields: ['Status', 'Rating', 'Description', 'Priority'], deniedFields: ['SSN__c'], maxRecordsPerRun: 1_000_000_000 })),
		...['ticket', 'user', 'organization', 'group', 'macro'].map((object, i) => ({ id: `zd-${i}`, system: 'zendesk', object, operations: ['read', 'update'], readableFields: ['*'], writableFields: ['status', 'priority', 'tags'] })),
		...['Invoice', 'Customer', 'Bill', 'Payment', 'Vendor'].map((object, i) => ({ id: `qb-${i}`, system: 'quickbooks', object, operations: ['read'], readableFields: ['*'] })),
	],
});
const actions: ProposedAction[] = Array.from({ length: 1000 }, (_, i) => ({
	system: i % 3 === 0 ? 'zendesk' : 'salesforce',
	object: i % 3 === 0 ? 'ticket' : objects[i % objects.length],
	operation: 'update',
	recordId: String(i),
	fields: i % 7 === 0 ? { Status: 'x', OwnerId: 'y' } : i % 3 === 0 ? { status: 'open', tags: ['a'] } : { Status: 'Qualified', Rating: 'Hot' },
}));

function benchEvaluate(): { ours: number; ref: number } {
	const n = quick ? 200_000 : 2_000_000;
	const counts = new Map<string, number>();
	let allowed = 0;
	const ours = rate(n, () => {
		for (let i = 0; i < n; i++) if (evaluate(policy, actions[i % 1000], counts).allowed) allowed++;
	});
	// The floor: the same decision as a single Map lookup plus one Set lookup per field, nothing else.
	const table = new Map(policy.rules.map((r) => [`${r.system}|${r.object}`, r]));
	let refAllowed = 0;
	const ref = rate(n, () => {
		for (let i = 0; i < n; i++) {
			const a = actions[i % 1000];
			const rule = table.get(`${a.system}|${a.object.toLowerCase()}`) ?? table.get(`${a.system}|${a.object}`);
			if (rule && Object.keys(a.fields ?? {}).every((f) => rule.writable.names.has(a.system === 'salesforce' ? f.toLowerCase() : f))) refAllowed++;
		}
	});
	if (allowed !== refAllowed) throw new Error(`evaluate and reference disagree: ${allowed} vs ${refAllowed}`);
	return { ours, ref };
}

function benchFilter(): { ours: number; ref: number; mbPerS: number } {
	const n = quick ? 2000 : 10_000;
	const readable = Array.from({ length: 25 }, (_, i) => `Field${i}__c`);
	const filterPolicy = compilePolicy({ rules: [{ system: 'salesforce', object: 'Lead', operations: ['read'], readableFields: ['Id', 'Name', ...readable, 'Address.City'], deniedFields: ['Field3__c'] }] });
	const records = Array.from({ length: n }, (_, r) => {
		const rec: Record<string, unknown> = { attributes: { type: 'Lead' }, Id: `00Q${r}`, Name: `Lead ${r}`, Address: { City: 'Leeds', Street: '1 Way' } };
		for (let f = 0; f < 46; f++) rec[`Field${f}__c`] = `value ${r}-${f} ${'x'.repeat(f % 20)}`;
		return rec;
	});
	const bytes = records.reduce((sum, r) => sum + JSON.stringify(r).length, 0);
	let removed = 0;
	const ours = rate(n, () => {
		for (const record of records) removed += filterRecord(filterPolicy, 'salesforce', 'Lead', record).removed.length;
	});
	const keep = new Set(['attributes', 'Id', 'Name', ...readable.filter((f) => f !== 'Field3__c')]);
	let kept = 0;
	const ref = rate(n, () => {
		for (const record of records) {
			const out: Record<string, unknown> = {};
			for (const key in record) if (keep.has(key)) out[key] = record[key];
			out.Address = { City: (record.Address as { City: string }).City };
			kept += Object.keys(out).length;
		}
	});
	if (removed === 0 || kept === 0) throw new Error('filter bench did nothing');
	return { ours, ref, mbPerS: (bytes / n) * ours / 1e6 };
}

const evals = Array.from({ length: ROUNDS }, benchEvaluate);
const filters = Array.from({ length: ROUNDS }, benchFilter);
const e = { ours: median(evals.map((x) => x.ours)), ratio: median(evals.map((x) => x.ours / x.ref)), ref: median(evals.map((x) => x.ref)) };
const f = { ours: median(filters.map((x) => x.ours)), ratio: median(filters.map((x) => x.ours / x.ref)), ref: median(filters.map((x) => x.ref)), mb: median(filters.map((x) => x.mbPerS)) };
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(`| Measurement | Ours /s | Reference (same run) | Ref /s | Ours / ref | Target |`);
console.log(`|---|---|---|---|---|---|`);
console.log(`| evaluate(), 20-rule policy, 1,000 distinct actions | ${fmt(e.ours)} decisions | Map lookup + Set.has per field | ${fmt(e.ref)} | ${(e.ratio * 100).toFixed(1)}% | ≥ 1,000,000/s: **${e.ours >= 1e6 ? 'met' : 'missed'}** |`);
console.log(`| filterRecord(), ${quick ? '2,000' : '10,000'} records × 50 fields | ${fmt(f.ours)} records (${f.mb.toFixed(1)} MB/s) | hand-written copy of the kept fields | ${fmt(f.ref)} | ${(f.ratio * 100).toFixed(1)}% | information |`);
console.log(`\nnode ${process.version}, ${ROUNDS} rounds, medians; one core (single-threaded).`);
