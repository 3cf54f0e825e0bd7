/**
 * The bundled templates (workflows/*.json) made ready for the sandbox: every node slot for a
 * credential type the sandbox has gets the sandbox credential's `{ id, name }`. Templates ship
 * without credential ids; a slot counts when the node already names the type, or when one of our
 * nodes declares it and its display conditions hold for the node's parameters (Guarded Write's
 * Zendesk slot follows "Zendesk Authentication", Credential Check's follow "System", ...). n8n's
 * own nodes that need the sandbox's mail or model (Send Email → SMTP, OpenAI Chat Model → OpenAI)
 * are known by type (NODE_TYPE_CREDENTIALS). Everything else in a template stays as shipped: the
 * sandbox model answers whatever model name the chat model node asks for.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SANDBOX_CREDENTIALS } from './sandbox';

export interface TemplateWorkflow {
	id?: string;
	name: string;
	nodes: Array<Record<string, unknown>>;
	connections: Record<string, unknown>;
	[key: string]: unknown;
}

export interface TemplateFile {
	file: string;
	workflow: TemplateWorkflow;
}

const PACKAGE_PREFIX = 'n8n-nodes-agent-guard.';

/** n8n's own node types whose credential slot the sandbox can fill (they are not in our package's descriptions). */
export const NODE_TYPE_CREDENTIALS: Record<string, string[]> = {
	'@n8n/n8n-nodes-langchain.lmChatOpenAi': ['openAiApi'],
	'@n8n/n8n-nodes-langchain.lmOpenAi': ['openAiApi'],
	'n8n-nodes-base.emailSend': ['smtp'],
	'n8n-nodes-base.emailSendTool': ['smtp'],
};

interface CredentialSlot {
	name: string;
	displayOptions?: { show?: Record<string, unknown[]>; hide?: Record<string, unknown[]> };
}

