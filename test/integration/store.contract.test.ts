import { verifyTrail } from '../../lib/audit/verify';
import { EntryDraft } from '../../lib/audit/entry';
import { GuardStore } from '../../lib/store/types';
import { TEST_SECRET, storeFactories } from '../helpers/stores';

/** One contract, both stores: whatever a node relies on behaves the same on each. */
const draft = (event: string, extra: Partial<EntryDraft> = {}): EntryDraft => ({
	actor: { type: 'agent', id: 'sales-bot' },
	agentId: 'sales-bot',
	event,
	...extra,
});

describe.each(storeFactories())('GuardStore contract: $name', (factory) => {
	const opened: GuardStore[] = [];
	const open = async (same = false, secret?: string) => {
		const s = await factory.open(same, secret);
		opened.push(s);
		return s;
	};
	afterEach(async () => {
		await Promise.all(opened.splice(0).map((s) => s.close()));
	});

	test('append seals entries in order with consecutive seqs linked by prevHash', async () => {
		const store = await open();
		const first = await store.append([draft('scope.decided'), draft('write.applied')]);
		const second = await store.append([draft('audit.note')]);
		expect([...first, ...second].map((e) => e.seq)).toEqual([1, 2, 3]);
		expect(first[1].prevHash).toBe(first[0].hash);
		expect(second[0].prevHash).toBe(first[1].hash);
		expect(await store.head()).toEqual({ seq: 3, hash: second[0].hash });
	});

	test('a fresh trail verifies as valid and counts its entries', async () => {
		const store = await open();
		await store.append([draft('a.one'), draft('a.two'), draft('a.three')]);
		const report = await verifyTrail(store.records(), await store.checkpoints(), TEST_SECRET);
		expect(report).toMatchObject({ valid: true, entries: 3, headSeq: 3 });
	});

	test('verify with another signing secret reports wrong_secret', async () => {
		const store = await open();
		await store.append([draft('a.one')]);
		const report = await verifyTrail(store.records(), await store.checkpoints(), 'not-the-secret-not-the-secret-not');
		expect(report.valid).toBe(false);
		expect(report.problem).toBe('wrong_secret');
	});

	test('a writer with another signing secret is refused before it adds anything to the chain', async () => {
		const store = await open();
		await store.append([draft('a.one')]);
		const impostor = await open(true, 'another-secret-another-secret-another');
		await expect(impostor.append([draft('a.two')])).rejects.toThrow(/signing secret does not match/);
		expect((await store.head()).seq).toBe(1);
		await store.append([draft('a.three')]);
		await expect(store.verify()).resolves.toMatchObject({ valid: true, entries: 2 });
	});

	test('secrets in details never reach the trail', async () => {
		const store = await open();
		const [entry] = await store.append([draft('a.secret', { details: { apiKey: 'abc123', note: 'Bearer eyJhbGciOiJIUzI1NiJ9.x.y', promptTokens: 12 } })]);
		expect(entry.details).toEqual({ apiKey: '[redacted]', note: '[redacted]', promptTokens: 12 });
		const page = await store.query({ event: 'a.secret' });
		expect(JSON.stringify(page.entries)).not.toContain('abc123');
	});

	test('malformed drafts are refused before anything is written', async () => {
		const store = await open();
		await expect(store.append([draft('a.ok'), draft('NotNamespaced')])).rejects.toThrow(/namespaced/);
		await expect(store.append([draft('a.ok', { details: { n: Number.NaN } })])).rejects.toThrow(/NaN/);
		expect((await store.head()).seq).toBe(0);
	});

	test('query filters by agent, execution, event namespace, subject and time, and pages by seq', async () => {
		const store = await open();
		await store.append([
			draft('scope.decided', { executionId: 'e1', subject: { system: 'salesforce', object: 'Lead', recordId: 'L1' }, ts: '2026-11-01T10:00:00.000Z' }),
			draft('scope.decided', { executionId: 'e2', agentId: 'support-bot', ts: '2026-11-02T10:00:00.000Z' }),
			draft('write.applied', { executionId: 'e1', subject: { system: 'salesforce', object: 'Lead', recordId: 'L1' }, ts: '2026-11-03T10:00:00.000Z' }),
			draft('write.applied', { executionId: 'e3', ts: '2026-11-04T10:00:00.000Z' }),
		]);
		expect((await store.query({ agentId: 'support-bot' })).entries.map((e) => e.seq)).toEqual([2]);
		expect((await store.query({ executionId: 'e1' })).entries.map((e) => e.seq)).toEqual([1, 3]);
		expect((await store.query({ event: 'write.*' })).entries.map((e) => e.seq)).toEqual([3, 4]);
		expect((await store.query({ recordId: 'L1', event: 'write.applied' })).entries.map((e) => e.seq)).toEqual([3]);
		expect((await store.query({ since: '2026-11-02T00:00:00Z', until: '2026-11-04T00:00:00Z' })).entries.map((e) => e.seq)).toEqual([2, 3]);
		const page1 = await store.query({ limit: 3 });
		expect(page1.entries.map((e) => e.seq)).toEqual([1, 2, 3]);
		expect(page1.nextAfterSeq).toBe(3);
		const page2 = await store.query({ limit: 3, afterSeq: page1.nextAfterSeq });
		expect(page2.entries.map((e) => e.seq)).toEqual([4]);
		expect(page2.nextAfterSeq).toBeUndefined();
		await expect(store.query({ since: 'yesterday' })).rejects.toThrow(/ISO-8601/);
	});

	test('trace returns every entry of one execution in order', async () => {
		const store = await open();
		await store.append([draft('a.one', { executionId: 'x' }), draft('a.two', { executionId: 'y' })]);
		await store.append([draft('a.three', { executionId: 'x' })]);
		expect((await store.trace('x')).map((e) => e.event)).toEqual(['a.one', 'a.three']);
		expect(await store.trace('nope')).toEqual([]);
	});

	test('suspension and resumption are trail entries that set the agent status', async () => {
		const store = await open();
		await store.append([draft('scope.decided', { ts: '2026-11-30T08:00:00.000Z', executionId: '7' })]);
		await store.append([{ agentId: 'sales-bot', actor: { type: 'human', id: 'ops@acme.test' }, event: 'agent.suspended', details: { reason: 'mass update' }, ts: '2026-11-30T09:12:00.000Z' }]);
		expect(await store.getAgent('sales-bot')).toMatchObject({
			agentId: 'sales-bot', status: 'suspended', suspendedBy: 'ops@acme.test', suspendedReason: 'mass update', suspendedAt: '2026-11-30T09:12:00.000Z', lastSeen: '2026-11-30T08:00:00.000Z',
		});
		await store.append([{ agentId: 'sales-bot', actor: { type: 'human', id: 'ops@acme.test' }, event: 'agent.resumed' }]);
		expect((await store.getAgent('sales-bot'))?.status).toBe('active');
		expect(await store.getAgent('never-seen')).toBeUndefined();
	});

	test('owner and last seen are kept per agent and listed', async () => {
		const store = await open();
		await store.append([
			{ agentId: 'b-bot', actor: { type: 'system', id: 'agent-guard' }, event: 'agent.owner_set', details: { owner: 'b@acme.test' } },
			draft('scope.decided', { agentId: 'a-bot', ts: '2026-11-29T00:00:00.000Z', executionId: '8' }),
			draft('incident.note', { agentId: 'a-bot', ts: '2026-11-30T00:00:00.000Z' }),
		]);
		const agents = await store.listAgents();
		expect(agents.map((a) => a.agentId)).toEqual(['a-bot', 'b-bot']);
		expect(agents[0]).toMatchObject({ status: 'active', lastSeen: '2026-11-29T00:00:00.000Z', firstSeen: '2026-11-29T00:00:00.000Z' });
		expect(agents[1]).toMatchObject({ owner: 'b@acme.test' });
	});

	test('a second handle on the same store sees entries and suspensions written through the first', async () => {
		const writer = await open();
		const reader = await open(true);
		await writer.append([{ agentId: 'sales-bot', actor: { type: 'human', id: 'ops' }, event: 'agent.suspended', details: { reason: 'incident' } }]);
		expect((await reader.getAgent('sales-bot'))?.status).toBe('suspended');
		const [next] = await reader.append([draft('a.after')]);
		expect(next.seq).toBe(2);
		const report = await verifyTrail(writer.records(), await writer.checkpoints(), TEST_SECRET);
		expect(report).toMatchObject({ valid: true, entries: 2 });
	});

	test('many concurrent appends through two handles lose nothing and never fork the chain', async () => {
		const a = await open();
		const b = await open(true);
		const writes = Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).append([draft('c.one', { details: { i } }), draft('c.two', { details: { i } })]));
		const results = await Promise.all(writes);
		const seqs = results.flat().map((e) => e.seq).sort((x, y) => x - y);
		expect(seqs).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
		const report = await verifyTrail(a.records(), await a.checkpoints(), TEST_SECRET);
		expect(report).toMatchObject({ valid: true, entries: 80 });
	});
});
