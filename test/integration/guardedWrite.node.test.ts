import { actionDigest } from '../../lib/approval/digest';
import { PROOF_KEY } from '../../lib/approval/gate';
import { signApprovalProof } from '../../lib/approval/proof';
import { closeAllStores, openStore } from '../../lib/store/open';
import { GuardStore } from '../../lib/store/types';
import { storeConfigFrom } from '../../nodes/shared/runtime';
import { QuickBooksEmulator } from '../emulators/quickbooks';
import { SalesforceEmulator } from '../emulators/salesforce';
import { ZendeskEmulator } from '../emulators/zendesk';
import { spawnSync } from 'node:child_process';
import { auditLogger, embeddedCredential, guardNodeTypes, guardedWrite, redisCredential, reverseWrite } from '../helpers/guardNodes';
import { runWorkflow } from '../helpers/n8nInProcess';
import { PrivateRedis } from '../helpers/privateRedis';
import { TEST_SECRET, tempDir } from '../helpers/stores';

type Guard = { decision: string; reasons: Array<{ code: string; message: string }>; audit?: { seq: number } };
type Write = { operation: string; recordId: string; changes: Array<{ field: string; before: unknown; after: unknown }>; marker?: Record<string, string>; dryRun?: boolean };
const guardOf = (item: Record<string, unknown>) => item.guard as Guard;
const writeOf = (item: Record<string, unknown>) => item.write as Write;

const sf = new SalesforceEmulator();
const zd = new ZendeskEmulator();
const qb = new QuickBooksEmulator();
let zdBase = '';
let qbBase = '';
let qbInvoice = '';

beforeAll(async () => {
	await sf.start();
	zdBase = await zd.start();
	qbBase = await qb.start();
	qbInvoice = qb.seed().Invoice[0];
});
afterAll(async () => {
	await closeAllStores();
	await Promise.all([sf.stop(), zd.stop(), qb.stop()]);
});

const DAY = 86_400_000;
const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY).toISOString().slice(0, 10);
const tracking = { ownerEmail: 'ops@example.com', rotationIntervalDays: 90, lastRotated: isoDay(-10), warningDays: 14 };

function saasCredentials(over: { zendesk?: Record<string, unknown> } = {}) {
	return {
		agentGuardSalesforceOAuth2Api: {
			...tracking,
			clientId: sf.clientId,
			clientSecret: 'emulator-secret',
			accessTokenUrl: `${sf.baseUrl}/services/oauth2/token`,
			authUrl: `${sf.baseUrl}/services/oauth2/authorize`,
			grantType: 'authorizationCode',
			authentication: 'header',
			oauthTokenData: { access_token: sf.accessToken, refresh_token: sf.refreshToken, instance_url: sf.baseUrl, token_type: 'Bearer' },
		},
		agentGuardZendeskApi: { ...tracking, subdomain: 'acme', email: zd.email, apiToken: zd.apiToken, baseUrlOverride: zdBase, ...over.zendesk },
		agentGuardQuickBooksOAuth2Api: { ...tracking, realmId: qb.realmId, baseUrlOverride: qbBase, oauthTokenData: { access_token: qb.token, refresh_token: 'qb-refresh' } },
	};
}

const OPEN_POLICY = JSON.stringify({
	rules: [
		{ id: 'sf', system: 'salesforce', object: '*', operations: ['read', 'create', 'update', 'delete'], readableFields: ['*'], writableFields: ['*'] },
		{ id: 'zd', system: 'zendesk', object: '*', operations: ['read', 'create', 'update', 'delete'], readableFields: ['*'], writableFields: ['*'] },
		{ id: 'qb', system: 'quickbooks', object: '*', operations: ['read', 'create', 'update', 'delete'], readableFields: ['*'], writableFields: ['*'] },
	],
});

function writer(name: string, params: Record<string, unknown> = {}) {
	return guardedWrite(name, { agentId: 'sales-bot', requireApproval: true, dryRun: false, checkPolicy: true, policySource: 'json', policyJson: OPEN_POLICY, zendeskAuthentication: 'apiToken', ...params });
}

function storeOf(credential: Record<string, unknown>): Promise<GuardStore> {
	return openStore(storeConfigFrom(credential as never));
}

/** What Approval Gate puts on an approved item: a proof over the exact action (and before-image). */
async function approve(store: GuardStore, action: Record<string, unknown>, before?: Record<string, unknown>, id = `apr-${Math.random().toString(36).slice(2)}`) {
	return signApprovalProof(store.deriveKey(PROOF_KEY), { id, digest: actionDigest(action, before), approvers: ['Dana'], decidedAt: Date.now() });
}

