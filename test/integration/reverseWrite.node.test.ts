/**
 * Reverse Write inside real n8n executions (in-process n8n-core), against the Salesforce,
 * Zendesk and QuickBooks emulators, with the embedded journal and a real Redis: the agent's
 * writes are made by Guarded Write in one execution, then undone by execution id.
 */
import { AuditEntry } from '../../lib/audit/entry';
import { closeAllStores, openStore } from '../../lib/store/open';
import { GuardStore } from '../../lib/store/types';
import { QuickBooksEmulator } from '../emulators/quickbooks';
import { SalesforceEmulator } from '../emulators/salesforce';
import { ZendeskEmulator } from '../emulators/zendesk';
import { embeddedCredential, guardNodeTypes, guardedWrite, redisCredential, reverseWrite } from '../helpers/guardNodes';
import { runWorkflow } from '../helpers/n8nInProcess';
import { tempDir } from '../helpers/stores';
import { storeConfigFrom } from '../../nodes/shared/runtime';

jest.setTimeout(60_000);

const sf = new SalesforceEmulator();
const zd = new ZendeskEmulator();
const qb = new QuickBooksEmulator();

beforeAll(async () => {
	await Promise.all([sf.start(), zd.start(), qb.start()]);
	qb.seed();
});
afterAll(async () => {
	await Promise.all([sf.stop(), zd.stop(), qb.stop()]);
	await closeAllStores();
});

type Item = Record<string, unknown> & { status: string; reverses: number; guard: { decision: string; reasons: Array<{ code: string; message: string }>; audit?: { seq: number } } };

function saasCredentials(): Record<string, Record<string, unknown>> {
	return {
		agentGuardSalesforceOAuth2Api: { oauthTokenData: { access_token: sf.accessToken, instance_url: sf.baseUrl } },
		agentGuardZendeskApi: { subdomain: '', baseUrlOverride: zd.baseUrl, email: zd.email, apiToken: zd.apiToken },
		agentGuardQuickBooksOAuth2Api: { realmId: qb.realmId, baseUrlOverride: qb.baseUrl, oauthTokenData: { access_token: qb.token } },
	};
}

const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);
/** Requests that change something, across the three emulators (QuickBooks reads are GETs; its writes POSTs). */
function writeRequests(): number {
	const sfWrites = sf.requests.filter((r) => WRITE_METHODS.has(r.method) && !r.path.includes('/oauth2/')).length;
	const zdWrites = zd.requests.filter((r) => WRITE_METHODS.has(r.method)).length;
	const qbWrites = qb.requests.filter((r) => r.method === 'POST').length;
	return sfWrites + zdWrites + qbWrites;
}

