/**
 * Our built package inside the pinned real n8n 2.8.4, loaded the way a community
 * install loads it, on both stores. Needs `npm run build` first (npm test does it).
 */
import { randomUUID } from 'node:crypto';
import { runCliProcess } from '../helpers/processes';
import { TEST_REDIS } from '../helpers/stores';
import { N8nInstance, WorkflowJson, loadFixture } from './harness';

jest.setTimeout(15 * 60_000); // the first run installs n8n (minutes); each run then takes ~5-20 s

const REDIS_SECRET = 'e2e-signing-secret-0123456789abcdef0123456789';
const CREDENTIAL = { id: 'agE2eRedisCred01', name: 'Agent Guard (Redis, e2e)' };

/** The same workflow with every Agent Guard node pointed at the Redis credential. */
function withRedisCredential(workflow: WorkflowJson): WorkflowJson {
	const nodes = workflow.nodes.map((node) => {
		const n = node as { type: string };
		return n.type.startsWith('n8n-nodes-agent-guard.') ? { ...n, credentials: { agentGuardApi: CREDENTIAL } } : node;
	});
	return { ...workflow, nodes };
}

interface Backend {
	name: string;
	setup(n8n: N8nInstance): Promise<{ prefix?: string }>;
	wrap(workflow: WorkflowJson): WorkflowJson;
	cliStore(n8n: N8nInstance, prefix?: string): { args: string[]; env: NodeJS.ProcessEnv };
}

const backends: Backend[] = [
	{
		name: 'embedded journal (no credential)',
		setup: async () => ({}),
		wrap: (w) => w,
		// No --dir: the CLI finds the journal of the local n8n through N8N_USER_FOLDER, as an operator's would.
		cliStore: (n8n) => ({ args: [], env: { ...process.env, N8N_USER_FOLDER: n8n.userFolder, AGENT_GUARD_REDIS_URL: '' } }),
	},
	{
		name: 'Redis (Agent Guard credential)',
		setup: async (n8n) => {
			const prefix = `age2e:${randomUUID()}`;
			await n8n.importCredentials([
				{
					...CREDENTIAL,
					type: 'agentGuardApi',
					data: { backend: 'redis', host: TEST_REDIS.hostname, port: Number(TEST_REDIS.port || 6379), database: Number(TEST_REDIS.pathname.slice(1) || 0), keyPrefix: prefix, signingSecret: REDIS_SECRET, tls: false, user: '', password: '' },
				},
			]);
			return { prefix };
		},
		wrap: withRedisCredential,
		cliStore: (_n8n, prefix) => ({ args: ['--redis', TEST_REDIS.toString(), '--prefix', String(prefix)], env: { ...process.env, AGENT_GUARD_SECRET: REDIS_SECRET } }),
	},
];