function leadId(): string {
	return sf.seed({ Lead: [{ FirstName: 'Ada', LastName: 'Lovelace', Company: 'Engines Ltd', Status: 'Open - Not Contacted', Rating: 'Cold' }] }).Lead[0];
}

describe.each([
	['embedded', () => embeddedCredential()],
	['redis', () => redisCredential()],
])('Guarded Write (%s store)', (_name, makeCredential) => {
	let agentGuardApi: Record<string, unknown>;
	let store: GuardStore;
	beforeEach(async () => {
		sf.reset();
		sf.issueAccessToken();
		agentGuardApi = makeCredential();
		store = await storeOf(agentGuardApi);
	});

	const run = (nodes: ReturnType<typeof writer>[], input: Record<string, unknown>[], extra: { connections?: Array<[string, string, number?]>; credentials?: Record<string, unknown> } = {}) =>
		runWorkflow({ nodeTypes: guardNodeTypes, nodes, input: input as never, connections: extra.connections, credentials: { agentGuardApi, ...saasCredentials(), ...(extra.credentials as object) } as never });

	test('two executions racing with the same approval: exactly one writes, the other is refused as approval_reused', async () => {
		const id = leadId();
		const action = { system: 'salesforce', object: 'Lead', operation: 'update', recordId: id, fields: { Rating: 'Warm' } };
		const item = { action, approval: await approve(store, action) };
		const results = await Promise.all([1, 2, 3].map(() => run([writer('Write')], [item])));
		const decisions = results.map((r) => [...r.nodeOutput('Write', 0), ...r.nodeOutput('Write', 1)].map((i) => guardOf(i).reasons[0]?.code ?? guardOf(i).decision)[0]).sort();
		expect(decisions).toEqual(['approval_reused', 'approval_reused', 'written']);
		expect(sf.requests.filter((r) => r.method === 'PATCH' && r.status === 204)).toHaveLength(1);
	});

	test('an approved Salesforce update is written with its before-image, and write.applied in the trail holds before, after and the change marker', async () => {
		const id = leadId();
		const action = { system: 'salesforce', object: 'Lead', operation: 'update', recordId: id, fields: { Status: 'Working - Contacted', Rating: 'Hot' }, reason: 'replied' };
		const result = await run([writer('Write'), auditLogger('Trace', { operation: 'trace' })], [{ action, approval: await approve(store, action) }], { connections: [['Write', 'Trace', 0]] });
		const [written] = result.nodeOutput('Write', 0);
		expect(result.nodeOutput('Write', 1)).toEqual([]);
		expect(guardOf(written)).toMatchObject({ decision: 'written', reasons: [] });
		expect(writeOf(written).changes).toEqual([
			{ field: 'Status', before: 'Open - Not Contacted', after: 'Working - Contacted' },
			{ field: 'Rating', before: 'Cold', after: 'Hot' },
		]);
		expect(sf.get('Lead', id)).toMatchObject({ Status: 'Working - Contacted', Rating: 'Hot' });
		const [entry] = result.nodeOutput('Trace').filter((e) => e.event === 'write.applied');
		expect(entry).toMatchObject({
			subject: { system: 'salesforce', object: 'Lead', recordId: id },
			before: { Status: 'Open - Not Contacted', Rating: 'Cold' },
			after: { Status: 'Working - Contacted', Rating: 'Hot' },
			// The emulator is on this machine: a sandbox run, which the pre-deployment checklist looks for.
			details: { operation: 'update', confirmedBy: 'response', environment: 'sandbox' },
		});
		expect((entry.details as { marker: Record<string, string> }).marker.SystemModstamp).toBe(String(sf.get('Lead', id)?.SystemModstamp));
		expect(guardOf(written).audit?.seq).toBe(entry.seq);
		// Announced before it was sent: write.intended with the same record, before and after, closed by the outcome.
		const [intent] = result.nodeOutput('Trace').filter((e) => e.event === 'write.intended');
		expect(intent).toMatchObject({ subject: entry.subject, before: entry.before, after: entry.after, digest: entry.digest, details: { operation: 'update', environment: 'sandbox' } });
		expect(intent.seq).toBeLessThan(entry.seq as number);
		expect(entry.details).toMatchObject({ intent: intent.seq });
	});

	test('the same approval used a second time is refused as approval_reused and nothing reaches Salesforce', async () => {
		const id = leadId();
		const action = { system: 'salesforce', object: 'Lead', operation: 'update', recordId: id, fields: { Status: 'Qualified' } };
		const item = { action, approval: await approve(store, action) };
		await run([writer('Write')], [item]);
		sf.humanEdit('Lead', id, { Status: 'Unqualified' });
		const writesBefore = sf.requests.filter((r) => r.method === 'PATCH').length;
		const replay = await run([writer('Write')], [item]);
		expect(replay.nodeOutput('Write', 0)).toEqual([]);
		expect(guardOf(replay.nodeOutput('Write', 1)[0]).reasons[0]).toMatchObject({ code: 'approval_reused', message: expect.stringMatching(/already used \(applied/) });
		expect(sf.requests.filter((r) => r.method === 'PATCH').length).toBe(writesBefore);
		expect(sf.get('Lead', id)?.Status).toBe('Unqualified');
	});

	test('an action changed after approval is refused as approval_mismatch; one without approval as approval_missing', async () => {
		const id = leadId();
		const approved = { system: 'salesforce', object: 'Lead', operation: 'update', recordId: id, fields: { Status: 'Qualified' } };
		const tampered = { ...approved, fields: { Status: 'Qualified', Rating: 'Hot' } };
		const result = await run([writer('Write')], [{ action: tampered, approval: await approve(store, approved) }, { action: approved }]);
		expect(result.nodeOutput('Write', 1).map((i) => guardOf(i).reasons[0].code)).toEqual(['approval_mismatch', 'approval_missing']);
		expect(sf.get('Lead', id)).toMatchObject({ Status: 'Open - Not Contacted', Rating: 'Cold' });
		const refused = await store.query({ executionId: result.executionId, event: 'write.refused' });
		expect(refused.entries.map((e) => (e.details as { reasons: Array<{ code: string }> }).reasons[0].code)).toEqual(['approval_mismatch', 'approval_missing']);
	});

	test('a record changed since the approver saw it is refused as record_changed', async () => {
		const id = leadId();
		const action = { system: 'salesforce', object: 'Lead', operation: 'update', recordId: id, fields: { Status: 'Qualified' } };
		const before = { Status: 'Open - Not Contacted' };
		const approval = await approve(store, action, before);
		sf.humanEdit('Lead', id, { Status: 'Working - Contacted' });
		const result = await run([writer('Write')], [{ action, before, approval }]);
		expect(guardOf(result.nodeOutput('Write', 1)[0]).reasons[0]).toMatchObject({ code: 'record_changed', message: expect.stringContaining('Status') });
		expect(sf.get('Lead', id)?.Status).toBe('Working - Contacted');
	});

	test('the inline policy refuses a field the agent may not write, before any request to the system', async () => {
		const id = leadId();
		const action = { system: 'salesforce', object: 'Lead', operation: 'update', recordId: id, fields: { OwnerId: '005000000000001AAA' } };
		const requests = sf.requests.length;
		const result = await run([writer('Write', { policySource: 'sales' })], [{ action, approval: await approve(store, action) }]);
		expect(guardOf(result.nodeOutput('Write', 1)[0]).reasons[0]).toMatchObject({ code: 'field_not_writable', rule: expect.any(String) });
		expect(sf.requests.length).toBe(requests);
	});

	test('dry run shows what would change, writes nothing and leaves the approval for the real write', async () => {
		const id = leadId();
		const action = { system: 'salesforce', object: 'Lead', operation: 'update', recordId: id, fields: { Status: 'Qualified' } };
		const item = { action, approval: await approve(store, action) };
		const dry = await run([writer('Write', { dryRun: true })], [item]);
		const [preview] = dry.nodeOutput('Write', 0);
		expect(guardOf(preview).decision).toBe('dry_run');
		expect(writeOf(preview)).toMatchObject({ dryRun: true, changes: [{ field: 'Status', before: 'Open - Not Contacted', after: 'Qualified' }] });
		expect(sf.get('Lead', id)?.Status).toBe('Open - Not Contacted');
		const real = await run([writer('Write')], [item]);
		expect(guardOf(real.nodeOutput('Write', 0)[0]).decision).toBe('written');
		expect(sf.get('Lead', id)?.Status).toBe('Qualified');
	});

	test('an expired credential refuses the write with credential_expired and sends nothing; one expiring soon writes with a warning', async () => {
		const ticket = String((await zdFirstTicket()).id);
		const action = { system: 'zendesk', object: 'tickets', operation: 'update', recordId: ticket, fields: { priority: 'urgent' } };
		const approval = await approve(store, action);
		const requests = zd.requests.length;
		const expired = await runWorkflow({
			nodeTypes: guardNodeTypes,
			nodes: [writer('Write')],
			input: [{ action, approval }],
			credentials: { agentGuardApi, ...saasCredentials({ zendesk: { accessTokenExpiresAt: isoDay(-1) } }) } as never,
		});
		expect(guardOf(expired.nodeOutput('Write', 1)[0]).reasons[0]).toMatchObject({ code: 'credential_expired', message: expect.stringMatching(/^Zendesk credential: the token expired/) });
		expect(zd.requests.length).toBe(requests);
		const expiring = await runWorkflow({
			nodeTypes: guardNodeTypes,
			nodes: [writer('Write')],
			input: [{ action, approval }],
			credentials: { agentGuardApi, ...saasCredentials({ zendesk: { accessTokenExpiresAt: isoDay(5) } }) } as never,
		});
		const [written] = expiring.nodeOutput('Write', 0);
		expect(guardOf(written)).toMatchObject({ decision: 'written', reasons: [{ code: 'credential_expiring' }] });
	});

	test('a human edit between the before-image and the write is caught by the concurrency check: write_conflict, write.failed in the trail, nothing clobbered', async () => {
		const id = leadId();
		const action = { system: 'salesforce', object: 'Lead', operation: 'update', recordId: id, fields: { Status: 'Qualified' } };
		// The first GET is the before-image; the edit lands just before the next one (the conflict check before the PATCH).
		sf.beforeNext('GET', () => sf.beforeNext('GET', () => sf.humanEdit('Lead', id, { Status: 'Closed - Not Converted' })));
		const result = await run([writer('Write')], [{ action, approval: await approve(store, action) }]);
		expect(guardOf(result.nodeOutput('Write', 1)[0]).reasons[0].code).toBe('write_conflict');
		expect(sf.get('Lead', id)?.Status).toBe('Closed - Not Converted');
		const failed = await store.query({ executionId: result.executionId, event: 'write.failed' });
		expect(failed.entries[0].details).toMatchObject({ code: 'conflict', outcome: 'not_applied' });
	});

	test('Salesforce down (503): write.failed with system_unavailable, the approval is released because nothing was applied, and a retry writes', async () => {
		const id = leadId();
		const action = { system: 'salesforce', object: 'Lead', operation: 'update', recordId: id, fields: { Status: 'Qualified' } };
		const item = { action, approval: await approve(store, action) };
		sf.beforeNext('PATCH', () => sf.failNext(503, 'SERVER_UNAVAILABLE', 'down for maintenance'));
		const failed = await run([writer('Write')], [item]);
		expect(guardOf(failed.nodeOutput('Write', 1)[0]).reasons[0].code).toBe('system_unavailable');
		const retry = await run([writer('Write')], [item]);
		expect(guardOf(retry.nodeOutput('Write', 0)[0]).decision).toBe('written');
		expect(sf.get('Lead', id)?.Status).toBe('Qualified');
	});

	test('an expired Salesforce access token is refreshed through n8n and the write goes through once', async () => {
		const id = leadId();
		const action = { system: 'salesforce', object: 'Lead', operation: 'update', recordId: id, fields: { Rating: 'Warm' } };
		const approval = await approve(store, action);
		const credentials = saasCredentials();
		sf.expireToken();
		const refreshToken = sf.refreshToken;
		const result = await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [writer('Write')], input: [{ action, approval }], credentials: { agentGuardApi, ...credentials } as never });
		expect(guardOf(result.nodeOutput('Write', 0)[0]).decision).toBe('written');
		expect(sf.get('Lead', id)?.Rating).toBe('Warm');
		expect(sf.refreshToken).not.toBe(refreshToken); // rotated by the refresh n8n performed
		expect(sf.requests.filter((r) => r.method === 'PATCH' && r.status === 204)).toHaveLength(1);
	});

	test('creates and deletes on Zendesk and a QuickBooks update (SyncToken) are written and recorded', async () => {
		const ticket = String((await zdFirstTicket()).id);
		const invoiceId = qbInvoice;
		const create = { system: 'zendesk', object: 'tickets', operation: 'create', fields: { subject: 'Call back', comment: { body: 'Customer asked for a call' }, priority: 'normal' } };
		const del = { system: 'zendesk', object: 'tickets', operation: 'delete', recordId: ticket };
		const qbUpdate = { system: 'quickbooks', object: 'Invoice', operation: 'update', recordId: invoiceId, fields: { PrivateNote: 'Agent: reminder sent' } };
		const result = await run([writer('Write')], [
			{ action: create, approval: await approve(store, create) },
			{ action: del, approval: await approve(store, del) },
			{ action: qbUpdate, approval: await approve(store, qbUpdate) },
		]);
		expect(result.nodeOutput('Write', 1)).toEqual([]);
		const [created, deleted, updated] = result.nodeOutput('Write', 0).map(writeOf);
		expect(created.recordId).toMatch(/^\d+$/);
		expect(zd.isDeletedTicket(ticket)).toBe(true);
		expect(deleted.changes.length).toBeGreaterThan(3); // the whole ticket, kept for a restore
		expect(qb.get('Invoice', invoiceId)?.PrivateNote).toBe('Agent: reminder sent');
		expect(updated.marker?.SyncToken).toBe(String(qb.get('Invoice', invoiceId)?.SyncToken));
		const applied = await store.query({ executionId: result.executionId, event: 'write.applied' });
		expect(applied.entries.map((e) => [e.subject?.system, (e.details as { operation: string }).operation])).toEqual([
			['zendesk', 'create'],
			['zendesk', 'delete'],
			['quickbooks', 'update'],
		]);
	});

	test('bad input reaches no write: an unknown field, an unknown object and a record id of the wrong shape are refused with clear codes', async () => {
		const id = leadId();
		const actions = [
			{ system: 'salesforce', object: 'Lead', operation: 'update', recordId: id, fields: { NoSuchField__c: 'x' } },
			{ system: 'salesforce', object: 'NoSuchThing__c', operation: 'update', recordId: id, fields: { Name: 'x' } },
			{ system: 'salesforce', object: 'Lead', operation: 'update', recordId: 'lead-42', fields: { Status: 'x' } },
		];
		const result = await run([writer('Write', { requireApproval: false, checkPolicy: false })], actions.map((action) => ({ action })));
		expect(result.nodeOutput('Write', 1).map((i) => guardOf(i).reasons[0].code)).toEqual(['unknown_field', 'unknown_object', 'invalid_request']);
		expect(sf.requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
		const refused = await store.query({ executionId: result.executionId, event: 'write.refused' });
		expect(refused.entries).toHaveLength(3);
	});

	test('Zendesk rate-limiting the write (429) refuses it as rate_limited, sends it once (no blind retry) and releases the approval', async () => {
		const ticket = String((await zdFirstTicket()).id);
		const action = { system: 'zendesk', object: 'tickets', operation: 'update', recordId: ticket, fields: { priority: 'high' } };
		const item = { action, approval: await approve(store, action) };
		// The before-image read goes through; the write itself is throttled (the emulator logs a request before answering it).
		const requests = zd.requests.length;
		const original = zd.requests.push.bind(zd.requests);
		zd.requests.push = (...entries) => {
			if (entries.some((e) => e.method === 'PUT')) {
				zd.rateLimitNext(1, 30);
				zd.requests.push = original;
			}
			return original(...entries);
		};
		const limited = await run([writer('Write')], [item]);
		zd.requests.push = original;
		expect(guardOf(limited.nodeOutput('Write', 1)[0]).reasons[0].code).toBe('rate_limited');
		expect(zd.requests.slice(requests).filter((r) => r.method === 'PUT')).toHaveLength(1);
		const later = await run([writer('Write')], [item]);
		expect(guardOf(later.nodeOutput('Write', 0)[0]).decision).toBe('written');
	});

	test('an approved Zendesk reply (the write-only comment field) is posted with the priority; the before-image holds only what can be read', async () => {
		const ticket = String((await zdFirstTicket()).id);
		const comments = zd.commentsOf(ticket).length;
		const action = { system: 'zendesk', object: 'tickets', operation: 'update', recordId: ticket, fields: { priority: 'low', comment: { body: 'Thanks, we are on it.', public: true } } };
		const result = await run([writer('Write', { policySource: 'support' })], [{ action, approval: await approve(store, action) }]);
		expect(result.nodeOutput('Write', 1)).toEqual([]);
		expect(zd.commentsOf(ticket).slice(comments).map((c) => c.body)).toEqual(['Thanks, we are on it.']);
		const [entry] = (await store.query({ executionId: result.executionId, event: 'write.applied' })).entries;
		expect(Object.keys(entry.before as object)).toEqual(['priority']);
		expect(entry.after).toMatchObject({ priority: 'low', comment: { body: 'Thanks, we are on it.' } });
	});

	test('a malformed action is refused as malformed_action naming the field; a missing credential is an error naming it', async () => {
		const result = await run([writer('Write', { requireApproval: false })], [{ action: { system: 'salesforce', object: 'Lead', operation: 'update', fields: { Status: 'x' } } }]);
		expect(guardOf(result.nodeOutput('Write', 1)[0]).reasons[0]).toMatchObject({ code: 'malformed_action', message: expect.stringContaining('"action.recordId"') });
		const noCredential = await runWorkflow({
			nodeTypes: guardNodeTypes,
			nodes: [{ ...writer('Write', { requireApproval: false }), credentials: { agentGuardApi: { id: '1', name: 'Agent Guard' } } }],
			input: [{ action: { system: 'salesforce', object: 'Lead', operation: 'update', recordId: leadId(), fields: { Status: 'x' } } }],
			credentials: { agentGuardApi } as never,
		});
		expect(noCredential.error('Write')?.message).toMatch(/Item 0: the node has no Salesforce credential/);
	});
});

