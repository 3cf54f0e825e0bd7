/**
 * The bundled templates (workflows/*.json) imported into the pinned real n8n 2.8.4 and run end to
 * end against the sandbox (Salesforce, Zendesk and QuickBooks emulators), each AI Agent replaced
 * by a Code node with fixed proposed actions (templateAgent.ts says what else a test copy
 * changes). One n8n for all templates. Needs `npm run build` first.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCliProcess } from '../helpers/processes';
import { Sandbox, startSandbox } from '../sandbox/sandbox';
import { attachSandboxCredentials, TemplateWorkflow } from '../sandbox/templates';
import { Inbox, whenWaiting } from './approvalFixtures';
import { N8nInstance, RunningN8n, WorkflowJson } from './harness';
import { testCopy } from './templateAgent';

jest.setTimeout(10 * 60_000);

const FOLDER = path.join(__dirname, '..', '..', 'workflows');
function template(prefix: string): TemplateWorkflow {
	const file = fs.readdirSync(FOLDER).find((f) => f.startsWith(prefix));
	if (!file) throw new Error(`no template ${prefix}-*.json`);
	return JSON.parse(fs.readFileSync(path.join(FOLDER, file), 'utf8')) as TemplateWorkflow;
}

/**
 * A small agent workflow that fails: Webhook → Spend Cap (agent `refund-bot`, which names its owner)
 * → a Code node that throws, as a model call that returns nothing would. Its settings name
 * template 7 as the error workflow.
 */
