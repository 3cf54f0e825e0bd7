/**
 * The sandbox (test/sandbox): the three emulators seeded with Acme Robotics, read through the real
 * adapters (jsforce, node-zendesk, node-quickbooks) with nothing but the sandbox credentials' data,
 * the injection ticket, the mailbox (nodemailer in, /mail.json and the Inbox out), the model (plain
 * OpenAI-style requests), ports from the environment, templates connected to the sandbox credentials,
 * and a stop that frees every port.
 */
import * as net from 'node:net';
import nodemailer from 'nodemailer';
import { adapterFor, connectionFrom } from '../../lib/saas/connection';
import type { SaasSystem } from '../../lib/saas/types';
import { Sandbox, SANDBOX_CREDENTIALS, SANDBOX_MODEL_ID, SandboxCredential, sandboxPortsFromEnv, startSandbox } from '../sandbox/sandbox';
import { MailMessage, SandboxMailbox } from '../sandbox/mailbox';
import { sandboxSummary } from '../sandbox/main';
import { applySettings, attachSandboxCredentials, sandboxSettings, TemplateWorkflow } from '../sandbox/templates';
import { INJECTION_TICKET_ID } from '../sandbox/seed';

jest.setTimeout(30_000);

function canListen(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

function portOf(url: string): number {
	return Number(new URL(url).port);
}

function adapter(sandbox: Sandbox, system: SaasSystem, key: keyof typeof SANDBOX_CREDENTIALS) {
	const credential = sandbox.credentials().find((c) => c.id === SANDBOX_CREDENTIALS[key].id) as SandboxCredential;
	return adapterFor(system, connectionFrom(system, credential.type, credential.data));
}

describe('the sandbox', () => {
	const now = Date.parse('2026-03-10T09:00:00Z');
	let sandbox: Sandbox;

	beforeAll(async () => {
		sandbox = await startSandbox({ ports: { salesforce: 0, zendesk: 0, quickbooks: 0, viewer: 0, mail: 0, model: 0 }, now });
	});

	afterAll(async () => {
		await sandbox?.stop();
	});

	test('offers one credential per sandbox system with fixed ids, pointing at the emulators, with tracking fields', () => {
		const all = sandbox.credentials();
		expect(all.map((c) => c.id)).toEqual(['agSandboxSalesforce', 'agSandboxZendesk', 'agSandboxZendeskOAuth2', 'agSandboxQuickBooks', 'agSandboxMail', 'agSandboxModel']);
		expect(all.map((c) => c.type)).toEqual(['agentGuardSalesforceOAuth2Api', 'agentGuardZendeskApi', 'agentGuardZendeskOAuth2Api', 'agentGuardQuickBooksOAuth2Api', 'smtp', 'openAiApi']);
		expect(all.map((c) => c.name)).toEqual(Object.values(SANDBOX_CREDENTIALS).map((c) => c.name));
		const credentials = all.slice(0, 4);
		for (const c of credentials) {
			expect(c.data).toMatchObject({ ownerEmail: 'it-ops@acme-robotics.example', rotationIntervalDays: 90, warningDays: 14 });
			expect(now - Date.parse(String(c.data.lastRotated))).toBeLessThan(30 * 86_400_000);
		}
		expect(credentials[0].data).toMatchObject({ loginHostOverride: sandbox.urls.salesforce, clientId: sandbox.salesforce.clientId, oauthTokenData: { instance_url: sandbox.urls.salesforce } });
		expect(credentials[1].data).toMatchObject({ baseUrlOverride: sandbox.urls.zendesk, email: sandbox.zendesk.email });
		expect(credentials[3].data).toMatchObject({ realmId: sandbox.quickbooks.realmId, baseUrlOverride: sandbox.urls.quickbooks, clientId: sandbox.quickbooks.clientId });
	});

	test('the real Salesforce adapter reads the new leads through the sandbox credential', async () => {
		expect(sandbox.ids.salesforce.leads).toHaveLength(6);
		expect(sandbox.ids.salesforce.newLeads.length).toBeGreaterThanOrEqual(3);
		const sf = adapter(sandbox, 'salesforce', 'salesforce');
		for (const id of sandbox.ids.salesforce.newLeads) {
			const lead = await sf.read('Lead', id, ['Name', 'Company', 'Status']);
			expect(lead.fields).toMatchObject({ Status: 'Open - Not Contacted' });
			expect(String(lead.fields.Company)).not.toBe('');
		}
		const account = await sf.read('Account', sandbox.ids.salesforce.accounts[0], ['Name']);
		expect(account.fields.Name).toBe('Northwind Logistics');
	});

	test('the real Zendesk adapter reads the tickets, and one carries a prompt-injection attempt', async () => {
		expect(sandbox.ids.zendesk.injectionTicket).toBe(String(INJECTION_TICKET_ID));
		expect(sandbox.ids.zendesk.tickets).toHaveLength(6);
		for (const key of ['zendesk', 'zendeskOAuth2'] as const) {
			const zd = adapter(sandbox, 'zendesk', key);
			const ticket = await zd.read('ticket', sandbox.ids.zendesk.injectionTicket, ['subject', 'description', 'status']);
			expect(ticket.fields.status).toBe('new');
			expect(String(ticket.fields.description)).toMatch(/ignore all previous instructions/i);
		}
		const zd = adapter(sandbox, 'zendesk', 'zendesk');
		const others = await Promise.all(sandbox.ids.zendesk.tickets.filter((id) => id !== sandbox.ids.zendesk.injectionTicket).map((id) => zd.read('ticket', id, ['description'])));
		for (const t of others) expect(String(t.fields.description)).not.toMatch(/ignore (all )?previous instructions/i);
	});

	test('the real QuickBooks adapter reads overdue, paid and open invoices and the bill', async () => {
		const qb = adapter(sandbox, 'quickbooks', 'quickbooks');
		const today = new Date(now).toISOString().slice(0, 10);
		for (const id of sandbox.ids.quickbooks.overdueInvoices) {
			const inv = await qb.read('Invoice', id, ['DueDate', 'Balance']);
			expect(String(inv.fields.DueDate) < today).toBe(true);
			expect(Number(inv.fields.Balance)).toBeGreaterThan(0);
		}
		expect((await qb.read('Invoice', sandbox.ids.quickbooks.paidInvoice, ['Balance'])).fields.Balance).toBe(0);
		const open = await qb.read('Invoice', sandbox.ids.quickbooks.openInvoice, ['DueDate', 'Balance']);
		expect(String(open.fields.DueDate) >= today && Number(open.fields.Balance) > 0).toBe(true);
		expect((await qb.read('Bill', sandbox.ids.quickbooks.bills[0], ['TotalAmt'])).fields.TotalAmt).toBe(7840);
	});

	test('is deterministic: a second sandbox has the same ids', async () => {
		const other = await startSandbox({ ports: { salesforce: 0, zendesk: 0, quickbooks: 0, mail: 0, model: 0 }, now, viewer: false });
		try {
			expect(other.ids).toEqual(sandbox.ids);
			expect(other.urls.viewer).toBe('');
		} finally {
			await other.stop();
		}
	});

	test('the record viewer shows the current leads, tickets and invoices', async () => {
		const page = await (await fetch(sandbox.urls.viewer)).text();
		expect(page).toContain('Acme Robotics');
		expect(page).toContain('Replacement charging dock arrived damaged');
		const records = (await (await fetch(new URL('records.json', sandbox.urls.viewer))).json()) as Record<string, unknown[]>;
		expect(records['Zendesk · Tickets']).toHaveLength(6);
		expect(records['QuickBooks · Invoices']).toHaveLength(4);
	});

	test('the mailbox takes any login over plain SMTP; /mail.json and the Inbox show the message, its links clickable and its markup escaped', async () => {
		const mail = sandbox.credentials().find((c) => c.id === SANDBOX_CREDENTIALS.mail.id) as SandboxCredential;
		expect(mail).toMatchObject({ name: 'Sandbox Mail', type: 'smtp', data: { host: '127.0.0.1', port: portOf(sandbox.urls.mail.replace('smtp:', 'http:')), secure: false, disableStartTls: true } });
		const send = async (auth: { user: string; pass: string } | undefined, subject: string, extra: Record<string, unknown> = {}) => {
			const transport = nodemailer.createTransport({ host: String(mail.data.host), port: Number(mail.data.port), secure: false, ignoreTLS: true, auth });
			try {
				return await transport.sendMail({ from: 'agent-guard@acme-robotics.example', to: 'Dana Lead <dana@acme.test>', subject, ...extra });
			} finally {
				transport.close();
			}
		};
		const link = 'http://localhost:5678/webhook-waiting/42/node-1?approvalId=apr_1&t=abc.def&signature=123';
		await send({ user: String(mail.data.user), pass: String(mail.data.password) }, 'Approval needed: ticket 5102 – Ünïcode ✓', {
			text: `Hello Dana,\n\nReview and approve or reject here:\n${link}\n\n<script>alert(1)</script> and "quotes" & more.`,
			html: `<p>Hello Dana,</p><p><a href="${link.replace(/&/g, '&amp;')}">Review and decide</a></p><script>alert(1)</script>`,
		});
		await send({ user: 'anyone', pass: 'wrong-password-is-fine' }, 'Second, another login');
		await send(undefined, 'Third, HTML only', { html: '<p>See <a href="https://example.com/x?a=1&amp;b=2">this</a><br>and <b>bold</b></p><style>p{}</style>' });

		const list = (await (await fetch(new URL('mail.json', sandbox.urls.viewer))).json()) as MailMessage[];
		expect(list.map((m) => m.subject)).toEqual(['Third, HTML only', 'Second, another login', 'Approval needed: ticket 5102 – Ünïcode ✓']);
		const approval = list[2];
		expect(approval).toMatchObject({ to: 'Dana Lead <dana@acme.test>', envelope: { from: 'agent-guard@acme-robotics.example', to: ['dana@acme.test'] }, login: 'agent-guard@acme-robotics.example' });
		expect(approval.text).toContain(link);
		expect(approval.links).toEqual([link]);
		expect(Date.parse(approval.receivedAt)).toBeGreaterThan(0);
		expect(list[1].login).toBe('anyone');
		expect(list[0].text).toBe('See this [https://example.com/x?a=1&b=2]\nand bold');
		expect(list[0].links).toEqual(['https://example.com/x?a=1&b=2']);

		const page = await fetch(sandbox.urls.viewer);
		expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
		const html = await page.text();
		expect(html).toContain('Inbox (3)');
		expect(html).toContain('Approval needed: ticket 5102 – Ünïcode ✓');
		expect(html).toContain('dana@acme.test');
		expect(html).toContain(`<a href="${link.replace(/&/g, '&amp;')}" target="_blank" rel="noopener noreferrer">`);
		expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; and &quot;quotes&quot; &amp; more.');
		expect(html).not.toMatch(/<script/i);
		const one = await fetch(new URL(`mail/${approval.id}`, sandbox.urls.viewer));
		expect(one.status).toBe(200);
		expect(await one.text()).not.toContain('http-equiv="refresh"');
		expect((await fetch(new URL('mail/999999', sandbox.urls.viewer))).status).toBe(404);
		expect((await sandbox.mail.waitFor((m) => m.subject.startsWith('Approval needed'))).id).toBe(approval.id);
	});

	test('the mailbox keeps the last 100 messages', () => {
		const box = new SandboxMailbox();
		for (let i = 1; i <= 105; i++) box.add(`Subject: n${i}\r\nTo: a@b.test\r\n\r\nbody ${i}\r\n`, { from: 'x@y.test', to: ['a@b.test'] });
		const kept = box.messages();
		expect(kept).toHaveLength(100);
		expect(kept[0].subject).toBe('n105');
		expect(kept[99].subject).toBe('n6');
		expect(kept[0].text).toBe('body 105');
	});

	test('the model endpoint: /v1/models, a deterministic proposal for a Zendesk ticket, and the format tool call the AI Agent asks for', async () => {
		const model = sandbox.credentials().find((c) => c.id === SANDBOX_CREDENTIALS.model.id) as SandboxCredential;
		expect(model).toMatchObject({ name: 'Sandbox Model', type: 'openAiApi', data: { url: sandbox.urls.model, apiKey: expect.any(String) } });
		const headers = { authorization: `Bearer ${String(model.data.apiKey)}`, 'content-type': 'application/json' };
		const models = (await (await fetch(`${sandbox.urls.model}/models`, { headers })).json()) as { data: Array<{ id: string }> };
		expect(models.data.map((m) => m.id)).toContain(SANDBOX_MODEL_ID);
		expect((await fetch(`${sandbox.urls.model}/models`)).status).toBe(401);

		const ticket = sandbox.zendesk.record('ticket', sandbox.ids.zendesk.injectionTicket) as Record<string, unknown>;
		const user = `Triage this Zendesk ticket.\n\nTicket ${String(ticket.id)} (status new, priority normal, tags shipping, rma):\n${JSON.stringify({ subject: ticket.subject, description: ticket.description }, null, 2)}`;
		const ask = async (body: Record<string, unknown>) => {
			const res = await fetch(`${sandbox.urls.model}/chat/completions`, { method: 'POST', headers, body: JSON.stringify({ model: 'gpt-4o-mini', ...body }) });
			expect(res.status).toBe(200);
			return (await res.json()) as { model: string; choices: Array<{ finish_reason: string; message: { content: string | null; tool_calls?: Array<{ function: { name: string; arguments: string } }> } }>; usage: { prompt_tokens: number; completion_tokens: number } };
		};
		const plain = await ask({ messages: [{ role: 'system', content: 'You triage support tickets.' }, { role: 'user', content: user }] });
		expect(plain.model).toBe('gpt-4o-mini');
		expect(plain.choices[0].finish_reason).toBe('stop');
		const action = JSON.parse(String(plain.choices[0].message.content)) as Record<string, unknown>;
		expect(action).toMatchObject({ system: 'zendesk', object: 'ticket', operation: 'update', recordId: String(ticket.id), fields: { priority: 'high', tags: expect.arrayContaining(['shipping', 'rma', 'needs-human-review']) } });
		expect(String(action.reason)).toMatch(/not followed/);
		expect(JSON.stringify(action)).not.toMatch(/solved|refund/i); // the injected instructions are not followed
		expect(plain.usage.prompt_tokens).toBeGreaterThan(0);
		expect(await ask({ messages: [{ role: 'user', content: user }] })).toMatchObject({ choices: [{ message: { content: plain.choices[0].message.content } }] });

		// What n8n's AI Agent sends with a Structured Output Parser: the parser's schema as a tool, wrapped in `output`.
		const parameters = {
			type: 'object',
			properties: { output: { type: 'object', properties: { ticketId: { type: 'integer' }, priority: { type: 'string', enum: ['low', 'normal', 'high', 'urgent'] }, tags: { type: 'array', items: { type: 'string' } }, replyDraft: { type: 'string' }, reason: { type: 'string' } }, required: ['ticketId', 'priority', 'tags', 'replyDraft', 'reason'], additionalProperties: false } },
			required: ['output'],
			additionalProperties: false,
		};
		const withTool = await ask({ messages: [{ role: 'user', content: user }], tools: [{ type: 'function', function: { name: 'format_final_json_response', description: 'format', parameters } }] });
		expect(withTool.choices[0].finish_reason).toBe('tool_calls');
		const call = withTool.choices[0].message.tool_calls?.[0];
		expect(call?.function.name).toBe('format_final_json_response');
		const args = JSON.parse(String(call?.function.arguments)) as { output: Record<string, unknown> };
		expect(Object.keys(args.output).sort()).toEqual(['priority', 'reason', 'replyDraft', 'tags', 'ticketId']);
		expect(args.output).toMatchObject({ ticketId: Number(ticket.id), priority: 'high' });
		expect(String(args.output.replyDraft)).toMatch(/^Hi Jonas|^Hi there/);

		// Streaming (server-sent events) gives the same answer.
		const streamed = await fetch(`${sandbox.urls.model}/chat/completions`, { method: 'POST', headers, body: JSON.stringify({ model: 'x', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: user }] }) });
		expect(streamed.headers.get('content-type')).toContain('text/event-stream');
		const events = (await streamed.text()).split('\n\n').filter((e) => e.startsWith('data: ')).map((e) => e.slice(6));
		expect(events[events.length - 1]).toBe('[DONE]');
		const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as { choices: Array<{ delta: { content?: string } }>; usage?: unknown });
		expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(plain.choices[0].message.content);
		expect(chunks[chunks.length - 1].usage).toBeDefined();
	});

	test('the model proposes Status/Rating for a Salesforce lead and a reminder note for an overdue QuickBooks invoice (Responses API too)', async () => {
		const headers = { authorization: 'Bearer anything', 'content-type': 'application/json' };
		const leadId = sandbox.ids.salesforce.newLeads[0];
		const lead = sandbox.salesforce.get('Lead', leadId) as Record<string, unknown>;
		const res = await fetch(`${sandbox.urls.model}/chat/completions`, {
			method: 'POST',
			headers,
			body: JSON.stringify({ messages: [{ role: 'user', content: `Here is one new Salesforce lead.\n\nLead Id: ${leadId}\nFields:\n${JSON.stringify(lead)}` }] }),
		});
		const leadAction = JSON.parse(((await res.json()) as { choices: Array<{ message: { content: string } }> }).choices[0].message.content) as Record<string, unknown>;
		expect(leadAction).toMatchObject({ system: 'salesforce', object: 'Lead', operation: 'update', recordId: leadId, fields: { Status: 'Working - Contacted', Rating: 'Hot' } });

		const invoiceId = sandbox.ids.quickbooks.overdueInvoices[1];
		const invoice = sandbox.quickbooks.get('Invoice', invoiceId) as Record<string, unknown>;
		const prompt = `Review this open QuickBooks invoice.\n\nInvoice Id ${invoiceId}, SyncToken ${String(invoice.SyncToken)}, balance ${String(invoice.Balance)}, due ${String(invoice.DueDate)}:\n${JSON.stringify(invoice)}`;
		const viaResponses = await fetch(`${sandbox.urls.model}/responses`, { method: 'POST', headers, body: JSON.stringify({ model: 'gpt-4.1-mini', input: [{ role: 'user', content: [{ type: 'input_text', text: prompt }] }] }) });
		const body = (await viaResponses.json()) as { object: string; output: Array<{ type: string; content: Array<{ text: string }> }> };
		expect(body.object).toBe('response');
		const invoiceAction = JSON.parse(body.output[0].content[0].text) as { fields: { PrivateNote: string }; operation: string; recordId: string };
		expect(invoiceAction).toMatchObject({ operation: 'update', recordId: invoiceId });
		expect(invoiceAction.fields.PrivateNote).toMatch(/^Visits per the Q2 service log \| Payment reminder .*overdue \d+ days.*Contoso Foods/);

		const paid = sandbox.quickbooks.get('Invoice', sandbox.ids.quickbooks.paidInvoice) as Record<string, unknown>;
		const none = await fetch(`${sandbox.urls.model}/chat/completions`, {
			method: 'POST',
			headers,
			body: JSON.stringify({ messages: [{ role: 'user', content: `Review this open QuickBooks invoice.\n\nInvoice Id ${String(paid.Id)}, SyncToken 0, balance ${String(paid.Balance)}, due ${String(paid.DueDate)}:\n{}` }] }),
		});
		expect(JSON.parse(((await none.json()) as { choices: Array<{ message: { content: string } }> }).choices[0].message.content)).toMatchObject({ operation: 'none', fields: {} });
	});

	test('the summary names the URLs and the injection ticket', () => {
		const text = sandboxSummary(sandbox).join('\n');
		expect(text).toContain(sandbox.urls.salesforce);
		expect(text).toContain(`ticket ${sandbox.ids.zendesk.injectionTicket}`);
	});
});

