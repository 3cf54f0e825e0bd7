/**
 * Shared by the Approval Gate e2e tests: the workflow that reaches the gate, the local
 * "Inbox" that receives approver notices and the items each branch posts back, and
 * `whenWaiting`, which waits until n8n has saved the execution as waiting.
 */
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { WorkflowJson } from './harness';

export interface Notice {
	approvalId: string;
	approver: { name: string; address?: string };
	link: string;
}

/** Collects approval notices and the items each branch posts back. */
export class Inbox {
	notices: Notice[] = [];
	results: Array<{ branch: string; body: Record<string, unknown> }> = [];
	private server!: Server;
	port = 0;
	private waiters: Array<() => void> = [];

	async start(): Promise<void> {
		this.server = createServer((req, res) => {
			void readBody(req).then((text) => {
				const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
				if (req.url === '/notify') this.notices.push(body as unknown as Notice);
				else this.results.push({ branch: String(req.url).replace('/result/', ''), body });
				res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
				this.waiters.splice(0).forEach((w) => w());
			});
		});
		await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
		this.port = (this.server.address() as AddressInfo).port;
	}

	async waitFor<T>(look: () => T | undefined, what: string, ms = 60_000): Promise<T> {
		const deadline = Date.now() + ms;
		for (;;) {
			const found = look();
			if (found !== undefined) return found;
			if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
			await new Promise<void>((r) => {
				this.waiters.push(r);
				setTimeout(r, 250);
			});
		}
	}

	close(): Promise<void> {
		return new Promise((r) => this.server.close(() => r()));
	}
}

function readBody(req: IncomingMessage): Promise<string> {
	return new Promise((resolve) => {
		let text = '';
		req.on('data', (c: Buffer) => (text += c.toString('utf8')));
		req.on('end', () => resolve(text));
	});
}

let seq = 0;
export function gateWorkflow(inboxPort: number, gate: Record<string, unknown>): { workflow: WorkflowJson; path: string } {
	seq += 1;
	const path = `agent-guard-e2e-approval-${seq}`;
	const id = `agE2eApproval${String(seq).padStart(3, '0')}`;
	const node = (n: number) => `d${String(seq).padStart(3, '0')}0000-0000-4000-8000-00000000000${n}`;
	const post = (branch: string) => ({
		method: 'POST',
		url: `http://127.0.0.1:${inboxPort}/result/${branch}`,
		sendBody: true,
		specifyBody: 'json',
		jsonBody: '={{ JSON.stringify($json) }}',
		options: {},
	});
	const workflow: WorkflowJson = {
		id,
		name: `E2E: approval gate ${seq}`,
		nodes: [
			{ id: node(1), name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: node(9), parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} } },
			{
				id: node(2),
				name: 'Proposals',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [200, 0],
				parameters: {
					jsCode: [
						"return [{ json: { action: { system: 'salesforce', object: 'Lead', operation: 'update', recordId: '00Q5g00000AbCdE',",
						"  fields: { Status: 'Qualified', Rating: 'Hot' }, reason: 'Replied <b>positively</b> to the demo invite' },",
						"  before: { Status: 'Open - Not Contacted', Rating: 'Cold' } } }];",
					].join('\n'),
				},
			},
			{
				id: node(3),
				name: 'Approval Gate',
				type: 'n8n-nodes-agent-guard.approvalGate',
				typeVersion: 1,
				position: [400, 0],
				parameters: { operation: 'sendAndWait', agentId: 'lead-bot', quorum: 1, expiresInHours: 1, message: 'The lead agent wants to qualify a lead', channel: 'webhook', webhookUrl: `http://127.0.0.1:${inboxPort}/notify`, ...gate },
			},
			{ id: node(6), name: 'Check Approval', type: 'n8n-nodes-agent-guard.approvalGate', typeVersion: 1, position: [600, 0], parameters: { operation: 'checkApproval', agentId: 'lead-bot' } },
			{ id: node(4), name: 'On Rejected', type: 'n8n-nodes-base.httpRequest', typeVersion: 4.2, position: [800, -100], parameters: post('rejected') },
			{ id: node(5), name: 'On Approved', type: 'n8n-nodes-base.httpRequest', typeVersion: 4.2, position: [800, 100], parameters: post('approved') },
		],
		connections: {
			Webhook: { main: [[{ node: 'Proposals', type: 'main', index: 0 }]] },
			Proposals: { main: [[{ node: 'Approval Gate', type: 'main', index: 0 }]] },
			'Approval Gate': { main: [[{ node: 'Check Approval', type: 'main', index: 0 }]] },
			'Check Approval': { main: [[{ node: 'On Approved', type: 'main', index: 0 }], [{ node: 'On Rejected', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
		pinData: {},
		active: false,
	};
	return { workflow, path };
}

export const approvers = (...names: string[]) => ({ approver: names.map((name) => ({ name, address: `${name.toLowerCase()}@acme.test` })) });

/** Notices go out just before the execution is saved as waiting; until then n8n answers "running already". */
export async function whenWaiting(link: string): Promise<void> {
	const deadline = Date.now() + 20_000;
	for (;;) {
		const res = await fetch(link);
		const text = await res.text();
		if (!/is running already/.test(text)) return;
		if (Date.now() > deadline) throw new Error(`the execution behind ${link} never started waiting`);
		await new Promise((r) => setTimeout(r, 200));
	}
}