function failingAgentWorkflow(errorWorkflow: string): WorkflowJson {
	const workflow: TemplateWorkflow = {
		id: 'agTestFailingAg1',
		name: 'Refund agent (test)',
		nodes: [
			{ id: 'f1', name: 'Refund request', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: 'f1-refund', parameters: { httpMethod: 'POST', path: 'refund-agent', responseMode: 'onReceived', options: {} } },
			{
				id: 'f2',
				name: 'Spend Cap',
				type: 'n8n-nodes-agent-guard.spendCap',
				typeVersion: 1,
				position: [220, 0],
				parameters: { operation: 'checkAndReserve', agentId: 'refund-bot', caps: { cap: [{ unit: 'runs', maxAmount: 100, period: 'day', timeZone: 'UTC' }] }, estimateUsd: 0, estimateTokens: 0, writes: 0, options: { owner: 'refund-owner@acme.test' } },
			},
			{ id: 'f3', name: 'Refund model', type: 'n8n-nodes-base.code', typeVersion: 2, position: [440, 0], parameters: { jsCode: "throw new Error('The refund model returned no answer');" } },
		],
		connections: { 'Refund request': { main: [[{ node: 'Spend Cap', type: 'main', index: 0 }]] }, 'Spend Cap': { main: [[{ node: 'Refund model', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1', errorWorkflow },
	};
	return attachSandboxCredentials(workflow) as unknown as WorkflowJson;
}

interface Entry {
	seq: number;
	event: string;
	agentId: string;
	executionId?: string;
	workflowId?: string;
	node: string;
	subject?: { system?: string; object?: string; recordId?: string };
	details?: Record<string, unknown>;
}

describe('template workflows in real n8n 2.8.4 against the sandbox', () => {
	let sandbox: Sandbox;
	const inbox = new Inbox();
	let n8n: N8nInstance;
	let server: RunningN8n;

	const trail = async (...args: string[]): Promise<Entry[]> => {
		const out = await runCliProcess(['audit', 'query', '--json', '--limit', '1000', ...args], { ...process.env, N8N_USER_FOLDER: n8n.userFolder, AGENT_GUARD_REDIS_URL: '' });
		return out.stdout.trim() ? out.stdout.trim().split('\n').map((l) => JSON.parse(l) as Entry) : [];
	};
	/** What n8n's Send Email nodes sent, through the sandbox's own mailbox ("Sandbox Mail" credential). */
	const mail = () => sandbox.mail.messages();
	const hook = (p: string, body: Record<string, unknown> = {}) =>
		fetch(`${server.baseUrl}/webhook/${p}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
	const approve = async (n: number) => {
		const notice = await inbox.waitFor(() => inbox.notices[n], `approval notice #${n + 1}`);
		await whenWaiting(notice.link);
		const form = new URLSearchParams({ t: String(new URL(notice.link).searchParams.get('t')), decision: 'approve', comment: 'ok' });
		const res = await fetch(notice.link, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
		expect(res.status).toBe(200);
		return notice;
	};
	const waitForTrail = async (what: string, look: (entries: Entry[]) => boolean, ms = 90_000): Promise<Entry[]> => {
		const deadline = Date.now() + ms;
		for (;;) {
			const entries = await trail();
			if (look(entries)) return entries;
			if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; trail events: ${entries.map((e) => `${e.node}:${e.event}`).join(', ')}\n${server.log().slice(-4000)}`);
			await new Promise((r) => setTimeout(r, 1000));
		}
	};

	beforeAll(async () => {
		sandbox = await startSandbox({ ports: { salesforce: 0, zendesk: 0, quickbooks: 0, viewer: 0, mail: 0, model: 0 }, viewer: false });
		await inbox.start();
		n8n = await N8nInstance.create();
		await n8n.importCredentials(sandbox.credentials());
		const approvalInbox = `http://127.0.0.1:${inbox.port}/notify`;
		const leads = sandbox.ids.salesforce.newLeads;
		const invoices = sandbox.ids.quickbooks;
		const copies: WorkflowJson[] = [
			testCopy(template('01-'), {
				approvalInbox,
				webhookPath: 'template-01',
				settings: { salesforceUrl: sandbox.urls.salesforce },
				agentOutputs: {
					'AI Agent': [
						{ output: { system: 'salesforce', object: 'Lead', operation: 'update', recordId: leads[0], fields: { Status: 'Working - Contacted', Rating: 'Hot' }, reason: 'CTO asked for a demo' } },
						{ output: { system: 'salesforce', object: 'Lead', operation: 'update', recordId: leads[1] ?? leads[0], fields: { Email: 'attacker@evil.example' }, reason: 'injected' } },
					],
				},
			}),
			testCopy(template('02-'), {
				approvalInbox,
				webhookPath: 'template-02',
				settings: { zendeskApiUrl: sandbox.urls.zendesk },
				agentOutputs: {
					'AI Agent': [{ output: { ticketId: 5101, priority: 'urgent', tags: ['gripper', 'hardware'], replyDraft: 'Sorry about the gripper: a technician will call you today.', reason: 'Production robot down' } }],
				},
			}),
			testCopy(template('04-'), { approvalInbox }),
			testCopy(template('03-'), {
				approvalInbox,
				webhookPath: 'template-03',
				settings: { quickbooksCompanyUrl: `${sandbox.urls.quickbooks}${sandbox.quickbooks.realmId}` },
				agentOutputs: {
					'AI Agent': [
						{ output: { system: 'quickbooks', object: 'Invoice', operation: 'update', recordId: invoices.overdueInvoices[0], fields: { PrivateNote: 'Reminder sent: 14 days overdue' }, reason: 'Overdue' } },
						{ output: { system: 'quickbooks', object: 'Invoice', operation: 'delete', recordId: invoices.overdueInvoices[1], fields: {}, reason: 'Looks like a duplicate' } },
						{ output: { system: 'quickbooks', object: 'Invoice', operation: 'none', recordId: invoices.openInvoice, fields: {}, reason: 'Not due yet' } },
					],
				},
			}),
			testCopy(template('05-'), { webhookPath: 'template-05', settings: { digestTo: 'owners@acme.test' } }),
			testCopy(template('06-'), { approvalInbox, realAgent: true, settings: { zendeskApiUrl: sandbox.urls.zendesk } }),
		] as unknown as WorkflowJson[];
		const ids: string[] = [];
		for (const copy of copies) ids.push(await n8n.importWorkflow(copy));
		// Template 7 is an error workflow: it runs when a workflow that names it in its settings fails.
		// n8n 2 runs only the published version of an error workflow (and logs no "Activated" line for it).
		const alert = await n8n.importWorkflow(testCopy(template('07-')) as unknown as WorkflowJson);
		await n8n.publishWorkflow(alert);
		ids.push(await n8n.importWorkflow(failingAgentWorkflow(alert)));
		server = await n8n.start({ publish: ids });
	});

	afterAll(async () => {
		if (process.env.AG_E2E_DEBUG) {
			console.log(server?.log().slice(-6000));
			console.log((await trail().catch(() => [])).map((e) => `${e.seq} ${e.executionId} ${e.node}: ${e.event} ${JSON.stringify(e.details ?? {}).slice(0, 300)}`).join('\n'));
			console.log(JSON.stringify(sandbox.model.log.slice(-10)).slice(-20000));
			console.log(sandbox.mail.messages().map((m) => `${m.to}: ${m.subject}\n${m.text.slice(-600)}`).join('\n----\n'));
		}
		await server?.stop();
		await n8n?.cleanup();
		await Promise.all([inbox.close(), sandbox?.stop()]);
	});

	let triageExecution = '';

	test('02 Zendesk triage: tags, priority and the customer reply wait for one approval; the injection ticket is flagged and never reaches the agent', async () => {
		const before = sandbox.zendesk.record('ticket', 5101) as { priority: string; tags: string[] };
		expect(before.priority).toBe('high');
		expect((await hook('template-02')).status).toBe(200);
		// One approval request for the run, with both proposed changes of the ticket on it.
		const requested = await waitForTrail('the approval request', (e) => e.some((x) => x.event === 'approval.requested' && x.agentId === 'support-bot'));
		const request = requested.find((x) => x.event === 'approval.requested' && x.agentId === 'support-bot');
		expect(request?.details?.items).toHaveLength(2);
		expect((request?.details?.items as Array<{ recordId: string }>).every((it) => it.recordId === '5101')).toBe(true);
		// The run was within the daily budget.
		expect(requested.some((x) => x.event === 'spend.reserved' && x.agentId === 'support-bot')).toBe(true);
		// The injection ticket was flagged by the sanitizer and quarantined.
		const injection = String(sandbox.ids.zendesk.injectionTicket);
		expect(requested.some((x) => x.event === 'injection.flagged' && x.agentId === 'support-bot')).toBe(true);
		expect(requested.some((x) => x.event === 'ticket.quarantined' && x.subject?.recordId === injection)).toBe(true);
		// Nothing is written before the approval: not the triage, not the reply.
		const notice = await inbox.waitFor(() => inbox.notices[0], 'approval notice #1');
		await whenWaiting(notice.link);
		expect(requested.some((x) => x.event === 'write.applied' && x.subject?.recordId === '5101')).toBe(false);
		expect(sandbox.zendesk.record('ticket', 5101)).toMatchObject({ priority: 'high', tags: before.tags });
		expect(JSON.stringify(sandbox.zendesk.commentsOf(5101))).not.toContain('technician will call');
		// One page shows the triage and the reply together.
		const page = await (await fetch(notice.link)).text();
		expect(page).toContain('urgent');
		expect(page).toContain('technician will call');
		await approve(0);
		const done = await waitForTrail('the triage and the reply written', (e) => e.some((x) => x.event === 'ticket.triage_written') && e.some((x) => x.event === 'ticket.reply_written'));
		expect(done.some((x) => x.event === 'approval.decided' && x.details?.approvalId === notice.approvalId && x.details?.status === 'approved')).toBe(true);
		expect(done.some((x) => x.event === 'approval.checked' && x.details?.approved === true)).toBe(true);
		expect(done.some((x) => x.event === 'ticket.not_written')).toBe(false);
		expect(sandbox.zendesk.record('ticket', 5101)).toMatchObject({ priority: 'urgent', tags: ['gripper', 'hardware'] });
		// The reply is posted as a public comment on the ticket.
		expect(sandbox.zendesk.commentsOf(5101).at(-1)).toMatchObject({ body: 'Sorry about the gripper: a technician will call you today.', public: true });
		expect(done.some((x) => x.event === 'spend.settled' && x.agentId === 'support-bot')).toBe(true);
		triageExecution = String(done.find((x) => x.event === 'write.applied' && x.subject?.recordId === '5101')?.executionId);
	});

	test('04 incident response (form): suspends the agent, previews, and after approval reverses the triage write of template 02; the owner is told', async () => {
		expect(triageExecution).not.toBe('');
		const form = new FormData();
		form.append('field-0', 'support-bot');
		form.append('field-1', triageExecution);
		form.append('field-2', 'Triage agent escalated everything to urgent');
		form.append('field-3', 'ops@acme.test');
		const res = await fetch(`${server.baseUrl}/form/agent-guard-incident`, { method: 'POST', body: form });
		expect(res.status).toBe(200);
		await waitForTrail('the suspension', (e) => e.some((x) => x.event === 'agent.suspended' && x.agentId === 'support-bot'));
		await approve(1);
		await waitForTrail('the reversal', (e) => e.some((x) => x.event === 'write.reversed'));
		expect(sandbox.zendesk.record('ticket', 5101)).toMatchObject({ priority: 'high' });
		// A posted reply cannot be taken back: it stays on the ticket.
		expect(sandbox.zendesk.commentsOf(5101).at(-1)).toMatchObject({ body: 'Sorry about the gripper: a technician will call you today.' });
		await inbox.waitFor(() => (mail().some((m) => /reversed/.test(m.subject)) ? true : undefined), 'the e-mail after the reversal');
		expect(mail().some((m) => /was suspended/.test(m.subject))).toBe(true);
		const verify = await runCliProcess(['audit', 'verify'], { ...process.env, N8N_USER_FOLDER: n8n.userFolder, AGENT_GUARD_REDIS_URL: '' });
		expect(verify.code).toBe(0);
	});

	test('01 Salesforce leads: a lead is qualified after approval; an action outside the policy is denied; the write is counted', async () => {
		const lead = sandbox.ids.salesforce.newLeads[0];
		const n = inbox.notices.length;
		expect((await hook('template-01')).status).toBe(200);
		// Before the run waits for approval, the run's usage is charged (that branch sits above the main row).
		await inbox.waitFor(() => inbox.notices[n], 'the approval notice');
		const waiting = await waitForTrail('the usage of the run', (e) => e.some((x) => x.event === 'spend.settled' && x.agentId === 'lead-bot'));
		expect(waiting.some((x) => x.event === 'lead.qualified')).toBe(false);
		await approve(n);
		// n8n runs the Denied branch ("Audit: not written", below the main row) after the resumed main row: wait for both.
		const entries = await waitForTrail('the lead write and the denied action', (e) => e.some((x) => x.event === 'lead.qualified') && e.some((x) => x.event === 'lead.not_written'));
		expect(sandbox.salesforce.get('Lead', lead)).toMatchObject({ Status: 'Working - Contacted', Rating: 'Hot' });
		expect(entries.some((x) => x.event === 'lead.not_written')).toBe(true);
		expect(entries.some((x) => x.event === 'spend.settled' && x.agentId === 'lead-bot')).toBe(true);
		// The run was checked against the daily budget before the agent ran.
		expect(entries.some((x) => x.event === 'spend.reserved' && x.agentId === 'lead-bot' && x.node === 'Spend Cap: daily budget')).toBe(true);
	});

	test('03 QuickBooks invoices: a follow-up note is written after approval; a delete is refused by the policy; the write counts against the daily write cap', async () => {
		const [overdue, other] = sandbox.ids.quickbooks.overdueInvoices;
		const before = sandbox.quickbooks.get('Invoice', overdue) as { SyncToken: string; PrivateNote?: string };
		expect(before.PrivateNote ?? '').not.toContain('Reminder sent');
		const n = inbox.notices.length;
		expect((await hook('template-03')).status).toBe(200);
		await inbox.waitFor(() => inbox.notices[n], 'the approval notice');
		await waitForTrail('the usage of the run, charged before the wait', (e) => e.some((x) => x.event === 'spend.settled' && x.agentId === 'finance-bot'));
		// Only the update reaches the approver: the delete was stopped by Scope Guard before.
		const notice = await approve(n);
		const requested = (await trail()).find((x) => x.event === 'approval.requested' && x.details?.approvalId === notice.approvalId);
		expect(requested?.details?.items).toHaveLength(1);
		// As in 01, the refused delete is logged after the resumed main row: wait for both.
		const entries = await waitForTrail('the invoice write and the refused delete', (e) => e.some((x) => x.event === 'invoice.followed_up') && e.some((x) => x.event === 'invoice.not_written' && x.subject?.recordId === other));
		const after = sandbox.quickbooks.get('Invoice', overdue) as { SyncToken: string; PrivateNote?: string };
		expect(after.PrivateNote).toBe('Reminder sent: 14 days overdue');
		expect(Number(after.SyncToken)).toBeGreaterThan(Number(before.SyncToken));
		// The delete never reached QuickBooks, and the trail says why.
		expect(sandbox.quickbooks.get('Invoice', other)).toBeDefined();
		const refused = entries.find((x) => x.event === 'invoice.not_written' && x.subject?.recordId === other);
		expect(JSON.stringify(refused?.details)).toContain('operation_not_allowed');
		expect(entries.some((x) => x.event === 'invoice.not_written' && x.subject?.recordId === overdue)).toBe(false);
		// The read budget was checked before the agent, and the write was reserved against the write cap.
		expect(entries.some((x) => x.event === 'spend.reserved' && x.agentId === 'finance-bot' && x.node === 'Spend Cap: daily budget')).toBe(true);
		expect(entries.some((x) => x.event === 'spend.reserved' && x.agentId === 'finance-bot' && x.node === 'Spend Cap: write cap')).toBe(true);
		expect(entries.some((x) => x.event === 'write.applied' && x.agentId === 'finance-bot' && x.subject?.recordId === overdue)).toBe(true);
	});

	test('07 failure alert: when an agent workflow fails, its owner gets the error, the link to the execution and the trace', async () => {
		expect((await hook('refund-agent')).status).toBe(200);
		const alert = await inbox.waitFor(() => mail().find((m) => m.envelope.to.includes('refund-owner@acme.test')), 'the failure e-mail to the owner');
		expect(alert.subject).toBe('Agent refund-bot failed in "Refund agent (test)"');
		expect(alert.text).toContain('The workflow "Refund agent (test)" failed in node "Refund model"');
		expect(alert.text).toContain('The refund model returned no answer');
		expect(alert.text).toContain('Agent: refund-bot (active)');
		expect(alert.text).toContain('Agent Control → Suspend, or agent-guard agent suspend refund-bot');
		const reserved = (await trail()).find((x) => x.event === 'spend.reserved' && x.agentId === 'refund-bot');
		expect(reserved).toBeDefined();
		expect(alert.links.some((l) => l.endsWith(`/workflow/agTestFailingAg1/executions/${String(reserved?.executionId)}`))).toBe(true);
		expect(alert.text).toMatch(new RegExp(`#${String(reserved?.seq)} \\S+ Spend Cap: spend.reserved`));
	});

	test('06 agent tools with human review: the real AI Agent (sandbox model) asks to update a ticket, a person approves, Guarded Write writes it; a rejected call writes nothing', async () => {
		const chatHook = String(template('06-').nodes.find((n) => n.type === '@n8n/n8n-nodes-langchain.chatTrigger')?.webhookId);
		// The chat's HTTP answer does not carry the agent's reply once the run waited for a person, so
		// the reply is read where the agent got it: the sandbox model's last answer in that conversation.
		const chat = (chatInput: string): void => {
			void fetch(`${server.baseUrl}/webhook/${chatHook}/chat`, { method: 'POST', body: JSON.stringify({ action: 'sendMessage', sessionId: `s-${chatInput.length}`, chatInput }), headers: { 'content-type': 'application/json' } }).catch(() => undefined);
		};
		const turns = (chatInput: string) => sandbox.model.log.filter((l) => JSON.stringify(l.body.messages ?? l.body.input ?? '').includes(chatInput));
		const finalReply = (chatInput: string) => inbox.waitFor(() => turns(chatInput).find((l) => l.answer.content !== undefined)?.answer.content, `the agent's reply to "${chatInput}"`);
		// Template 4 suspended support-bot above; its owner resumes it after the incident.
		const resumed = await runCliProcess(['agent', 'resume', 'support-bot', '--reason', 'incident closed', '--by', 'support-lead@example.com'], { ...process.env, N8N_USER_FOLDER: n8n.userFolder, AGENT_GUARD_REDIS_URL: '' });
		expect(resumed.code).toBe(0);
		const firmware = 5103;
		expect(sandbox.zendesk.record('ticket', firmware)).toMatchObject({ priority: 'low', tags: ['firmware'] });

		// Approved: the agent read the ticket, its update waited for a person, then Guarded Write wrote it.
		let n = inbox.notices.length;
		const ask = `Please set ticket #${firmware} to high priority and tag it escalated.`;
		chat(ask);
		const notice = await inbox.waitFor(() => inbox.notices[n], 'the human-review notice');
		expect(sandbox.zendesk.record('ticket', firmware)).toMatchObject({ priority: 'low' });
		await approve(n);
		expect(await finalReply(ask)).toMatch(/priority: low → high/);
		// One reviewed call: the tool ran after the approval instead of the agent asking again.
		expect(turns(ask).filter((l) => l.answer.toolCall?.name === 'Update_ticket')).toHaveLength(1);
		expect(inbox.notices).toHaveLength(n + 1);
		expect(sandbox.zendesk.record('ticket', firmware)).toMatchObject({ priority: 'high', tags: ['firmware', 'escalated'] });
		const entries = await waitForTrail('the reviewed write', (e) => e.some((x) => x.event === 'write.applied' && x.subject?.recordId === String(firmware)));
		expect(entries.some((x) => x.event === 'approval.decided' && x.details?.approvalId === notice.approvalId && x.details?.status === 'approved')).toBe(true);
		expect(entries.some((x) => x.event === 'spend.reserved' && x.agentId === 'support-bot' && x.node === 'Spend Cap')).toBe(true);

		// Rejected: nothing is written and the agent says so.
		const training = 5105;
		const statusBefore = (sandbox.zendesk.record('ticket', training) as { status: string }).status;
		n = inbox.notices.length;
		const close = `Please close ticket #${training}.`;
		chat(close);
		const rejectNotice = await inbox.waitFor(() => inbox.notices[n], 'the second human-review notice');
		await whenWaiting(rejectNotice.link);
		const form = new URLSearchParams({ t: String(new URL(rejectNotice.link).searchParams.get('t')), decision: 'reject', comment: 'not yet' });
		expect((await fetch(rejectNotice.link, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(200);
		expect(await finalReply(close)).toMatch(/did not approve/);
		expect((sandbox.zendesk.record('ticket', training) as { status: string }).status).toBe(statusBefore);
		expect((await trail()).some((x) => x.event === 'write.applied' && x.subject?.recordId === String(training))).toBe(false);
	});

	// Last: it takes the sandbox's Zendesk token away.
	test('05 daily hygiene: the digest reports each credential check, stale agents and the chain check; a Zendesk token the system refuses needs attention', async () => {
		sandbox.zendesk.expireToken();
		expect((await hook('template-05')).status).toBe(200);
		const digest = await inbox.waitFor(() => mail().find((m) => m.envelope.to.includes('owners@acme.test')), 'the digest');
		expect(digest.subject).toBe('Agent Guard: 1 thing(s) need attention');
		expect(digest.text).toMatch(/^OK +salesforce: /m);
		expect(digest.text).toMatch(/^OK +quickbooks: /m);
		expect(digest.text).toMatch(/^ATTENTION zendesk: /m);
		expect(digest.text).toMatch(/^TRAIL +/m);
		expect(digest.text).toMatch(/^HEAD +agh1\.\d+\.[0-9a-f]{64}\.\d+\.[0-9a-f]{64}/m);
		expect(digest.text).not.toMatch(/^(STALE|BROKEN)/m);
		const entries = await trail();
		expect(entries.filter((x) => x.event === 'credential.checked' && x.node.startsWith('Credential Check:')).map((x) => x.node).sort()).toEqual(['Credential Check: QuickBooks', 'Credential Check: Salesforce']);
		expect(entries.some((x) => x.event === 'credential.rejected' && x.node === 'Credential Check: Zendesk')).toBe(true);
	});
});
