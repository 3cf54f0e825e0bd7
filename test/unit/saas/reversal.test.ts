import { planReversal, RecordedWrite } from '../../../lib/saas/reversal';
import { SaasSystem } from '../../../lib/saas/types';

/** A small deterministic generator, so a failure can be replayed from its seed. */
function rng(seed: number) {
	let x = seed >>> 0 || 1;
	return () => {
		x ^= x << 13;
		x ^= x >>> 17;
		x ^= x << 5;
		return (x >>> 0) / 2 ** 32;
	};
}

const update = (fields: Record<string, unknown>, before: Record<string, unknown>, system: SaasSystem = 'salesforce'): RecordedWrite => ({
	seq: 1,
	system,
	object: 'Lead',
	recordId: '00Q000000000001',
	operation: 'update',
	before,
	after: fields,
});

describe('planReversal', () => {
	test('an update nobody touched since is reversed field by field to the before values', () => {
		const plan = planReversal(update({ Status: 'Qualified', Rating: 'Hot' }, { Status: 'Open', Rating: null }), { exists: true, fields: { Status: 'Qualified', Rating: 'Hot', Name: 'Ada' } });
		expect(plan).toMatchObject({ kind: 'restore_fields', restore: { Status: 'Open', Rating: null }, conflicts: [] });
	});

	test('a field a person changed after the agent is skipped and reported, the others restored; force restores it too', () => {
		const write = update({ Status: 'Qualified', Rating: 'Hot' }, { Status: 'Open', Rating: 'Cold' });
		const current = { exists: true as const, fields: { Status: 'Working', Rating: 'Hot' } };
		expect(planReversal(write, current)).toMatchObject({ kind: 'restore_fields', restore: { Rating: 'Cold' }, conflicts: [{ field: 'Status', wrote: 'Qualified', now: 'Working' }] });
		expect(planReversal(write, current, { force: true }).restore).toEqual({ Status: 'Open', Rating: 'Cold' });
	});

	test('Salesforce field names match case-insensitively; Zendesk names exactly', () => {
		expect(planReversal(update({ status: 'Qualified' }, { status: 'Open' }), { exists: true, fields: { Status: 'Qualified' } }).restore).toEqual({ status: 'Open' });
		const zendesk = planReversal(update({ status: 'solved' }, { status: 'open' }, 'zendesk'), { exists: true, fields: { Status: 'solved' } });
		expect(zendesk.conflicts).toEqual([{ field: 'status', wrote: 'solved', now: undefined }]);
	});

	test('a second reversal has nothing to do', () => {
		expect(planReversal(update({ Status: 'Qualified' }, { Status: 'Open' }), { exists: true, fields: { Status: 'Open' } })).toMatchObject({ kind: 'nothing_to_do', note: 'already reversed', conflicts: [] });
	});

	test('a create is reversed by deleting, unless someone changed the record since', () => {
		const create: RecordedWrite = { seq: 2, system: 'zendesk', object: 'ticket', recordId: '7', operation: 'create', after: { subject: 'Refund', status: 'open' } };
		expect(planReversal(create, { exists: true, fields: { subject: 'Refund', status: 'open' } }).kind).toBe('delete');
		expect(planReversal(create, { exists: true, fields: { subject: 'Refund', status: 'pending' } })).toMatchObject({ kind: 'nothing_to_do', conflicts: [{ field: 'status' }] });
		expect(planReversal(create, { exists: false })).toMatchObject({ kind: 'nothing_to_do' });
	});

	test('a delete is reversed by bringing the record back, once', () => {
		const del: RecordedWrite = { seq: 3, system: 'quickbooks', object: 'Invoice', recordId: '130', operation: 'delete', before: { TotalAmt: 120 } };
		expect(planReversal(del, { exists: false })).toMatchObject({ kind: 'undelete', restore: { TotalAmt: 120 } });
		expect(planReversal(del, { exists: true, fields: {} }).kind).toBe('nothing_to_do');
	});

	test('property: 100 random agent updates, 20 random human edits: every untouched field is planned back to its before value, every edited one is a conflict left alone, and replaying the plan leaves nothing to do', () => {
		for (let seed = 1; seed <= 25; seed++) {
			const random = rng(seed);
			const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
			const fields = ['Status', 'Rating', 'Description', 'Industry', 'OwnerId', 'Phone'];
			const values = ['a', 'b', 'c', 'd', null, 1, 2, true];
			const records = new Map<string, Record<string, unknown>>();
			const writes: RecordedWrite[] = [];
			for (let i = 0; i < 100; i++) {
				const id = `00Q${String(Math.floor(random() * 30)).padStart(12, '0')}`;
				const record = records.get(id) ?? Object.fromEntries(fields.map((f) => [f, pick(values)]));
				const changed = fields.filter(() => random() < 0.4);
				if (changed.length === 0) changed.push(pick(fields));
				const before: Record<string, unknown> = {};
				const after: Record<string, unknown> = {};
				for (const f of changed) {
					before[f] = record[f];
					after[f] = `agent-${i}-${f}`;
					record[f] = after[f];
				}
				records.set(id, record);
				writes.push({ seq: i + 1, system: 'salesforce', object: 'Lead', recordId: id, operation: 'update', before, after });
			}
			const edited = new Set<string>();
			for (let e = 0; e < 20; e++) {
				const id = pick([...records.keys()]);
				const f = pick(fields);
				records.get(id)![f] = `human-${e}`;
				edited.add(`${id}.${f}`);
			}
			// Newest first, applying each plan, as Reverse Write does.
			for (const write of [...writes].reverse()) {
				const record = records.get(write.recordId)!;
				const plan = planReversal(write, { exists: true, fields: { ...record } });
				for (const c of plan.conflicts) expect(record[c.field]).not.toBe(c.wrote);
				for (const [f, v] of Object.entries(plan.restore)) {
					expect(record[f]).toBe(write.after![f]);
					record[f] = v;
				}
			}
			for (const write of writes) {
				const plan = planReversal(write, { exists: true, fields: { ...records.get(write.recordId)! } });
				expect(plan.kind).toBe('nothing_to_do');
			}
			// Every field no human touched is back where it was before the first agent write.
			for (const [id, record] of records) {
				const first = new Map<string, unknown>();
				for (const w of writes.filter((x) => x.recordId === id)) for (const [f, v] of Object.entries(w.before!)) if (!first.has(f)) first.set(f, v);
				for (const [f, v] of first) if (!edited.has(`${id}.${f}`)) expect(record[f]).toEqual(v);
			}
		}
	});
});
