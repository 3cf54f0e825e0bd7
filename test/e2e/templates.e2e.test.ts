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
import { TemplateWorkflow } from '../sandbox/templates';
import { Inbox, whenWaiting } from './approvalFixtures';
import { N8nInstance, RunningN8n, WorkflowJson } from './harness';
import { Mailbox, QueryShim, testCopy } from './templateAgent';

jest.setTimeout(10 * 60_000);

const FOLDER = path.join(__dirname, '..', '..', 'workflows');
function template(prefix: string): TemplateWorkflow {
	const file = fs.readdirSync(FOLDER).find((f) => f.startsWith(prefix));
	if (!file) throw new Error(`no template ${prefix}-*.json`);
	return JSON.parse(fs.readFileSync(path.join(FOLDER, file), 'utf8')) as TemplateWorkflow;
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
	const mailbox = new Mailbox();
	let shim: QueryShim;
	let n8n: N8nInstance;
	let server: RunningN8n;

	const trail = async (...args: string[]): Promise<Entry[]> => {
		const out = await runCliProcess(['audit', 'query', '--json', '--limit', '1000', ...args], { ...process.env, N8N_USER_FOLDER: n8n.userFolder, AGENT_GUARD_REDIS_URL: '' });
		return out.stdout.trim() ? out.stdout.trim().split('\n').map((l) => JSON.parse(l) as Entry) : [];
	};
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
		sandbox = await startSandbox({ ports: { salesforce: 0, zendesk: 0, quickbooks: 0, viewer: 0 }, viewer: false });
		shim = new QueryShim(sandbox);
		await Promise.all([inbox.start(), mailbox.start(), shim.start()]);
		n8n = await N8nInstance.create();
		await n8n.importCredentials([...sandbox.credentials(), mailbox.credential()]);
		const approvalInbox = `http://127.0.0.1:${inbox.port}/notify`;
		const leads = sandbox.ids.salesforce.newLeads;
		const copies: WorkflowJson[] = [
			testCopy(template('01-'), {
				approvalInbox,
				webhookPath: 'template-01',
				settings: { salesforceUrl: shim.url },
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
		] as unknown as WorkflowJson[];
		const ids: string[] = [];
		for (const copy of copies) ids.push(await n8n.importWorkflow(copy));
		server = await n8n.start({ publish: ids });
	});

	afterAll(async () => {
		if (process.env.AG_E2E_DEBUG) {
			console.log(server?.log().slice(-6000));
			console.log((await trail().catch(() => [])).map((e) => `${e.seq} ${e.executionId} ${e.node}: ${e.event} ${JSON.stringify(e.details ?? {}).slice(0, 300)}`).join('\n'));
			console.log(mailbox.messages.map((m) => m.raw.slice(-600)).join('\n----\n'));
		}
		await server?.stop();
		await n8n?.cleanup();
		await Promise.all([inbox.close(), mailbox.stop(), shim?.stop(), sandbox?.stop()]);
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
		await inbox.waitFor(() => (mailbox.messages.some((m) => /reversed/.test(m.raw)) ? true : undefined), 'the e-mail after the reversal');
		expect(mailbox.messages.some((m) => /was suspended/.test(m.raw))).toBe(true);
		const verify = await runCliProcess(['audit', 'verify'], { ...process.env, N8N_USER_FOLDER: n8n.userFolder, AGENT_GUARD_REDIS_URL: '' });
		expect(verify.code).toBe(0);
	});

	test('01 Salesforce leads: a lead is qualified after approval; an action outside the policy is denied; the write is counted', async () => {
		const lead = sandbox.ids.salesforce.newLeads[0];
		expect((await hook('template-01')).status).toBe(200);
		const n = inbox.notices.length;
		await approve(n);
		const entries = await waitForTrail('the lead write', (e) => e.some((x) => x.event === 'lead.qualified'));
		expect(sandbox.salesforce.get('Lead', lead)).toMatchObject({ Status: 'Working - Contacted', Rating: 'Hot' });
		expect(entries.some((x) => x.event === 'lead.not_written')).toBe(true);
		expect(entries.some((x) => x.event === 'spend.settled' && x.agentId === 'lead-bot')).toBe(true);
		// The run was checked against the daily budget before the agent ran.
		expect(entries.some((x) => x.event === 'spend.reserved' && x.agentId === 'lead-bot' && x.node === 'Spend Cap: daily budget')).toBe(true);
	});
});