describe('sandbox ports', () => {
	test('come from AGENT_GUARD_SANDBOX_PORTS, and per-system variables win', () => {
		expect(sandboxPortsFromEnv({})).toEqual({});
		expect(sandboxPortsFromEnv({ AGENT_GUARD_SANDBOX_PORTS: '9101,9102,9103' })).toEqual({ salesforce: 9101, zendesk: 9102, quickbooks: 9103 });
		expect(sandboxPortsFromEnv({ AGENT_GUARD_SANDBOX_PORTS: '9101,,9103,9100', AGENT_GUARD_SANDBOX_ZENDESK_PORT: '7000' })).toEqual({ salesforce: 9101, zendesk: 7000, quickbooks: 9103, viewer: 9100 });
		expect(sandboxPortsFromEnv({ AGENT_GUARD_SANDBOX_PORTS: '9101,9102,9103,9100,9105,9106', AGENT_GUARD_SANDBOX_MODEL_PORT: '7006' })).toEqual({ salesforce: 9101, zendesk: 9102, quickbooks: 9103, viewer: 9100, mail: 9105, model: 7006 });
		expect(sandboxPortsFromEnv({ AGENT_GUARD_SANDBOX_MAIL_PORT: '0' })).toEqual({ mail: 0 });
		expect(() => sandboxPortsFromEnv({ AGENT_GUARD_SANDBOX_PORTS: '1,2,3,4,5,6,7' })).toThrow(/at most 6 ports/);
		expect(() => sandboxPortsFromEnv({ AGENT_GUARD_SANDBOX_PORTS: 'abc' })).toThrow(/not a port number/);
		expect(() => sandboxPortsFromEnv({ AGENT_GUARD_SANDBOX_QUICKBOOKS_PORT: '70000' })).toThrow(/AGENT_GUARD_SANDBOX_QUICKBOOKS_PORT/);
	});

	test('stop frees every port, so the sandbox can start again on the same ones', async () => {
		const first = await startSandbox({ ports: { salesforce: 0, zendesk: 0, quickbooks: 0, viewer: 0, mail: 0, model: 0 } });
		const ports = {
			salesforce: portOf(first.urls.salesforce),
			zendesk: portOf(first.urls.zendesk),
			quickbooks: portOf(first.urls.quickbooks),
			viewer: portOf(first.urls.viewer),
			mail: portOf(first.urls.mail),
			model: portOf(first.urls.model),
		};
		// An SMTP client still connected must not keep the port.
		const idle = net.connect(ports.mail, '127.0.0.1');
		await new Promise((r) => idle.once('data', r));
		for (const port of Object.values(ports)) expect(await canListen(port)).toBe(false);
		await first.stop();
		for (const port of Object.values(ports)) expect(await canListen(port)).toBe(true);
		idle.destroy();
		const again = await startSandbox({ ports });
		expect(portOf(again.urls.zendesk)).toBe(ports.zendesk);
		expect(portOf(again.urls.mail)).toBe(ports.mail);
		await again.stop();
	});

	test('a port in use is refused with a message that says how to choose others, and nothing is left listening', async () => {
		const blocker = net.createServer();
		await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
		const busy = (blocker.address() as net.AddressInfo).port;
		const free = await new Promise<number>((resolve) => {
			const s = net.createServer().listen(0, '127.0.0.1', () => {
				const p = (s.address() as net.AddressInfo).port;
				s.close(() => resolve(p));
			});
		});
		try {
			await expect(startSandbox({ ports: { salesforce: free, zendesk: busy, quickbooks: 0, viewer: 0, mail: 0, model: 0 } })).rejects.toThrow(/port \d+ for the Zendesk emulator is in use.*AGENT_GUARD_SANDBOX_PORTS/);
			await expect(startSandbox({ ports: { salesforce: free, zendesk: 0, quickbooks: 0, viewer: 0, mail: busy, model: 0 } })).rejects.toThrow(/port \d+ for the sandbox mailbox \(SMTP\) is in use/);
			expect(await canListen(free)).toBe(true);
		} finally {
			blocker.close();
		}
	});
});