describe.each(backends)('Agent Guard in real n8n 2.8.4: $name', (backend) => {
	let n8n: N8nInstance;
	let prefix: string | undefined;

	beforeAll(async () => {
		n8n = await N8nInstance.create();
		({ prefix } = await backend.setup(n8n));
	});

	afterAll(async () => {
		await n8n?.cleanup();
	});

	test('Manual → Code (3 events) → Audit Logger Log → Audit Logger Verify reports a valid chain of 3 entries', async () => {
		const run = await n8n.execute(await n8n.importWorkflow(backend.wrap(loadFixture('audit-log-verify.json'))));
		expect(run.error).toBeUndefined();
		const logged = run.nodeOutputs('Log');
		expect(logged.map((i) => (i.guard as { audit: { seq: number } }).audit.seq)).toEqual([1, 2, 3]);
		expect(run.nodeOutputs('Verify')).toEqual([expect.objectContaining({ valid: true, entries: 3, headSeq: 3, checkpointSeq: 3, message: 'chain valid: 3 entries, head seq 3' })]);
		const cli = backend.cliStore(n8n, prefix);
		const trail = await runCliProcess(['audit', 'query', '--json', ...cli.args], cli.env);
		expect(trail.code).toBe(0);
		const entries = trail.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; subject: { recordId: string }; details: { apiKey?: string } });
		expect(entries.map((e) => [e.event, e.subject.recordId])).toEqual([
			['ticket.tagged', 'T-100'],
			['ticket.priority', 'T-101'],
			['ticket.reply_drafted', 'T-102'],
		]);
		expect(entries[2].details.apiKey).toBe('[redacted]');
		const verify = await runCliProcess(['audit', 'verify', ...cli.args], cli.env);
		expect(verify).toMatchObject({ code: 0 });
		expect(verify.stdout).toContain('chain valid: 3 entries');
	});

	test('Agent Control suspends an agent and a later Agent Control in the same workflow reports who, when and why', async () => {
		const run = await n8n.execute(await n8n.importWorkflow(backend.wrap(loadFixture('agent-suspend-status.json'))));
		expect(run.error).toBeUndefined();
		const [status] = run.nodeOutputs('Status');
		expect(status).toMatchObject({ agentId: 'sales-bot', status: 'suspended', suspendedBy: 'ops@acme.test', suspendedReason: 'Mass update of 400 leads at 09:12' });
		expect(Date.now() - Date.parse(String(status.suspendedAt))).toBeLessThan(10 * 60_000);
	});

	test('an agent suspended with the CLI while n8n is running is reported suspended by the next execution', async () => {
		const id = await n8n.importWorkflow(backend.wrap({ ...loadFixture('agent-status-webhook.json') }));
		const server = await n8n.start({ publish: [id] });
		try {
			const status = async () => (await (await fetch(`${server.baseUrl}/webhook/agent-guard-e2e-status?agent=support-bot`)).json()) as Record<string, unknown>;
			expect(await status()).toMatchObject({ agentId: 'support-bot', status: 'active' });
			const cli = backend.cliStore(n8n, prefix);
			const suspend = await runCliProcess(['agent', 'suspend', 'support-bot', '--reason', 'Replied to a phishing mail', '--by', 'oncall@acme.test', ...cli.args], cli.env);
			expect(suspend.code).toBe(0);
			expect(await status()).toMatchObject({ agentId: 'support-bot', status: 'suspended', suspendedBy: 'oncall@acme.test', suspendedReason: 'Replied to a phishing mail' });
		} finally {
			await server.stop();
		}
	});

	test('Scope Guard routes proposed actions to Allowed and Denied; after a CLI suspension every action is denied with agent_suspended', async () => {
		const id = await n8n.importWorkflow(backend.wrap(loadFixture('scope-check-actions.json')));
		const first = await n8n.execute(id);
		expect(first.error).toBeUndefined();
		expect(first.nodeOutputs('Scope Guard', 0).map((i) => (i.action as { recordId: string }).recordId)).toEqual(['00Q001']);
		expect(first.nodeOutputs('Scope Guard', 1).map((i) => (i.guard as { reasons: Array<{ code: string }> }).reasons[0].code)).toEqual(['field_not_writable', 'object_not_allowed']);
		const cli = backend.cliStore(n8n, prefix);
		expect((await runCliProcess(['agent', 'suspend', 'lead-bot', '--reason', 'e2e', ...cli.args], cli.env)).code).toBe(0);
		const second = await n8n.execute(id);
		expect(second.nodeOutputs('Scope Guard', 0)).toEqual([]);
		expect(second.nodeOutputs('Scope Guard', 1).map((i) => (i.guard as { reasons: Array<{ code: string }> }).reasons[0].code)).toEqual(['agent_suspended', 'agent_suspended', 'agent_suspended']);
		const decided = await runCliProcess(['audit', 'query', '--event', 'scope.decided', '--agent', 'lead-bot', '--json', ...cli.args], cli.env);
		expect(decided.stdout.trim().split('\n')).toHaveLength(6);
	});

	test('tickets → Filter Records → Detect Injection → Check Actions route each item as expected; a suspended agent has everything denied', async () => {
		const id = await n8n.importWorkflow(backend.wrap(loadFixture('guarded-ticket-triage.json')));
		const run = await n8n.execute(id);
		expect(run.error).toBeUndefined();
		const filtered = run.nodeOutputs('Filter Records', 0);
		expect(filtered).toHaveLength(3);
		expect(filtered.every((i) => (i.ticket as Record<string, unknown>).requester_email === undefined)).toBe(true);
		expect(run.nodeOutputs('Detect Injection', 1).map((i) => (i.ticket as { id: number }).id)).toEqual([102]);
		expect(run.nodeOutputs('Check Actions', 0).map((i) => (i.action as { recordId: string }).recordId)).toEqual(['101']);
		expect(run.nodeOutputs('Check Actions', 1).map((i) => (i.guard as { reasons: Array<{ code: string }> }).reasons[0].code)).toEqual(['field_not_writable']);
		const cli = backend.cliStore(n8n, prefix);
		const trail = await runCliProcess(['audit', 'query', '--agent', 'triage-bot', '--json', ...cli.args], cli.env);
		const events = trail.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { event: string }).event);
		expect(events.filter((e) => e === 'scope.filtered')).toHaveLength(3);
		expect(events.filter((e) => e === 'injection.flagged')).toHaveLength(1);
		expect(events.filter((e) => e === 'scope.decided')).toHaveLength(2);
		expect((await runCliProcess(['agent', 'suspend', 'triage-bot', '--reason', 'e2e triage', ...cli.args], cli.env)).code).toBe(0);
		const suspended = await n8n.execute(id);
		expect(suspended.nodeOutputs('Filter Records', 0)).toEqual([]);
		expect(suspended.nodeOutputs('Filter Records', 1).map((i) => (i.guard as { reasons: Array<{ code: string }> }).reasons[0].code)).toEqual(['agent_suspended', 'agent_suspended', 'agent_suspended']);
	});
});