interface NodeDescription {
	name: string;
	credentials?: CredentialSlot[];
	properties?: Array<{ name: string; default?: unknown }>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `workflows/*.json` (or another folder) in name order; throws naming the file that is not a workflow. */
export function loadTemplates(folder: string): TemplateFile[] {
	if (!fs.existsSync(folder)) return [];
	return fs
		.readdirSync(folder)
		.filter((f) => f.endsWith('.json'))
		.sort()
		.map((f) => {
			const file = path.join(folder, f);
			let value: unknown;
			try {
				value = JSON.parse(fs.readFileSync(file, 'utf8'));
			} catch (error) {
				throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
			}
			if (!isRecord(value) || typeof value.name !== 'string' || !Array.isArray(value.nodes) || !isRecord(value.connections)) {
				throw new Error(`${file} is not an n8n workflow (needs name, nodes and connections)`);
			}
			if (typeof value.id !== 'string' || value.id === '') {
				throw new Error(`${file} has no fixed "id": without one every import would add another copy`);
			}
			return { file, workflow: value as TemplateWorkflow };
		});
}

let descriptions: Map<string, NodeDescription> | undefined;

/**
 * Our node descriptions by type, loaded the way n8n finds them (package.json's `n8n.nodes`), relative
 * to this file: from dist/test/sandbox that is dist/nodes/…, from the sources (ts-jest) nodes/….
 */
function nodeDescriptions(): Map<string, NodeDescription> {
	if (descriptions) return descriptions;
	const found = new Map<string, NodeDescription>();
	const manifest = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { n8n?: { nodes?: string[] } };
	for (const file of manifest.n8n?.nodes ?? []) {
		const modulePath = path.join(__dirname, '..', '..', file.replace(/^dist\//, '').replace(/\.js$/, ''));
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const loaded = require(modulePath) as Record<string, unknown>;
		for (const exported of Object.values(loaded)) {
			if (typeof exported !== 'function') continue;
			const instance = new (exported as new () => { description?: NodeDescription })();
			if (instance.description?.name) found.set(PACKAGE_PREFIX + instance.description.name, instance.description);
		}
	}
	descriptions = found;
	return found;
}

function packageRoot(): string {
	for (let dir = __dirname; ; dir = path.dirname(dir)) {
		const manifest = path.join(dir, 'package.json');
		if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'n8n-nodes-agent-guard') return dir;
		if (path.dirname(dir) === dir) throw new Error(`Cannot find the package root above ${__dirname}`);
	}
}

/** n8n's displayOptions for a slot, against the node's parameters (defaults filled in). An expression counts as matching. */
function slotApplies(slot: CredentialSlot, parameters: Record<string, unknown>, description: NodeDescription): boolean {
	const value = (name: string): unknown => (name in parameters ? parameters[name] : description.properties?.find((p) => p.name === name)?.default);
	const matches = (name: string, allowed: unknown[]): boolean => {
		const v = value(name);
		return (typeof v === 'string' && v.startsWith('=')) || allowed.includes(v);
	};
	const show = slot.displayOptions?.show ?? {};
	const hide = slot.displayOptions?.hide ?? {};
	return Object.entries(show).every(([k, allowed]) => matches(k, allowed)) && !Object.entries(hide).some(([k, hidden]) => {
		const v = value(k);
		return !(typeof v === 'string' && v.startsWith('=')) && hidden.includes(v);
	});
}

/** A copy of the workflow with the sandbox credentials attached where a node has (or our node offers) a slot of their type. */
export function attachSandboxCredentials(workflow: TemplateWorkflow): TemplateWorkflow {
	const byType = new Map<string, { id: string; name: string }>(Object.values(SANDBOX_CREDENTIALS).map((c) => [c.type, { id: c.id, name: c.name }]));
	const copy = JSON.parse(JSON.stringify(workflow)) as TemplateWorkflow;
	for (const node of copy.nodes) {
		const credentials: Record<string, unknown> = isRecord(node.credentials) ? node.credentials : {};
		const type = typeof node.type === 'string' ? node.type : '';
		// n8n generates `<node>HitlTool` (Human review for AI Agent tool calls) from our node: same slots.
		const description = nodeDescriptions().get(type) ?? nodeDescriptions().get(type.replace(/HitlTool$/, ''));
		const parameters = isRecord(node.parameters) ? node.parameters : {};
		const slots = new Set(Object.keys(credentials));
		for (const slot of description?.credentials ?? []) if (slotApplies(slot, parameters, description as NodeDescription)) slots.add(slot.name);
		for (const slot of NODE_TYPE_CREDENTIALS[type] ?? []) slots.add(slot);
		// An HTTP Request node that signs in with one of our credential types ("Predefined Credential Type").
		if (parameters.authentication === 'predefinedCredentialType' && typeof parameters.nodeCredentialType === 'string') slots.add(parameters.nodeCredentialType);
		let changed = false;
		for (const slot of slots) {
			const sandbox = byType.get(slot);
			if (!sandbox) continue;
			credentials[slot] = { ...sandbox };
			changed = true;
		}
		if (changed) node.credentials = credentials;
	}
	return copy;
}

/** The values of a template's "Settings" node that name where each system is, for the sandbox. */
export function sandboxSettings(urls: { salesforce: string; zendesk: string; quickbooks: string }, realmId: string): Record<string, string> {
	return { salesforceUrl: urls.salesforce, zendeskApiUrl: urls.zendesk, quickbooksCompanyUrl: `${urls.quickbooks}${realmId}` };
}

/** Placeholders a template uses where a node (an agent's tool) names a system's address itself, by the setting that replaces them. */
const PLACEHOLDER_URLS: Record<string, string> = { zendeskApiUrl: 'https://YOUR-SUBDOMAIN.zendesk.com/api/v2' };

/**
 * A copy of the workflow that points at the sandbox: each assignment of the "Settings" node (a Set
 * node the user fills in) named in `settings` gets that value, and an address placeholder in any
 * other node's parameters (PLACEHOLDER_URLS) is replaced by its setting. Everything else is unchanged.
 */
export function applySettings(workflow: TemplateWorkflow, settings: Record<string, unknown>): TemplateWorkflow {
	const copy = JSON.parse(JSON.stringify(workflow)) as TemplateWorkflow;
	const replacements = Object.entries(PLACEHOLDER_URLS).filter(([name]) => typeof settings[name] === 'string').map(([name, placeholder]) => [placeholder, String(settings[name])] as const);
	const replace = (value: unknown): unknown => {
		if (typeof value === 'string') return replacements.reduce((text, [placeholder, url]) => text.split(placeholder).join(url), value);
		if (Array.isArray(value)) return value.map(replace);
		if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replace(v)]));
		return value;
	};
	for (const node of copy.nodes) {
		if (!isRecord(node.parameters)) continue;
		if (node.name !== 'Settings' || node.type !== 'n8n-nodes-base.set') {
			node.parameters = replace(node.parameters);
			continue;
		}
		const assignments = isRecord(node.parameters.assignments) ? node.parameters.assignments.assignments : undefined;
		if (!Array.isArray(assignments)) continue;
		for (const a of assignments) if (isRecord(a) && typeof a.name === 'string' && a.name in settings) a.value = settings[a.name];
	}
	return copy;
}

/** A stable digest of what would be imported, to tell whether a template changed since it was imported. */
export function templateDigest(workflow: TemplateWorkflow): string {
	return createHash('sha256').update(JSON.stringify(workflow)).digest('hex');
}
