/**
 * Makes a shipped template (workflows/*.json) runnable in a test, changing only what a test must:
 *
 * - each AI Agent node becomes a Code node of the same name, id and position that emits fixed
 *   items (the agent's output shape, `{ output: … }`); the agent's sub-nodes (chat model, output
 *   parser, tools, Human-review nodes) are removed with their connections;
 * - a Schedule or Chat trigger becomes a Webhook of the same name (POST /webhook/<path>): n8n's
 *   `execute` command only starts at a Manual or Execute Workflow Trigger;
 * - Approval Gate sends its links by `webhook` to a local inbox instead of e-mail;
 * - values of the "Settings" node the user fills in (URLs, ids) are set for the sandbox;
 * - credentials are attached by type: the sandbox's Agent Guard credentials (also on HTTP Request
 *   nodes that name our type as their predefined credential type) and a local SMTP credential.
 *
 * Everything else is the shipped JSON unchanged.
 */
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { attachSandboxCredentials, TemplateWorkflow } from '../sandbox/templates';
import { Sandbox, SANDBOX_CREDENTIALS } from '../sandbox/sandbox';

export const SMTP_CREDENTIAL = { id: 'agTplSmtp000001', name: 'Test SMTP (local)', type: 'smtp' };

interface Node {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	webhookId?: string;
	[key: string]: unknown;
}
type Connections = Record<string, Record<string, Array<Array<{ node: string; type: string; index: number }>>>>;

export interface TestCopyOptions {
	/** Per AI Agent node name: the items its Code stand-in emits (each becomes `{ json }`). */
	agentOutputs?: Record<string, Array<Record<string, unknown>>>;
	/** Where Approval Gate posts its notices (the Inbox's /notify URL). */
	approvalInbox?: string;
	/** The path of the Webhook that replaces a Schedule or Chat trigger. */
	webhookPath?: string;
	/** Values for the "Settings" node, by assignment name. */
	settings?: Record<string, string | number>;
}

const SWAPPED_TRIGGERS = new Set(['n8n-nodes-base.scheduleTrigger', '@n8n/n8n-nodes-langchain.chatTrigger']);
const AGENT = '@n8n/n8n-nodes-langchain.agent';

export function testCopy(template: TemplateWorkflow, options: TestCopyOptions = {}): TemplateWorkflow {
	const wf = attachSandboxCredentials(JSON.parse(JSON.stringify(template)) as TemplateWorkflow);
	let nodes = wf.nodes as unknown as Node[];
	const connections = wf.connections as Connections;

	for (const agent of nodes.filter((n) => n.type === AGENT)) {
		// Everything that feeds the agent through an ai_* connection, transitively (tool → Human review → agent).
		const subNodes = new Set<string>();
		let grew = true;
		while (grew) {
			grew = false;
			for (const [from, byType] of Object.entries(connections)) {
				for (const [type, outputs] of Object.entries(byType)) {
					if (!type.startsWith('ai_')) continue;
					if (outputs.some((o) => o.some((c) => c.node === agent.name || subNodes.has(c.node))) && !subNodes.has(from)) {
						subNodes.add(from);
						grew = true;
					}
				}
			}
		}
		nodes = nodes.filter((n) => !subNodes.has(n.name));
		for (const name of subNodes) delete connections[name];
		const items = options.agentOutputs?.[agent.name] ?? [];
		Object.assign(agent, {
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			parameters: { jsCode: `// Test stand-in for the AI Agent: fixed proposed actions.\nreturn ${JSON.stringify(items)}.map((json) => ({ json, pairedItem: { item: 0 } }));` },
		});
	}

	for (const node of nodes) {
		if (SWAPPED_TRIGGERS.has(node.type)) {
			Object.assign(node, { type: 'n8n-nodes-base.webhook', typeVersion: 2, webhookId: node.id, parameters: { httpMethod: 'POST', path: options.webhookPath ?? `template-${String(wf.id)}`, responseMode: 'onReceived', options: {} } });
		}
		if (node.type === 'n8n-nodes-agent-guard.approvalGate' && node.parameters.operation === 'sendAndWait' && options.approvalInbox) {
			node.parameters.channel = 'webhook';
			node.parameters.webhookUrl = options.approvalInbox;
			delete node.parameters.fromEmail;
		}
		if (node.name === 'Settings' && node.type === 'n8n-nodes-base.set' && options.settings) {
			const list = (node.parameters.assignments as { assignments: Array<{ name: string; value: unknown }> }).assignments;
			for (const a of list) if (a.name in options.settings) a.value = options.settings[a.name];
		}
		if (node.type === 'n8n-nodes-base.httpRequest' && node.parameters.authentication === 'predefinedCredentialType') {
			const type = String(node.parameters.nodeCredentialType);
			const withType = (wf.nodes as unknown as Node[]).find((n) => n.credentials?.[type])?.credentials?.[type];
			const sandbox = withType ?? SANDBOX_BY_TYPE[type];
			if (sandbox) node.credentials = { ...(node.credentials ?? {}), [type]: sandbox };
		}
		if (node.type === 'n8n-nodes-base.emailSend') node.credentials = { smtp: { id: SMTP_CREDENTIAL.id, name: SMTP_CREDENTIAL.name } };
	}
	wf.nodes = nodes as unknown as TemplateWorkflow['nodes'];
	return wf;
}