describe.each([
	['embedded', () => embeddedCredential(tempDir())],
	['redis', () => redisCredential()],
])('Reverse Write (%s store)', (_name, makeCredential) => {
	let agentGuardApi: Record<string, unknown>;
	let store: GuardStore;
	let executions = 0;

	beforeEach(async () => {
		agentGuardApi = makeCredential();
		// The very store the nodes open from this credential.
		store = await openStore(storeConfigFrom(agentGuardApi as never));
	});

	const credentials = () => ({ agentGuardApi: agentGuardApi as never, ...(saasCredentials() as Record<string, never>) });

	/** The agent's writes, through Guarded Write, in one execution; returns its id. */
	async function agentWrites(actions: Array<Record<string, unknown>>, agentId = 'ops-bot'): Promise<{ executionId: string; written: Array<Record<string, unknown>> }> {
		const executionId = `agent-run-${process.pid}-${++executions}-${Date.now()}`;
		const run = await runWorkflow({
			nodeTypes: guardNodeTypes,
			nodes: [guardedWrite('Write', { agentId, requireApproval: false, dryRun: false, checkPolicy: false })],
			credentials: credentials(),
			input: actions.map((action) => ({ action })),
			executionId,
		});
		const written = run.nodeOutput('Write', 0);
		expect(run.nodeOutput('Write', 1)).toEqual([]);
		expect(written).toHaveLength(actions.length);
		return { executionId, written: written.map((w) => w.write as Record<string, unknown>) };
	}

	async function reverse(parameters: Record<string, unknown>, extra: { executionId?: string } = {}) {
		const run = await runWorkflow({
			nodeTypes: guardNodeTypes,
			nodes: [reverseWrite('Reverse', { agentId: 'ops-bot', selectBy: 'execution', preview: false, force: false, ...parameters })],
			credentials: credentials(),
			executionId: extra.executionId ?? `reverse-${++executions}-${Date.now()}`,
		});
		const error = run.error('Reverse');
		if (error) return { error, reversed: [] as Item[], conflicts: [] as Item[] };
		return { error, reversed: run.nodeOutput('Reverse', 0) as Item[], conflicts: run.nodeOutput('Reverse', 1) as Item[] };
	}

	async function trailEvents(event: string): Promise<AuditEntry[]> {
		return (await store.query({ event, limit: 1000 })).entries;
	}

	test('reverses an execution’s update, create and delete on Salesforce, Zendesk and QuickBooks, newest first, each recorded as write.reversed', async () => {
		const [leadId, caseId] = [...sf.seed({ Lead: [{ LastName: 'Raman', Company: 'Tailspin', Status: 'Open - Not Contacted', Rating: 'Cold' }] }).Lead, ...sf.seed({ Case: [{ Subject: 'Printer on fire', Status: 'New' }] }).Case];
		const invoiceId = qb.seed({ Invoice: [{ CustomerRef: { value: '1' }, Line: [{ Amount: 100, DetailType: 'SalesItemLineDetail', SalesItemLineDetail: { ItemRef: { value: '6' } } }], PrivateNote: 'original note' }] }).Invoice[0];
		const { executionId, written } = await agentWrites([
			{ system: 'salesforce', object: 'Lead', operation: 'update', recordId: leadId, fields: { Status: 'Closed - Converted', Rating: 'Hot' } },
			{ system: 'salesforce', object: 'Lead', operation: 'create', fields: { LastName: 'Spam', Company: 'Bots Inc' } },
			{ system: 'salesforce', object: 'Case', operation: 'delete', recordId: caseId, fields: {} },
			{ system: 'zendesk', object: 'ticket', operation: 'update', recordId: '4201', fields: { status: 'solved', priority: 'low' } },
			{ system: 'zendesk', object: 'ticket', operation: 'create', fields: { subject: 'Refund approved', comment: { body: 'Refunded in full' } } },
			{ system: 'zendesk', object: 'ticket', operation: 'delete', recordId: '4202', fields: {} },
			{ system: 'quickbooks', object: 'Invoice', operation: 'update', recordId: invoiceId, fields: { PrivateNote: 'written off by the agent' } },
		]);
		const createdLead = String(written[1].recordId);
		const createdTicket = String(written[4].recordId);
		expect(sf.get('Lead', leadId)).toMatchObject({ Status: 'Closed - Converted', Rating: 'Hot' });
		expect(sf.isDeleted(caseId)).toBe(true);
		expect(zd.isDeletedTicket('4202')).toBe(true);

		const { error, reversed, conflicts } = await reverse({ executionId });
		expect(error).toBeUndefined();
		expect(conflicts).toEqual([]);
		expect(reversed.map((i) => i.status)).toEqual(Array(7).fill('reversed'));
		const seqs = reversed.map((i) => i.reverses);
		expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
		expect(reversed.map((i) => i.kind)).toEqual(['restore_fields', 'undelete', 'delete', 'restore_fields', 'undelete', 'delete', 'restore_fields']);

		expect(sf.get('Lead', leadId)).toMatchObject({ Status: 'Open - Not Contacted', Rating: 'Cold' });
		expect(sf.isDeleted(createdLead)).toBe(true);
		expect(sf.isDeleted(caseId)).toBe(false);
		expect(zd.record('ticket', '4201')).toMatchObject({ status: 'open', priority: 'high' });
		expect(zd.record('ticket', createdTicket)).toBeUndefined();
		expect(zd.isDeletedTicket('4202')).toBe(false);
		expect(qb.get('Invoice', invoiceId)?.PrivateNote).toBe('original note');

		const first = reversed.find((i) => i.system === 'salesforce' && i.kind === 'restore_fields') as Item;
		expect(first.restored).toEqual({ Status: 'Open - Not Contacted', Rating: 'Cold' });
		expect(first.changes).toEqual(
			expect.arrayContaining([
				{ field: 'Status', from: 'Closed - Converted', to: 'Open - Not Contacted' },
				{ field: 'Rating', from: 'Hot', to: 'Cold' },
			]),
		);
		expect(first.guard).toMatchObject({ decision: 'reversed', reasons: [{ code: 'reversed' }], audit: { seq: expect.any(Number) } });

		const trail = await trailEvents('write.reversed');
		expect(trail.map((e) => e.details?.reverses).sort()).toEqual([...seqs].sort());
		const lead = trail.find((e) => e.subject?.recordId === leadId) as AuditEntry;
		expect(lead).toMatchObject({ agentId: 'ops-bot', before: { Status: 'Closed - Converted', Rating: 'Hot' }, after: { Status: 'Open - Not Contacted', Rating: 'Cold' }, details: { kind: 'restore_fields' } });
		expect(lead.executionId).not.toBe(executionId);
	});

	test('a field a person changed after the agent is left alone and goes to Conflicts, the others are restored; Force then restores it too', async () => {
		const [leadId] = sf.seed({ Lead: [{ LastName: 'Okafor', Company: 'Litware', Status: 'Open - Not Contacted', Rating: 'Warm', Industry: 'Retail' }] }).Lead;
		const { executionId } = await agentWrites([{ system: 'salesforce', object: 'Lead', operation: 'update', recordId: leadId, fields: { Status: 'Closed - Not Converted', Rating: 'Cold', Industry: 'Banking' } }]);
		sf.humanEdit('Lead', leadId, { Rating: 'Hot' });

		const { reversed, conflicts } = await reverse({ executionId });
		expect(reversed).toEqual([]);
		expect(conflicts).toHaveLength(1);
		expect(conflicts[0]).toMatchObject({ status: 'conflict', kind: 'restore_fields', restored: { Status: 'Open - Not Contacted', Industry: 'Retail' }, conflicts: [{ field: 'Rating', wrote: 'Cold', now: 'Hot' }] });
		expect(conflicts[0].guard.reasons[0].code).toBe('reversal_conflict');
		expect(sf.get('Lead', leadId)).toMatchObject({ Status: 'Open - Not Contacted', Industry: 'Retail', Rating: 'Hot' });

		const forced = await reverse({ executionId, force: true });
		expect(forced.conflicts).toEqual([]);
		expect(forced.reversed[0]).toMatchObject({ status: 'reversed', forced: true, restored: { Rating: 'Warm' } });
		expect(forced.reversed[0].guard.reasons[0].code).toBe('reversal_forced');
		expect(sf.get('Lead', leadId)).toMatchObject({ Status: 'Open - Not Contacted', Industry: 'Retail', Rating: 'Warm' });
	});

	test('a record the agent created is not deleted when a person has since edited any field of it, even one the agent never wrote; Force deletes it', async () => {
		const { executionId, written } = await agentWrites([{ system: 'salesforce', object: 'Lead', operation: 'create', fields: { LastName: 'Ito', Company: 'Fabrikam' } }]);
		const leadId = String(written[0].recordId);
		sf.humanEdit('Lead', leadId, { Phone: '+1 555 0100' });

		const { reversed, conflicts } = await reverse({ executionId });
		expect(reversed).toEqual([]);
		expect(conflicts[0]).toMatchObject({ status: 'conflict', kind: 'nothing_to_do', conflicts: [{ field: 'LastModifiedDate' }] });
		expect(sf.get('Lead', leadId)).toMatchObject({ LastName: 'Ito', Phone: '+1 555 0100' });

		const forced = await reverse({ executionId, force: true });
		expect(forced.reversed[0]).toMatchObject({ status: 'reversed', kind: 'delete', forced: true });
		expect(sf.isDeleted(leadId)).toBe(true);
	});

	test('a re-run writes nothing and reports every entry as already reversed', async () => {
		const [leadId] = sf.seed({ Lead: [{ LastName: 'Nguyen', Company: 'Adventure Works', Status: 'Open - Not Contacted' }] }).Lead;
		const { executionId } = await agentWrites([
			{ system: 'salesforce', object: 'Lead', operation: 'update', recordId: leadId, fields: { Status: 'Working - Contacted' } },
			{ system: 'zendesk', object: 'ticket', operation: 'update', recordId: '4203', fields: { priority: 'urgent' } },
		]);
		expect((await reverse({ executionId })).reversed.map((i) => i.status)).toEqual(['reversed', 'reversed']);
		const writesBefore = writeRequests();
		const again = await reverse({ executionId });
		expect(again.reversed.map((i) => i.status)).toEqual(['already_reversed', 'already_reversed']);
		expect(again.reversed[0].message).toMatch(/already reversed by entry \d+/);
		expect(writeRequests()).toBe(writesBefore);
	});

	test('after a partial failure (the system is down for one write) a re-run completes the rest', async () => {
		const [a, b] = sf.seed({ Lead: [{ LastName: 'A', Company: 'A Co', Status: 'Open - Not Contacted' }, { LastName: 'B', Company: 'B Co', Status: 'Open - Not Contacted' }] }).Lead;
		const { executionId } = await agentWrites([
			{ system: 'salesforce', object: 'Lead', operation: 'update', recordId: a, fields: { Status: 'Working - Contacted' } },
			{ system: 'salesforce', object: 'Lead', operation: 'update', recordId: b, fields: { Status: 'Working - Contacted' } },
		]);
		// The first restore (newest write: lead b) meets an outage.
		sf.beforeNext('PATCH', () => sf.failNext(503, 'SERVER_UNAVAILABLE', 'Salesforce is down for maintenance'));
		const first = await reverse({ executionId });
		expect(first.conflicts).toHaveLength(1);
		expect(first.conflicts[0]).toMatchObject({ status: 'failed', recordId: b });
		expect(first.conflicts[0].message).toMatch(/run again/);
		expect(first.reversed.map((i) => [i.recordId, i.status])).toEqual([[a, 'reversed']]);
		expect(sf.get('Lead', b)?.Status).toBe('Working - Contacted');
		expect((await trailEvents('write.reversal_failed')).some((e) => e.subject?.recordId === b)).toBe(true);

		const second = await reverse({ executionId });
		expect(second.conflicts).toEqual([]);
		expect(second.reversed.map((i) => [i.recordId, i.status])).toEqual([
			[b, 'reversed'],
			[a, 'already_reversed'],
		]);
		expect(sf.get('Lead', b)?.Status).toBe('Open - Not Contacted');
	});

	test('Preview writes nothing, shows each field from → to, and records the plan in one batch', async () => {
		const [leadId] = sf.seed({ Lead: [{ LastName: 'Preview', Company: 'P Co', Status: 'Open - Not Contacted' }] }).Lead;
		const { executionId } = await agentWrites([
			{ system: 'salesforce', object: 'Lead', operation: 'update', recordId: leadId, fields: { Status: 'Working - Contacted' } },
			{ system: 'zendesk', object: 'ticket', operation: 'update', recordId: '4201', fields: { type: 'task' } },
		]);
		const writesBefore = writeRequests();
		const { reversed, conflicts } = await reverse({ executionId, preview: true });
		expect(conflicts).toEqual([]);
		expect(reversed.map((i) => i.status)).toEqual(['previewed', 'previewed']);
		expect(reversed[1]).toMatchObject({ system: 'salesforce', changes: [{ field: 'Status', from: 'Working - Contacted', to: 'Open - Not Contacted' }] });
		expect(writeRequests()).toBe(writesBefore);
		expect(sf.get('Lead', leadId)?.Status).toBe('Working - Contacted');
		const previewed = (await trailEvents('write.reversal_previewed')).filter((e) => reversed.some((i) => i.reverses === e.details?.reverses));
		expect(previewed).toHaveLength(2);
		expect(previewed[1].seq).toBe(previewed[0].seq + 1);
		// A preview is not a reversal: the real run still does it.
		expect((await reverse({ executionId })).reversed.map((i) => i.status)).toEqual(['reversed', 'reversed']);
	});

	test('a QuickBooks invoice the agent deleted is re-created, and the new id is reported and remembered', async () => {
		const invoiceId = qb.seed({ Invoice: [{ CustomerRef: { value: '2' }, Line: [{ Amount: 42.5, DetailType: 'SalesItemLineDetail', SalesItemLineDetail: { ItemRef: { value: '6' } } }], PrivateNote: 'keep me' }] }).Invoice[0];
		const { executionId } = await agentWrites([{ system: 'quickbooks', object: 'Invoice', operation: 'delete', recordId: invoiceId, fields: {} }]);
		expect(qb.isDeleted('Invoice', invoiceId)).toBe(true);
		const { reversed } = await reverse({ executionId });
		expect(reversed).toHaveLength(1);
		const item = reversed[0];
		expect(item).toMatchObject({ status: 'reversed', kind: 'undelete', recordId: invoiceId, newRecordId: expect.any(String) });
		expect(item.newRecordId).not.toBe(invoiceId);
		expect(item.message).toMatch(/re-created as \d+/);
		expect(qb.get('Invoice', String(item.newRecordId))).toMatchObject({ PrivateNote: 'keep me', TotalAmt: 42.5 });
		const again = await reverse({ executionId });
		expect(again.reversed[0]).toMatchObject({ status: 'already_reversed', newRecordId: item.newRecordId });
	});

	test('a person editing the record between our read and our write makes Salesforce refuse: a conflict, their edit stays', async () => {
		const [leadId] = sf.seed({ Lead: [{ LastName: 'Race', Company: 'R Co', Status: 'Open - Not Contacted', Phone: '555-0100' }] }).Lead;
		const { executionId } = await agentWrites([{ system: 'salesforce', object: 'Lead', operation: 'update', recordId: leadId, fields: { Status: 'Working - Contacted' } }]);
		// If-Unmodified-Since has whole seconds: let the agent's second pass so the human's edit is visible to it.
		await new Promise((resolve) => setTimeout(resolve, 1005 - (Date.now() % 1000)));
		sf.beforeNext('PATCH', () => sf.humanEdit('Lead', leadId, { Status: 'Closed - Converted' }));
		const { reversed, conflicts } = await reverse({ executionId });
		expect(reversed).toEqual([]);
		expect(conflicts[0]).toMatchObject({ status: 'conflict', restored: {} });
		expect(conflicts[0].message).toMatch(/changed between our read and our write/);
		expect(sf.get('Lead', leadId)?.Status).toBe('Closed - Converted');
		expect((await trailEvents('write.reversal_skipped')).some((e) => e.subject?.recordId === leadId && e.details?.raced === true)).toBe(true);
	});
});

