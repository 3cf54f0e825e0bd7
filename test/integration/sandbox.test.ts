/**
 * The sandbox (test/sandbox): the three emulators seeded with Acme Robotics, read through the real
 * adapters (jsforce, node-zendesk, node-quickbooks) with nothing but the sandbox credentials' data,
 * the injection ticket, ports from the environment, templates connected to the sandbox credentials,
 * and a stop that frees every port.
 */
import * as net from 'node:net';
import { adapterFor, connectionFrom } from '../../lib/saas/connection';
import type { SaasSystem } from '../../lib/saas/types';
import { Sandbox, SANDBOX_CREDENTIALS, SandboxCredential, sandboxPortsFromEnv, startSandbox } from '../sandbox/sandbox';
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
		sandbox = await startSandbox({ ports: { salesforce: 0, zendesk: 0, quickbooks: 0, viewer: 0 }, now });
	});

	afterAll(async () => {
		await sandbox?.stop();
	});

	test('offers one credential per sandbox system with fixed ids, pointing at the emulators, with tracking fields', () => {
		const credentials = sandbox.credentials();
		expect(credentials.map((c) => c.id)).toEqual(['agSandboxSalesforce', 'agSandboxZendesk', 'agSandboxZendeskOAuth2', 'agSandboxQuickBooks']);
		expect(credentials.map((c) => c.type)).toEqual(['agentGuardSalesforceOAuth2Api', 'agentGuardZendeskApi', 'agentGuardZendeskOAuth2Api', 'agentGuardQuickBooksOAuth2Api']);
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
		const other = await startSandbox({ ports: { salesforce: 0, zendesk: 0, quickbooks: 0 }, now, viewer: false });
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
		expect(() => sandboxPortsFromEnv({ AGENT_GUARD_SANDBOX_PORTS: 'abc' })).toThrow(/not a port number/);
		expect(() => sandboxPortsFromEnv({ AGENT_GUARD_SANDBOX_QUICKBOOKS_PORT: '70000' })).toThrow(/AGENT_GUARD_SANDBOX_QUICKBOOKS_PORT/);
	});

	test('stop frees every port, so the sandbox can start again on the same ones', async () => {
		const first = await startSandbox({ ports: { salesforce: 0, zendesk: 0, quickbooks: 0, viewer: 0 } });
		const ports = { salesforce: portOf(first.urls.salesforce), zendesk: portOf(first.urls.zendesk), quickbooks: portOf(first.urls.quickbooks), viewer: portOf(first.urls.viewer) };
		for (const port of Object.values(ports)) expect(await canListen(port)).toBe(false);
		await first.stop();
		for (const port of Object.values(ports)) expect(await canListen(port)).toBe(true);
		const again = await startSandbox({ ports });
		expect(portOf(again.urls.zendesk)).toBe(ports.zendesk);
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
			await expect(startSandbox({ ports: { salesforce: free, zendesk: busy, quickbooks: 0, viewer: 0 } })).rejects.toThrow(/port \d+ for the Zendesk emulator is in use.*AGENT_GUARD_SANDBOX_PORTS/);
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

	test('the Settings node gets the sandbox URLs; other settings stay', () => {
		const urls = { salesforce: 'http://127.0.0.1:8101', zendesk: 'http://127.0.0.1:8102/api/v2', quickbooks: 'http://127.0.0.1:8103/v3/company/' };
		const ready = applySettings(workflow, sandboxSettings(urls, '123'));
		const settings = ready.nodes.find((n) => n.name === 'Settings')?.parameters as { assignments: { assignments: Array<{ name: string; value: unknown }> } };
		expect(settings.assignments.assignments.map((a) => [a.name, a.value])).toEqual([['agentId', 'support-bot'], ['zendeskApiUrl', urls.zendesk]]);
		expect(sandboxSettings(urls, '123').quickbooksCompanyUrl).toBe('http://127.0.0.1:8103/v3/company/123');
	});
});