const SANDBOX_BY_TYPE: Record<string, { id: string; name: string }> = Object.fromEntries(Object.values(SANDBOX_CREDENTIALS).map((c) => [c.type, { id: c.id, name: c.name }]));

/** The SMTP credential n8n's Send Email nodes use in the test: a local server that keeps every message. */
export class Mailbox {
	messages: Array<{ to: string[]; raw: string }> = [];
	private server?: SMTPServer;
	port = 0;

	async start(): Promise<void> {
		this.server = new SMTPServer({
			secure: false,
			authOptional: true,
			disabledCommands: ['STARTTLS'],
			onData: (stream, session, callback) => {
				let raw = '';
				stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
				stream.on('end', () => {
					this.messages.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: decodeQuotedPrintable(raw) });
					callback();
				});
			},
		});
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
		this.port = (this.server.server.address() as AddressInfo).port;
	}

	credential(): { id: string; name: string; type: string; data: Record<string, unknown> } {
		return { ...SMTP_CREDENTIAL, data: { user: '', password: '', host: '127.0.0.1', port: this.port, secure: false, disableStartTls: true } };
	}

	stop(): Promise<void> {
		return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}
}

function decodeQuotedPrintable(text: string): string {
	return text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/**
 * The list queries the templates send (Salesforce SOQL `/query`, QuickBooks `/query`), which the
 * emulators do not implement: answered from the emulators' records, for a request that carries
 * the token the emulator accepts now. Everything else the templates do goes to the emulators.
 */
export class QueryShim {
	private server?: Server;
	url = '';

	constructor(private readonly sandbox: Sandbox) {}

	async start(): Promise<void> {
		this.server = createServer((req, res) => {
			const url = new URL(req.url ?? '/', 'http://x');
			const auth = String(req.headers.authorization ?? '');
			const send = (status: number, body: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
			if (/^\/services\/data\/v[\d.]+\/query$/.test(url.pathname)) {
				if (auth !== `Bearer ${this.sandbox.salesforce.accessToken}`) return send(401, [{ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' }]);
				const q = url.searchParams.get('q') ?? '';
				const status = /Status\s*=\s*'([^']*)'/.exec(q)?.[1];
				const records = this.sandbox.salesforce
					.list('Lead')
					.filter((l) => status === undefined || l.Status === status)
					.map((l) => ({ attributes: { type: 'Lead', url: `/services/data/v59.0/sobjects/Lead/${String(l.Id)}` }, ...l }));
				return send(200, { totalSize: records.length, done: true, records });
			}
			if (/^\/v3\/company\/[^/]+\/query$/.test(url.pathname)) {
				if (!auth.startsWith('Bearer ') || auth.length < 12) return send(401, { fault: { error: [{ code: '3200', message: 'AuthenticationFailed' }] } });
				const invoices = this.sandbox.quickbooks.list('Invoice').filter((i) => Number((i as { Balance?: number }).Balance ?? 0) > 0);
				return send(200, { QueryResponse: { Invoice: invoices, startPosition: 1, maxResults: invoices.length }, time: new Date().toISOString() });
			}
			return send(404, { error: 'not in the shim' });
		});
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
		this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
	}

	stop(): Promise<void> {
		return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}
}