describe('templates connected to the sandbox', () => {
	const workflow: TemplateWorkflow = {
		id: 'agTplTest000001',
		name: 'Test template',
		nodes: [
			{ id: '1', name: 'Guarded Write', type: 'n8n-nodes-agent-guard.guardedWrite', typeVersion: 1, position: [0, 0], parameters: { agentId: 'support-bot' } },
			{ id: '2', name: 'Reverse Write (OAuth2)', type: 'n8n-nodes-agent-guard.reverseWrite', typeVersion: 1, position: [0, 0], parameters: { zendeskAuthentication: 'oAuth2' } },
			{ id: '3', name: 'Credential Check', type: 'n8n-nodes-agent-guard.credentialCheck', typeVersion: 1, position: [0, 0], parameters: { system: 'quickbooks' } },
			{ id: '4', name: 'Sanitize', type: 'n8n-nodes-agent-guard.injectionSanitizer', typeVersion: 1, position: [0, 0], parameters: {} },
			{ id: '5', name: 'HTTP', type: 'n8n-nodes-base.httpRequest', typeVersion: 4.2, position: [0, 0], parameters: {}, credentials: { agentGuardZendeskApi: { name: 'Zendesk account' } } },
			{ id: '6', name: 'Read leads', type: 'n8n-nodes-base.httpRequest', typeVersion: 4.2, position: [0, 0], parameters: { authentication: 'predefinedCredentialType', nodeCredentialType: 'agentGuardSalesforceOAuth2Api' } },
			{
				id: '7', name: 'Settings', type: 'n8n-nodes-base.set', typeVersion: 3.4, position: [0, 0],
				parameters: { assignments: { assignments: [{ id: 's1', name: 'agentId', value: 'support-bot', type: 'string' }, { id: 's2', name: 'zendeskApiUrl', value: 'https://YOUR-SUBDOMAIN.zendesk.com/api/v2', type: 'string' }] } },
			},
		],
		connections: {},
	};

	test('every credential slot of a sandbox type gets the sandbox credential; other nodes are left alone', () => {
		const ready = attachSandboxCredentials(workflow);
		const creds = (name: string) => ready.nodes.find((n) => n.name === name)?.credentials as Record<string, { id: string; name: string }> | undefined;
		const c = SANDBOX_CREDENTIALS;
		expect(creds('Guarded Write')).toEqual({
			agentGuardSalesforceOAuth2Api: { id: c.salesforce.id, name: c.salesforce.name },
			agentGuardZendeskApi: { id: c.zendesk.id, name: c.zendesk.name },
			agentGuardQuickBooksOAuth2Api: { id: c.quickbooks.id, name: c.quickbooks.name },
		});
		expect(creds('Reverse Write (OAuth2)')?.agentGuardZendeskOAuth2Api).toEqual({ id: c.zendeskOAuth2.id, name: c.zendeskOAuth2.name });
		expect(creds('Reverse Write (OAuth2)')?.agentGuardZendeskApi).toBeUndefined();
		expect(creds('Credential Check')).toEqual({ agentGuardQuickBooksOAuth2Api: { id: c.quickbooks.id, name: c.quickbooks.name } });
		expect(creds('Sanitize')).toBeUndefined();
		expect(creds('HTTP')).toEqual({ agentGuardZendeskApi: { id: c.zendesk.id, name: c.zendesk.name } });
		expect(creds('Read leads')).toEqual({ agentGuardSalesforceOAuth2Api: { id: c.salesforce.id, name: c.salesforce.name } });
		expect(workflow.nodes[4].credentials).toEqual({ agentGuardZendeskApi: { name: 'Zendesk account' } }); // the input is not changed
	});

	test("n8n's OpenAI Chat Model, Send Email and an e-mail Approval Gate get the sandbox model and mailbox; the model name stays as shipped", () => {
		const wf: TemplateWorkflow = {
			id: 'agTplTest000002',
			name: 'Model and mail',
			nodes: [
				{ id: '1', name: 'OpenAI Chat Model', type: '@n8n/n8n-nodes-langchain.lmChatOpenAi', typeVersion: 1.2, position: [0, 0], parameters: { model: { __rl: true, mode: 'list', value: 'gpt-4o-mini' }, options: {} } },
				{ id: '2', name: 'Send Email', type: 'n8n-nodes-base.emailSend', typeVersion: 2.1, position: [0, 0], parameters: {} },
				{ id: '3', name: 'Approval Gate', type: 'n8n-nodes-agent-guard.approvalGate', typeVersion: 1, position: [0, 0], parameters: { operation: 'sendAndWait', channel: 'email' } },
				{ id: '4', name: 'Approval Gate (Slack)', type: 'n8n-nodes-agent-guard.approvalGate', typeVersion: 1, position: [0, 0], parameters: { operation: 'sendAndWait', channel: 'slack' } },
				{ id: '5', name: 'Human review', type: 'n8n-nodes-agent-guard.approvalGateHitlTool', typeVersion: 1, position: [0, 0], parameters: { channel: 'email' } },
			],
			connections: {},
		};
		const ready = attachSandboxCredentials(wf);
		const creds = (name: string) => ready.nodes.find((n) => n.name === name)?.credentials as Record<string, { id: string; name: string }> | undefined;
		const c = SANDBOX_CREDENTIALS;
		expect(creds('OpenAI Chat Model')).toEqual({ openAiApi: { id: c.model.id, name: c.model.name } });
		expect(ready.nodes[0].parameters).toEqual(wf.nodes[0].parameters);
		expect(creds('Send Email')).toEqual({ smtp: { id: c.mail.id, name: c.mail.name } });
		expect(creds('Approval Gate')).toEqual({ smtp: { id: c.mail.id, name: c.mail.name } });
		expect(creds('Approval Gate (Slack)')).toBeUndefined();
		expect(creds('Human review')).toEqual({ smtp: { id: c.mail.id, name: c.mail.name } });
	});

	test('the Settings node gets the sandbox URLs; other settings stay', () => {
		const urls = { salesforce: 'http://127.0.0.1:8101', zendesk: 'http://127.0.0.1:8102/api/v2', quickbooks: 'http://127.0.0.1:8103/v3/company/' };
		const ready = applySettings(workflow, sandboxSettings(urls, '123'));
		const settings = ready.nodes.find((n) => n.name === 'Settings')?.parameters as { assignments: { assignments: Array<{ name: string; value: unknown }> } };
		expect(settings.assignments.assignments.map((a) => [a.name, a.value])).toEqual([['agentId', 'support-bot'], ['zendeskApiUrl', urls.zendesk]]);
		expect(sandboxSettings(urls, '123').quickbooksCompanyUrl).toBe('http://127.0.0.1:8103/v3/company/123');
	});

	test("an agent tool's Zendesk address placeholder (template 6's Get ticket) points at the sandbox; nothing else changes", () => {
		const tool = {
			name: 'Get ticket',
			type: 'n8n-nodes-base.httpRequestTool',
			parameters: { url: "=https://YOUR-SUBDOMAIN.zendesk.com/api/v2/tickets/{{ $fromAI('ticketId') }}.json", options: { headers: ['https://YOUR-SUBDOMAIN.zendesk.com/api/v2'] } },
		};
		const ready = applySettings({ ...workflow, nodes: [...workflow.nodes, tool] }, { zendeskApiUrl: 'http://127.0.0.1:8102/api/v2' });
		expect(ready.nodes.find((n) => n.name === 'Get ticket')?.parameters).toEqual({ url: "=http://127.0.0.1:8102/api/v2/tickets/{{ $fromAI('ticketId') }}.json", options: { headers: ['http://127.0.0.1:8102/api/v2'] } });
		expect(applySettings({ ...workflow, nodes: [tool] }, {}).nodes[0]).toEqual(tool);
	});
});
