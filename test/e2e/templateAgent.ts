/**
 * Makes a shipped template (workflows/*.json) runnable in a test, changing only what a test must:
 *
 * - each AI Agent node becomes a Code node of the same name, id and position that emits fixed
 *   items (the agent's output shape, `{ output: … }`); the agent's sub-nodes (chat model, output
 *   parser, tools, Human-review nodes) are removed with their connections. With `realAgent` the
 *   agent stays and talks to the sandbox model, and a Chat Trigger is made public instead;
 * - a Schedule or Chat trigger becomes a Webhook of the same name (POST /webhook/<path>): n8n's
 *   `execute` command only starts at a Manual or Execute Workflow Trigger;
 * - Approval Gate (and its Human-review tool) sends its links by `webhook` to a local inbox instead of e-mail;
 * - values of the "Settings" node the user fills in (URLs, ids), and address placeholders in
 *   tools, are set for the sandbox as `npm start` sets them (`applySettings`);
 * - credentials are attached by type: the sandbox's Agent Guard credentials (also on HTTP Request
 *   nodes that name our type as their predefined credential type), and the sandbox mailbox's SMTP
 *   credential on Send Email nodes.
 *
 * Everything else is the shipped JSON unchanged.
 */
import { applySettings, attachSandboxCredentials, TemplateWorkflow } from '../sandbox/templates';

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
	/** Values for the "Settings" node, by assignment name (and address placeholders, as `applySettings` does for `npm start`). */
	settings?: Record<string, string | number>;
	/** Keep the AI Agent and its sub-nodes (the sandbox model answers); a Chat Trigger is then made public instead of swapped. */
	realAgent?: boolean;
}

const CHAT_TRIGGER = '@n8n/n8n-nodes-langchain.chatTrigger';
const SWAPPED_TRIGGERS = new Set(['n8n-nodes-base.scheduleTrigger', CHAT_TRIGGER]);
const AGENT = '@n8n/n8n-nodes-langchain.agent';

export function testCopy(template: TemplateWorkflow, options: TestCopyOptions = {}): TemplateWorkflow {
	const wf = applySettings(attachSandboxCredentials(template), options.settings ?? {});
	let nodes = wf.nodes as unknown as Node[];
	const connections = wf.connections as Connections;

	for (const agent of nodes.filter((n) => n.type === AGENT && !options.realAgent)) {
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
		if (node.type === CHAT_TRIGGER && options.realAgent) {
			// The chat's public webhook, POST /webhook/<webhookId>/chat, as an embedded chat calls it.
			Object.assign(node.parameters, { public: true, mode: 'webhook' });
		} else if (SWAPPED_TRIGGERS.has(node.type)) {
			Object.assign(node, { type: 'n8n-nodes-base.webhook', typeVersion: 2, webhookId: node.id, parameters: { httpMethod: 'POST', path: options.webhookPath ?? `template-${String(wf.id)}`, responseMode: 'onReceived', options: {} } });
		}
		const gate = (node.type === 'n8n-nodes-agent-guard.approvalGate' && node.parameters.operation === 'sendAndWait') || node.type === 'n8n-nodes-agent-guard.approvalGateHitlTool';
		if (gate && options.approvalInbox) {
			node.parameters.channel = 'webhook';
			node.parameters.webhookUrl = options.approvalInbox;
			delete node.parameters.fromEmail;
		}
	}
	wf.nodes = nodes as unknown as TemplateWorkflow['nodes'];
	return wf;
}

