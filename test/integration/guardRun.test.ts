import { AgentSuspendedError, GuardRun } from '../../lib/runtime/guardRun';
import { GuardStore } from '../../lib/store/types';
import { storeFactories } from '../helpers/stores';

describe.each(storeFactories())('guard runtime on the $name store', (factory) => {
	let store: GuardStore;
	let other: GuardStore;
	beforeEach(async () => {
		store = await factory.open();
		other = await factory.open(true);
	});
	afterEach(async () => {
		await store.close();
		await other.close();
	});

	test('the kill switch set through another handle stops the next check, with who, when and why', async () => {
		const run = new GuardRun(store, { executionId: '11', workflowId: 'wf', node: 'Scope Guard' });
		await expect(run.assertActive('sales-bot')).resolves.toBeUndefined();
		await other.append([{ agentId: 'sales-bot', actor: { type: 'human', id: 'ops@acme.test' }, event: 'agent.suspended', details: { reason: 'mass update' }, ts: '2026-11-30T09:12:00.000Z' }]);
		const error = await run.assertActive('sales-bot').catch((e: unknown) => e);
		expect(error).toBeInstanceOf(AgentSuspendedError);
		expect((error as Error).message).toBe(
			'Agent "sales-bot" is suspended since 2026-11-30T09:12:00.000Z by ops@acme.test: "mass update". Resume it with Agent Control (or `agent-guard agent resume sales-bot`).',
		);
	});

	test('one node run appends its entries in one batch stamped with the execution, workflow and node', async () => {
		const run = new GuardRun(store, { executionId: '12', workflowId: 'wf-9', node: 'Scope Guard' });
		const a = run.record({ agentId: 'sales-bot', actor: { type: 'agent', id: 'sales-bot' }, event: 'scope.decided', details: { allowed: true } });
		const b = run.record({ agentId: 'sales-bot', actor: { type: 'agent', id: 'sales-bot' }, event: 'scope.decided', details: { allowed: false } });
		const entries = await run.flush();
		expect(entries.map((e) => [e.seq, e.executionId, e.workflowId, e.node])).toEqual([
			[1, '12', 'wf-9', 'Scope Guard'],
			[2, '12', 'wf-9', 'Scope Guard'],
		]);
		expect(run.stamp('deny', [{ code: 'field_not_writable', message: 'x' }], 'sales-bot', b)).toEqual({
			decision: 'deny', reasons: [{ code: 'field_not_writable', message: 'x' }], agentId: 'sales-bot', audit: { seq: 2, hash: entries[1].hash },
		});
		expect(run.entryFor(a)?.seq).toBe(1);
		expect(() => run.record({ actor: { type: 'system', id: 's' }, event: 'a.b' })).toThrow(/one batch/);
	});

	test('the owner is recorded once, as an audited event, and only when it changes', async () => {
		const first = new GuardRun(store, { executionId: '1' });
		await first.noteOwner('sales-bot', 'a@acme.test');
		await first.noteOwner('sales-bot', 'a@acme.test');
		await first.flush();
		const second = new GuardRun(store, { executionId: '2' });
		await second.noteOwner('sales-bot', 'a@acme.test');
		expect(await second.flush()).toEqual([]);
		expect(await store.getAgent('sales-bot')).toMatchObject({ owner: 'a@acme.test' });
		expect((await store.query({ event: 'agent.owner_set' })).entries).toHaveLength(1);
	});
});