describe('Reverse Write: bad input and credentials', () => {
	const agentGuardApi = embeddedCredential(tempDir());
	const credentials = (saas = saasCredentials()) => ({ agentGuardApi: agentGuardApi as never, ...(saas as Record<string, never>) });
	const run = (parameters: Record<string, unknown>, saas?: Record<string, Record<string, unknown>>) =>
		runWorkflow({ nodeTypes: guardNodeTypes, nodes: [reverseWrite('Reverse', { agentId: 'ops-bot', selectBy: 'execution', preview: false, ...parameters })], credentials: credentials(saas) });

	test('an execution with no writes is not an error: one item says there is nothing to reverse', async () => {
		const result = await run({ executionId: 'no-such-execution' });
		expect(result.error('Reverse')).toBeUndefined();
		expect(result.nodeOutput('Reverse', 0)).toEqual([expect.objectContaining({ status: 'nothing_to_do', message: expect.stringMatching(/nothing to reverse: execution no-such-execution has no applied writes/) })]);
	});

	test.each([
		['malformed entry numbers', { selectBy: 'entries', entries: '12, twelve' }, /Parameter "entries".*twelve/],
		['a window that ends before it starts', { selectBy: 'agent', since: '2026-02-01T00:00:00Z', until: '2026-01-01T00:00:00Z' }, /Parameter "until".*before "since"/],
		['a start that is not a date', { selectBy: 'agent', since: 'last tuesday' }, /Parameter "since".*not a date/],
		['an entry that is not a write', { selectBy: 'entries', entries: '999999' }, /Parameter "entries".*entry 999999 is not in the trail/],
	])('%s is an error naming the field', async (_what, parameters, message) => {
		const result = await run(parameters);
		expect(result.error('Reverse')?.message).toMatch(message);
	});

	test('an expired credential stops the run before anything is reversed (a reversal is a write)', async () => {
		const [leadId] = sf.seed({ Lead: [{ LastName: 'Exp', Company: 'E Co', Status: 'Open - Not Contacted' }] }).Lead;
		const executionId = `expired-${Date.now()}`;
		const write = await runWorkflow({
			nodeTypes: guardNodeTypes,
			nodes: [guardedWrite('Write', { agentId: 'ops-bot', requireApproval: false, checkPolicy: false })],
			credentials: credentials(),
			input: [{ action: { system: 'salesforce', object: 'Lead', operation: 'update', recordId: leadId, fields: { Status: 'Working - Contacted' } } }],
			executionId,
		});
		expect(write.nodeOutput('Write', 0)).toHaveLength(1);
		const saas = saasCredentials();
		saas.agentGuardSalesforceOAuth2Api = { ...saas.agentGuardSalesforceOAuth2Api, accessTokenExpiresAt: '2020-01-01' };
		const result = await run({ executionId }, saas);
		expect(result.error('Reverse')?.message).toMatch(/Salesforce credential \(agentGuardSalesforceOAuth2Api\) has expired/);
		expect(result.error('Reverse')?.description).toMatch(/Reconnect or replace/);
		expect(sf.get('Lead', leadId)?.Status).toBe('Working - Contacted');
	});
});