async function zdFirstTicket(): Promise<{ id: number }> {
	const res = await fetch(`${zdBase}/tickets.json`, { headers: { authorization: `Basic ${Buffer.from(`${zd.email}/token:${zd.apiToken}`).toString('base64')}` } });
	const body = (await res.json()) as { tickets: Array<{ id: number }> };
	return body.tickets[0];
}

describe('Guarded Write when the store dies between the write and its outcome', () => {
	test('the trail still holds write.intended for the record (what was about to change), the node stops loudly, the chain verifies after a restart, and Reverse Write flags the write as outcome unknown instead of guessing', async () => {
		sf.reset();
		sf.issueAccessToken();
		const redis = await PrivateRedis.create(tempDir('redis-intent'));
		await redis.start();
		try {
			const agentGuardApi = { backend: 'redis', host: '127.0.0.1', port: redis.port, database: 0, keyPrefix: 'ag:', signingSecret: TEST_SECRET, user: '', password: '', tls: false };
			const store = await storeOf(agentGuardApi);
			const id = leadId();
			const action = { system: 'salesforce', object: 'Lead', operation: 'update', recordId: id, fields: { Rating: 'Hot' } };
			const approval = await approve(store, action);
			// Redis goes away while Salesforce handles the PATCH (redis-cli returns once it has exited).
			sf.beforeNext('PATCH', () => {
				spawnSync('redis-cli', ['-p', String(redis.port), 'shutdown', 'nosave']);
			});
			const result = await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [writer('Write')], input: [{ action, approval }] as never, credentials: { agentGuardApi, ...saasCredentials() } as never });
			expect(result.error('Write')?.message).toMatch(/the update of Lead .* was applied but could not be recorded in the trail/);
			expect(sf.get('Lead', id)).toMatchObject({ Rating: 'Hot' });
			await closeAllStores();
			await redis.start();
			const after = await storeOf(agentGuardApi);
			const writes = (await after.query({ recordId: id, event: 'write.*' })).entries;
			expect(writes.map((e) => e.event)).toEqual(['write.intended']);
			expect(writes[0]).toMatchObject({ subject: { system: 'salesforce', object: 'Lead', recordId: id }, before: { Rating: 'Cold' }, after: { Rating: 'Hot' } });
			await expect(after.verify()).resolves.toMatchObject({ valid: true });
			// Incident response on that execution: Reverse Write cannot know whether the write happened, so it reverses
			// nothing and tells the person to check the record (Conflicts output).
			const reverse = await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [reverseWrite('Reverse', { agentId: 'sales-bot', selectBy: 'execution', executionId: result.executionId, preview: false, force: false })], credentials: { agentGuardApi, ...saasCredentials() } as never });
			expect(reverse.nodeOutput('Reverse', 0)).toEqual([]);
			const [unknown] = reverse.nodeOutput('Reverse', 1);
			expect(unknown).toMatchObject({ reverses: writes[0].seq, object: 'Lead', recordId: id, status: 'failed', guard: { reasons: [{ code: 'write_outcome_unknown' }] } });
			expect(String(unknown.message)).toContain('no outcome was recorded after it');
			expect(sf.get('Lead', id)).toMatchObject({ Rating: 'Hot' });
		} finally {
			await closeAllStores();
			await redis.stop();
		}
	}, 30_000);
});
