/**
 * Property: random agent writes across Salesforce, Zendesk and QuickBooks (through the real
 * adapters, recorded as Guarded Write records them), then random human edits, then reversing
 * the execution puts every field nobody else touched back, leaves every field a person changed
 * as that person left it (and reports it), and a second reversal sends no write at all.
 *
 * Seeded: the seed is printed; replay a failure with REVERSAL_SEED=<seed>.
 */
import { AuditEntry, EntryDraft } from '../../lib/audit/entry';
import { SaasAdapter, SaasSystem } from '../../lib/saas/types';
import { QuickBooksAdapter } from '../../lib/saas/quickbooks';
import { SalesforceAdapter } from '../../lib/saas/salesforce';
import { ZendeskAdapter } from '../../lib/saas/zendesk';
import { EmbeddedStore } from '../../lib/store/embedded';
import { GuardStore } from '../../lib/store/types';
import { appliedEntry, parseWriteAction, performWrite, readBefore } from '../../lib/write/guardedWrite';
import { ReversalOutcome, reverseWrites, selectWrites } from '../../lib/write/reverse';
import { QboEntityName, QuickBooksEmulator } from '../emulators/quickbooks';
import { SalesforceEmulator } from '../emulators/salesforce';
import { ZendeskEmulator, ZendeskKind } from '../emulators/zendesk';
import { TEST_SECRET, tempDir } from '../helpers/stores';

jest.setTimeout(90_000);

const SEED = Number(process.env.REVERSAL_SEED ?? Date.now() % 2_147_483_647);
const AGENT_WRITES = 100;
const HUMAN_EDITS = 20;

/** xorshift32: small and deterministic, so a failure replays from its seed. */
function rng(seed: number) {
	let x = seed >>> 0 || 1;
	return () => {
		x ^= x << 13;
		x ^= x >>> 17;
		x ^= x << 5;
		return (x >>> 0) / 2 ** 32;
	};
}

/** Objects the agent writes: the text fields it (and people) change, and how to make one. */
interface ObjectSpec {
	system: SaasSystem;
	object: string;
	fields: string[];
	create(n: number): Record<string, unknown>;
}

const SPECS: ObjectSpec[] = [
	{ system: 'salesforce', object: 'Lead', fields: ['Title', 'City', 'Industry', 'Description'], create: (n) => ({ LastName: `Lead${n}`, Company: `Co${n}`, Title: `t${n}` }) },
	{ system: 'salesforce', object: 'Contact', fields: ['Title', 'Department', 'MailingCity'], create: (n) => ({ LastName: `Contact${n}`, Department: `d${n}` }) },
	{ system: 'salesforce', object: 'Account', fields: ['BillingCity', 'Industry', 'Description'], create: (n) => ({ Name: `Account${n}`, Description: `x${n}` }) },
	{ system: 'zendesk', object: 'ticket', fields: ['subject'], create: (n) => ({ subject: `Ticket ${n}`, comment: { body: `opened by the agent (${n})` } }) },
	{ system: 'zendesk', object: 'user', fields: ['notes', 'details', 'phone'], create: (n) => ({ name: `User ${n}`, email: `user${n}.${SEED}@example.test`, notes: `n${n}` }) },
	{ system: 'zendesk', object: 'organization', fields: ['details', 'notes'], create: (n) => ({ name: `Org ${n} ${SEED}`, notes: `n${n}` }) },
	{ system: 'quickbooks', object: 'Customer', fields: ['Notes', 'Title', 'CompanyName'], create: (n) => ({ DisplayName: `Customer ${n} ${SEED}`, Notes: `n${n}` }) },
	{
		system: 'quickbooks',
		object: 'Invoice',
		fields: ['PrivateNote'],
		create: (n) => ({ CustomerRef: { value: '1' }, Line: [{ Amount: 10 + n, DetailType: 'SalesItemLineDetail', SalesItemLineDetail: { ItemRef: { value: '6' } } }], PrivateNote: `p${n}` }),
	},
	{
		system: 'quickbooks',
		object: 'Bill',
		fields: ['PrivateNote'],
		create: (n) => ({ VendorRef: { value: '41' }, Line: [{ Amount: 5 + n, DetailType: 'AccountBasedExpenseLineDetail', AccountBasedExpenseLineDetail: { AccountRef: { value: '7' } } }], PrivateNote: `p${n}` }),
	},
];

interface Tracked {
	spec: ObjectSpec;
	id: string;
	/** Made by the agent in this run (its reversal deletes it). */
	created?: { fields: string[] };
	/** Values before the agent first touched each field (records that existed before). */
	original: Map<string, unknown>;
	live: boolean;
	/** Fields a person changed after the agent, with their value. */
	human: Map<string, unknown>;
	/** Fields the agent wrote (create or update). */
	agentWrote: Set<string>;
}

