/**
 * The incident path in the pinned real n8n 2.8.4, against the Salesforce emulator: an agent's
 * proposal goes through Approval Gate (a human approves on the page), Guarded Write performs it
 * with the approval (refreshing an expired token through n8n's own OAuth2 machinery, which saves
 * the rotated refresh token), a human edits one field afterwards, and Reverse Write undoes the
 * agent's write for that execution, restoring what the human did not touch and reporting the
 * rest as a conflict. Needs `npm run build` first.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SalesforceEmulator } from '../emulators/salesforce';
import { runCliProcess } from '../helpers/processes';
import { approvers, Inbox, whenWaiting } from './approvalFixtures';
import { N8nInstance, RunningN8n, WorkflowJson } from './harness';

jest.setTimeout(15 * 60_000);

const SF_CREDENTIAL = { id: 'agE2eSfCred0001', name: 'Salesforce (emulator)' };
const DAY = 86_400_000;

function post(inboxPort: number, branch: string) {
	return {
		method: 'POST',
		url: `http://127.0.0.1:${inboxPort}/result/${branch}`,
		sendBody: true,
		specifyBody: 'json',
		jsonBody: '={{ JSON.stringify(Object.assign({}, $json, { executionId: $execution.id })) }}',
		options: {},
	};
}

function node(id: string, name: string, type: string, position: [number, number], parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) {
	return { id, name, type, typeVersion: type.startsWith('n8n-nodes-base.httpRequest') ? 4.2 : type === 'n8n-nodes-base.webhook' ? 2 : type === 'n8n-nodes-base.code' ? 2 : 1, position, parameters, ...extra };
}

function writeWorkflow(inboxPort: number, leadId: string): WorkflowJson {
	const uuid = (n: number) => `e1000000-0000-4000-8000-00000000000${n}`;
	const proposal = {
		action: { system: 'salesforce', object: 'Lead', operation: 'update', recordId: leadId, fields: { Status: 'Working - Contacted', Rating: 'Hot' }, reason: 'Replied positively to the demo invite' },
		before: { Status: 'Open - Not Contacted', Rating: 'Cold' },
	};
	return {
		id: 'agE2eWrite00001',
		name: 'E2E: approve, then write',
		nodes: [
			node(uuid(1), 'Webhook', 'n8n-nodes-base.webhook', [0, 0], { httpMethod: 'POST', path: 'agent-guard-e2e-write', responseMode: 'onReceived', options: {} }, { webhookId: uuid(9) }),
			node(uuid(2), 'Proposals', 'n8n-nodes-base.code', [200, 0], { jsCode: `return [{ json: ${JSON.stringify(proposal)} }];` }),
			node(uuid(3), 'Approval Gate', 'n8n-nodes-agent-guard.approvalGate', [400, 0], {
				operation: 'sendAndWait',
				agentId: 'lead-bot',
				quorum: 1,
				expiresInHours: 1,
				message: 'The lead agent wants to qualify a lead',
				channel: 'webhook',
				webhookUrl: `http://127.0.0.1:${inboxPort}/notify`,
				approvers: approvers('Dana'),
			}),
			node(uuid(4), 'Check Approval', 'n8n-nodes-agent-guard.approvalGate', [600, 0], { operation: 'checkApproval', agentId: 'lead-bot' }),
			node(
				uuid(5),
				'Guarded Write',
				'n8n-nodes-agent-guard.guardedWrite',
				[800, 0],
				{ agentId: 'lead-bot', requireApproval: true, dryRun: false, checkPolicy: true, policySource: 'sales' },
				{ credentials: { agentGuardSalesforceOAuth2Api: SF_CREDENTIAL } },
			),
			node(uuid(6), 'On Written', 'n8n-nodes-base.httpRequest', [1000, -100], post(inboxPort, 'written')),
			node(uuid(7), 'On Refused', 'n8n-nodes-base.httpRequest', [1000, 100], post(inboxPort, 'refused')),
		],
		connections: {
			Webhook: { main: [[{ node: 'Proposals', type: 'main', index: 0 }]] },
			Proposals: { main: [[{ node: 'Approval Gate', type: 'main', index: 0 }]] },
			'Approval Gate': { main: [[{ node: 'Check Approval', type: 'main', index: 0 }]] },
			'Check Approval': { main: [[{ node: 'Guarded Write', type: 'main', index: 0 }], []] },
			'Guarded Write': { main: [[{ node: 'On Written', type: 'main', index: 0 }], [{ node: 'On Refused', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
		pinData: {},
		active: false,
	};
}

function reverseWorkflow(inboxPort: number, reverseParameters: Record<string, unknown>): WorkflowJson {
	const uuid = (n: number) => `e2000000-0000-4000-8000-00000000000${n}`;
	return {
		id: 'agE2eReverse001',
		name: 'E2E: reverse an execution',
		nodes: [
			node(uuid(1), 'Webhook', 'n8n-nodes-base.webhook', [0, 0], { httpMethod: 'POST', path: 'agent-guard-e2e-reverse', responseMode: 'onReceived', options: {} }, { webhookId: uuid(9) }),
			node(uuid(2), 'Reverse Write', 'n8n-nodes-agent-guard.reverseWrite', [200, 0], reverseParameters, { credentials: { agentGuardSalesforceOAuth2Api: SF_CREDENTIAL } }),
			node(uuid(3), 'On Reversed', 'n8n-nodes-base.httpRequest', [400, -100], post(inboxPort, 'reversed')),
			node(uuid(4), 'On Conflicts', 'n8n-nodes-base.httpRequest', [400, 100], post(inboxPort, 'conflicts')),
		],
		connections: {
			Webhook: { main: [[{ node: 'Reverse Write', type: 'main', index: 0 }]] },
			'Reverse Write': { main: [[{ node: 'On Reversed', type: 'main', index: 0 }], [{ node: 'On Conflicts', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
		pinData: {},
		active: false,
	};
}

/** What the Reverse Write node is told: the execution id comes from the webhook body. */
export const REVERSE_PARAMETERS: Record<string, unknown> = {
	agentId: 'lead-bot',
	selectBy: 'execution',
	executionId: '={{ $json.body.executionId }}',
	preview: '={{ $json.body.preview === true }}',
	force: false,
};

