import type { ICredentialTestFunctions, ICredentialsDecrypted } from 'n8n-workflow';
import { closeAllStores } from '../../lib/store/open';
import { agentGuardApiTest } from '../../nodes/shared/runtime';
import { freePort } from '../helpers/privateRedis';
import { agentControl, auditLogger, embeddedCredential, guardNodeTypes, redisCredential } from '../helpers/guardNodes';
import { runWorkflow } from '../helpers/n8nInProcess';

afterAll(closeAllStores);

describe.each([
	['embedded', () => embeddedCredential()],
	['redis', () => redisCredential()],
])('Agent Control (%s store)', (_name, credential) => {
	test('a suspension is seen by a later Agent Control node in the same workflow, with who, when and why', async () => {
		const run = await runWorkflow({
			nodeTypes: guardNodeTypes,
			nodes: [
				agentControl('Suspend', { operation: 'suspend', agentId: 'sales-bot', reason: 'Mass update of leads', requestedBy: 'ops@acme.test' }),
				agentControl('Status', { operation: 'getStatus', agentId: 'sales-bot', staleDays: 30 }),
			],
			connections: [['Suspend', 'Status']],
			credentials: { agentGuardApi: credential() },
		});
		const suspended = run.nodeOutput('Suspend')[0];
		expect(suspended).toMatchObject({ agentId: 'sales-bot', status: 'suspended', suspendedBy: 'ops@acme.test', suspendedReason: 'Mass update of leads' });
		expect(suspended.guard).toMatchObject({ decision: 'agent.suspended', audit: { seq: 1 } });
		const status = run.nodeOutput('Status')[0];
		expect(status).toMatchObject({ status: 'suspended', suspendedBy: 'ops@acme.test', suspendedReason: 'Mass update of leads', known: true });
		expect(Date.parse(String(status.suspendedAt))).toBeGreaterThan(Date.now() - 60_000);
	});

	test('resume lifts the suspension and both are in the trail', async () => {
		const credentials = { agentGuardApi: credential() };
		await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [agentControl('Suspend', { operation: 'suspend', agentId: 'sales-bot', reason: 'incident' })], credentials });
		const run = await runWorkflow({
			nodeTypes: guardNodeTypes,
			nodes: [
				agentControl('Resume', { operation: 'resume', agentId: 'sales-bot', reason: 'prompt fixed', requestedBy: 'lead@acme.test' }),
				auditLogger('Query', { operation: 'query', filters: { event: 'agent.*' }, limit: 10 }),
			],
			connections: [['Resume', 'Query']],
			credentials,
		});
		expect(run.nodeOutput('Resume')[0]).toMatchObject({ status: 'active', resumedBy: 'lead@acme.test', suspendedAt: null });
		expect(run.nodeOutput('Query').map((e) => [e.event, (e.actor as { id: string }).id])).toEqual([
			['agent.suspended', expect.stringMatching(/^workflow:/)],
			['agent.resumed', 'lead@acme.test'],
		]);
	});

	test('List Agents shows owner and last seen, and flags agents not seen for N days as stale', async () => {
		const credentials = { agentGuardApi: credential() };
		await runWorkflow({
			nodeTypes: guardNodeTypes,
			nodes: [
				agentControl('Owner', { operation: 'setOwner', agentId: 'old-bot', owner: 'owner@acme.test' }),
				auditLogger('Log', { operation: 'logEvent', agentId: 'busy-bot', event: 'scope.decided', actorType: 'agent', detailsSource: 'none' }),
			],
			connections: [['Owner', 'Log']],
			credentials,
		});
		const run = await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [agentControl('List', { operation: 'listAgents', staleDays: 30, onlyStale: false })], credentials });
		const agents = run.nodeOutput('List');
		expect(agents.map((a) => [a.agentId, a.owner, a.stale])).toEqual([
			['busy-bot', null, false],
			['old-bot', 'owner@acme.test', true],
		]);
		const stale = await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [agentControl('List', { operation: 'listAgents', staleDays: 30, onlyStale: true })], credentials });
		expect(stale.nodeOutput('List').map((a) => a.agentId)).toEqual(['old-bot']);
	});
});

describe('Agent Control bad input', () => {
	test('a suspension without a reason is refused, naming the item and the field', async () => {
		const run = await runWorkflow({
			nodeTypes: guardNodeTypes,
			nodes: [agentControl('Suspend', { operation: 'suspend', agentId: 'sales-bot', reason: '  ' })],
			credentials: { agentGuardApi: embeddedCredential() },
		});
		expect(run.error('Suspend')).toMatchObject({ itemIndex: 0, message: 'Item 0, field "Reason": a suspension needs a reason' });
	});

	test('the status of an agent never seen is active and unknown', async () => {
		const run = await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [agentControl('Status', { operation: 'getStatus', agentId: 'ghost' })], credentials: { agentGuardApi: embeddedCredential() } });
		expect(run.nodeOutput('Status')[0]).toMatchObject({ agentId: 'ghost', known: false, status: 'active', stale: true });
	});

	test('without a credential the nodes use the embedded journal in the n8n user folder', async () => {
		const run = await runWorkflow({
			nodeTypes: guardNodeTypes,
			nodes: [agentControl('Suspend', { operation: 'suspend', agentId: 'default-store-bot', reason: 'test' }, { credentials: undefined })],
		});
		expect(run.nodeOutput('Suspend')[0]).toMatchObject({ status: 'suspended' });
		const { existsSync } = await import('node:fs');
		const { join } = await import('node:path');
		expect(existsSync(join(String(process.env.N8N_USER_FOLDER), '.n8n', 'agent-guard', 'journal.jsonl'))).toBe(true);
	});
});

describe('Agent Guard API credential test', () => {
	const test_ = (data: Record<string, unknown>) =>
		agentGuardApiTest.call({} as ICredentialTestFunctions, { id: '1', name: 'Agent Guard', type: 'agentGuardApi', data } as ICredentialsDecrypted);

	test('pings a reachable Redis and says where', async () => {
		await expect(test_(redisCredential())).resolves.toEqual({ status: 'OK', message: expect.stringMatching(/^Connected to Redis at 127\.0\.0\.1:\d+$/) });
	});

	test('reports an unreachable Redis, a short secret and a readable journal', async () => {
		await expect(test_({ ...redisCredential(), port: await freePort() })).resolves.toMatchObject({ status: 'Error', message: expect.stringMatching(/unavailable \(connection refused 127\.0\.0\.1:\d+\)/) });
		await expect(test_({ ...redisCredential(), signingSecret: 'short' })).resolves.toMatchObject({ status: 'Error', message: expect.stringMatching(/at least 32 characters/) });
		await expect(test_(embeddedCredential())).resolves.toEqual({ status: 'OK', message: 'Embedded journal is readable' });
	});
});