const key = (system: string, object: string, id: string) => `${system}/${object.toLowerCase()}/${id}`;

test(`reversing 100 random agent writes on three systems after 20 human edits restores every untouched field, keeps every human edit, and a second reversal writes nothing (seed ${SEED})`, async () => {
	process.stdout.write(`reversal property seed: ${SEED} (replay with REVERSAL_SEED=${SEED})\n`);
	const random = rng(SEED);
	const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)];

	const sf = new SalesforceEmulator();
	const zd = new ZendeskEmulator();
	const qb = new QuickBooksEmulator();
	await Promise.all([sf.start(), zd.start(), qb.start()]);
	const store: GuardStore = await EmbeddedStore.open({ dir: tempDir('reversal-property'), secret: TEST_SECRET });
	try {
		const adapters: Record<SaasSystem, SaasAdapter> = {
			salesforce: new SalesforceAdapter({ baseUrl: sf.baseUrl, accessToken: sf.accessToken }),
			zendesk: new ZendeskAdapter({ baseUrl: zd.baseUrl, accessToken: zd.apiToken, username: zd.email }),
			quickbooks: new QuickBooksAdapter({ baseUrl: qb.baseUrl, accessToken: qb.token, realmId: qb.realmId }),
		};

		// Records that exist before the agent starts: a few of each object.
		const records = new Map<string, Tracked>();
		const track = (spec: ObjectSpec, id: string, created?: { fields: string[] }) =>
			records.set(key(spec.system, spec.object, id), { spec, id, created, original: new Map(), live: true, human: new Map(), agentWrote: new Set() });
		const sfIds = sf.seed({
			Lead: [1, 2, 3, 4].map((n) => ({ LastName: `Seed${n}`, Company: `SeedCo${n}`, Title: `st${n}`, City: `sc${n}` })),
			Contact: [1, 2, 3].map((n) => ({ LastName: `SeedC${n}`, Department: `sd${n}` })),
			Account: [1, 2, 3].map((n) => ({ Name: `SeedA${n}`, BillingCity: `sb${n}` })),
		});
		for (const spec of SPECS.filter((s) => s.system === 'salesforce')) for (const id of sfIds[spec.object]) track(spec, id);
		for (const id of ['4201', '4202', '4203']) track(SPECS[3], id);
		for (const id of ['361000101', '361000102']) track(SPECS[4], id);
		for (const id of ['360010001', '360010002']) track(SPECS[5], id);
		const qbIds = qb.seed();
		for (const [entity, spec] of [['Customer', SPECS[6]], ['Invoice', SPECS[7]], ['Bill', SPECS[8]]] as const) for (const id of qbIds[entity]) track(spec, id);

		// 100 agent writes in one execution, recorded as Guarded Write records them.
		const executionId = `property-${SEED}`;
		let created = 0;
		for (let i = 0; i < AGENT_WRITES; i++) {
			const live = [...records.values()].filter((r) => r.live);
			const roll = random();
			let raw: Record<string, unknown>;
			let target: Tracked | undefined;
			if (roll < 0.15) {
				const spec = pick(SPECS);
				raw = { system: spec.system, object: spec.object, operation: 'create', fields: spec.create(++created) };
			} else if (roll < 0.27 && live.length > 10) {
				// A QuickBooks customer with invoices cannot be made inactive without breaking them (as in QuickBooks): only the agent's own.
				target = pick(live.filter((r) => !(r.spec.object === 'Customer' && !r.created)));
				raw = { system: target.spec.system, object: target.spec.object, operation: 'delete', recordId: target.id, fields: {} };
			} else {
				target = pick(live);
				const fields: Record<string, unknown> = {};
				for (const f of target.spec.fields) if (random() < 0.5) fields[f] = `a${i}${f.slice(0, 2)}`;
				if (Object.keys(fields).length === 0) fields[pick(target.spec.fields)] = `a${i}`;
				raw = { system: target.spec.system, object: target.spec.object, operation: 'update', recordId: target.id, fields };
			}
			const action = parseWriteAction(raw);
			const adapter = adapters[action.system];
			const before = await readBefore(adapter, action);
			const result = await performWrite(adapter, action, before);
			const draft: EntryDraft = { ...appliedEntry(action, before, result, { agentId: 'property-bot' }), executionId };
			await store.append([draft]);
			if (action.operation === 'create') {
				track(SPECS.find((s) => s.system === action.system && s.object === action.object) as ObjectSpec, result.recordId, { fields: Object.keys(action.fields) });
				const t = records.get(key(action.system, action.object, result.recordId)) as Tracked;
				Object.keys(action.fields).forEach((f) => t.agentWrote.add(f));
			} else if (target) {
				if (action.operation === 'delete') target.live = false;
				for (const [f, v] of Object.entries(before?.fields ?? {})) if (action.operation === 'update' && !target.original.has(f)) target.original.set(f, v);
				Object.keys(action.fields).forEach((f) => target.agentWrote.add(f));
			}
		}

		// 20 people editing live records afterwards, any field (on a record the agent created too: its
		// change marker tells Reverse Write it was worked on since).
		const humanEdit = (r: Tracked, field: string, value: string) => {
			if (r.spec.system === 'salesforce') sf.humanEdit(r.spec.object, r.id, { [field]: value });
			else if (r.spec.system === 'zendesk') zd.humanEdit(r.spec.object as ZendeskKind, r.id, { [field]: value });
			else qb.humanEdit(r.spec.object as QboEntityName, r.id, { [field]: value });
		};
		for (let e = 0; e < HUMAN_EDITS; e++) {
			const r = pick([...records.values()].filter((x) => x.live));
			const field = pick(r.spec.fields);
			const value = `h${e}${field.slice(0, 2)}`;
			humanEdit(r, field, value);
			r.human.set(field, value);
		}

		// Reverse the execution, as the node does.
		const reverseAll = async (): Promise<ReversalOutcome[]> => {
			const { entries } = await selectWrites(store, { by: 'execution', executionId });
			expect(entries).toHaveLength(AGENT_WRITES);
			return reverseWrites(store, entries, {
				preview: false,
				force: false,
				actor: { type: 'human', id: 'property-test' },
				connect: async (system) => ({ call: (fn) => fn(adapters[system]) }),
				appendNow: async (d) => (await store.append([d]))[0],
				appendBatch: (ds) => store.append(ds),
			});
		};
		const first = await reverseAll();
		expect(first.filter((o) => o.status === 'failed')).toEqual([]);

		// Where each record is now (a re-created one has a new id).
		const currentId = new Map<string, string>();
		for (const o of first) if (o.newRecordId) currentId.set(key(o.system, o.object, o.recordId), o.newRecordId);
		const read = async (r: Tracked): Promise<Record<string, unknown> | undefined> => {
			const id = currentId.get(key(r.spec.system, r.spec.object, r.id)) ?? r.id;
			try {
				const image = await adapters[r.spec.system].read(r.spec.object, id, r.spec.system === 'quickbooks' && r.spec.object === 'Customer' ? [...r.spec.fields, 'Active'] : r.spec.fields);
				if (image.fields.Active === false) return undefined;
				return image.fields;
			} catch {
				return undefined;
			}
		};
		const conflictsOn = (r: Tracked) =>
			first.filter((o) => key(o.system, o.object, o.recordId) === key(r.spec.system, r.spec.object, r.id)).flatMap((o) => o.conflicts.map((c) => c.field.toLowerCase()));

		for (const r of records.values()) {
			const now = await read(r);
			const label = `${r.spec.system} ${r.spec.object} ${r.id}`;
			// Every person's edit is still there, and reported where the agent had written that field.
			for (const [field, value] of r.human) {
				expect({ record: label, field, now: now?.[field] }).toEqual({ record: label, field, now: value });
				if (r.agentWrote.has(field)) expect({ record: label, conflicts: conflictsOn(r) }).toEqual({ record: label, conflicts: expect.arrayContaining([field.toLowerCase()]) });
			}
			if (r.created) {
				// A record the agent made is gone, unless a person changed it since.
				expect({ record: label, exists: now !== undefined }).toEqual({ record: label, exists: r.human.size > 0 });
				continue;
			}
			// Everything else is back: it exists again, and every field the agent changed has its value from before.
			expect({ record: label, exists: now !== undefined }).toEqual({ record: label, exists: true });
			for (const [field, value] of r.original) {
				if (r.human.has(field)) continue;
				expect({ record: label, field, now: now?.[field] ?? null }).toEqual({ record: label, field, now: value ?? null });
			}
		}

		// A second reversal changes nothing: no write request reaches any system.
		const writes = () =>
			sf.requests.filter((q) => q.method !== 'GET').length + zd.requests.filter((q) => q.method !== 'GET').length + qb.requests.filter((q) => q.method === 'POST').length;
		const before = writes();
		const second = await reverseAll();
		expect(writes()).toBe(before);
		expect(second.filter((o) => !['already_reversed', 'nothing_to_do', 'conflict'].includes(o.status))).toEqual([]);
		const trail: AuditEntry[] = (await store.query({ event: 'write.reversed', limit: 1000 })).entries;
		expect(new Set(trail.map((e) => e.details?.reverses)).size).toBe(trail.length);
	} finally {
		await store.close();
		await Promise.all([sf.stop(), zd.stop(), qb.stop()]);
	}
});