describe('Approval Gate → Guarded Write → Reverse Write in real n8n 2.8.4 (embedded store, Salesforce emulator)', () => {
	const sf = new SalesforceEmulator();
	const inbox = new Inbox();
	let n8n: N8nInstance;
	let server: RunningN8n;
	let leadId = '';
	let firstRefreshToken = '';

	beforeAll(async () => {
		await Promise.all([sf.start(), inbox.start()]);
		leadId = sf.seed({ Lead: [{ FirstName: 'Ada', LastName: 'Lovelace', Company: 'Engines Ltd', Status: 'Open - Not Contacted', Rating: 'Cold' }] }).Lead[0];
		firstRefreshToken = sf.refreshToken;
		n8n = await N8nInstance.create();
		await n8n.importCredentials([
			{
				...SF_CREDENTIAL,
				type: 'agentGuardSalesforceOAuth2Api',
				data: {
					environment: 'production',
					loginHostOverride: sf.baseUrl,
					clientId: sf.clientId,
					clientSecret: 'emulator-client-secret',
					scope: 'api refresh_token',
					ownerEmail: 'revops@acme.test',
					rotationIntervalDays: 90,
					lastRotated: new Date(Date.now() - 10 * DAY).toISOString(),
					warningDays: 14,
					oauthTokenData: { access_token: sf.accessToken, refresh_token: sf.refreshToken, instance_url: sf.baseUrl, token_type: 'Bearer' },
				},
			},
		]);
		const write = await n8n.importWorkflow(writeWorkflow(inbox.port, leadId));
		const reverse = await n8n.importWorkflow(reverseWorkflow(inbox.port, REVERSE_PARAMETERS));
		server = await n8n.start({ publish: [write, reverse] });
	});

	afterAll(async () => {
		if (process.env.AG_E2E_DEBUG) {
			console.log(server?.log().slice(-8000));
			const trail = await runCliProcess(['audit', 'query', '--json'], { ...process.env, N8N_USER_FOLDER: n8n.userFolder, AGENT_GUARD_REDIS_URL: '' });
			console.log(trail.stdout.slice(-8000), trail.stderr);
		}
		await server?.stop();
		await n8n?.cleanup();
		await Promise.all([inbox.close(), sf.stop()]);
	});

	const hook = (p: string, body: Record<string, unknown> = {}) =>
		fetch(`${server.baseUrl}/webhook/${p}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

	test('approved on the page, written once with a refreshed token, then reversed around a human edit', async () => {
		// 1. The agent proposes; the gate waits for Dana.
		expect((await hook('agent-guard-e2e-write')).status).toBe(200);
		const notice = await inbox.waitFor(() => inbox.notices[0], 'the approval notice');
		await whenWaiting(notice.link);
		// The access token expires while the request waits: the write must refresh it through n8n.
		const oldRefresh = sf.refreshToken;
		sf.expireToken();
		const form = new URLSearchParams({ t: String(new URL(notice.link).searchParams.get('t')), decision: 'approve', comment: '' });
		expect((await fetch(notice.link, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(200);

		// 2. Guarded Write performed it, once, with the before-image in the trail.
		const written = await inbox.waitFor(() => inbox.results.find((r) => r.branch === 'written' || r.branch === 'refused'), 'the write');
		expect(written.branch).toBe('written');
		expect(written.body.guard).toMatchObject({ decision: 'written' });
		expect(sf.get('Lead', leadId)).toMatchObject({ Status: 'Working - Contacted', Rating: 'Hot' });
		expect(sf.refreshToken).not.toBe(oldRefresh);
		const executionId = String(written.body.executionId);

		// 3. A human edits Rating afterwards; then ops reverse the agent's execution: preview first.
		sf.humanEdit('Lead', leadId, { Rating: 'Warm' });
		expect((await hook('agent-guard-e2e-reverse', { executionId, preview: true })).status).toBe(200);
		const preview = await inbox.waitFor(() => {
			const got = inbox.results.filter((r) => (r.branch === 'reversed' || r.branch === 'conflicts') && r.body.reverses !== undefined);
			return got.length ? got : undefined;
		}, 'the preview');
		expect(sf.get('Lead', leadId)).toMatchObject({ Status: 'Working - Contacted', Rating: 'Warm' });
		expect(preview[0].body).toMatchObject({ status: 'previewed', restored: { Status: 'Open - Not Contacted' }, conflicts: [{ field: 'Rating', wrote: 'Hot', now: 'Warm' }] });
		const seen = inbox.results.length;
		expect((await hook('agent-guard-e2e-reverse', { executionId })).status).toBe(200);
		const reversed = await inbox.waitFor(() => inbox.results.slice(seen).find((r) => r.body.reverses !== undefined), 'the reversal');
		// Status is restored; Rating, which the human changed since, is left alone and reported: so the item goes to Conflicts.
		expect(reversed.branch).toBe('conflicts');
		expect(reversed.body).toMatchObject({ status: 'conflict', restored: { Status: 'Open - Not Contacted' }, conflicts: [{ field: 'Rating', wrote: 'Hot', now: 'Warm' }] });
		expect(sf.get('Lead', leadId)).toMatchObject({ Status: 'Open - Not Contacted', Rating: 'Warm' });

		// 4. The trail tells the whole story, in order, and verifies.
		const trail = await runCliProcess(['audit', 'trace', executionId, '--json'], { ...process.env, N8N_USER_FOLDER: n8n.userFolder, AGENT_GUARD_REDIS_URL: '' });
		const events = trail.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { event: string }).event);
		expect(events).toEqual(expect.arrayContaining(['approval.requested', 'approval.decided', 'approval.checked', 'write.applied']));
		const all = await runCliProcess(['audit', 'query', '--event', 'write.*', '--json'], { ...process.env, N8N_USER_FOLDER: n8n.userFolder, AGENT_GUARD_REDIS_URL: '' });
		const writes = all.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; details: { reverses?: number } });
		expect(writes.map((w) => w.event)).toEqual(expect.arrayContaining(['write.applied', 'write.reversed']));
		const verify = await runCliProcess(['audit', 'verify'], { ...process.env, N8N_USER_FOLDER: n8n.userFolder, AGENT_GUARD_REDIS_URL: '' });
		expect(verify.code).toBe(0);
	});

	test('n8n saved the refreshed, rotated token on the credential (we keep no copy)', async () => {
		await server.stop();
		const out = path.join(n8n.userFolder, 'exported.json');
		await n8n.run(['export:credentials', '--all', '--decrypted', `--output=${out}`]);
		const exported = JSON.parse(fs.readFileSync(out, 'utf8')) as Array<{ id: string; data: { oauthTokenData?: { refresh_token?: string; access_token?: string } } }>;
		fs.rmSync(out, { force: true });
		const saved = exported.find((c) => c.id === SF_CREDENTIAL.id);
		expect(sf.refreshToken).not.toBe(firstRefreshToken);
		expect(saved?.data.oauthTokenData?.refresh_token).toBe(sf.refreshToken);
		expect(saved?.data.oauthTokenData?.access_token).toBe(sf.accessToken);
	});
});
