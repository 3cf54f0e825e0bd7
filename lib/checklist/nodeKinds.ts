import { WorkflowNode } from './workflow';

/**
 * What each node in a workflow is, for the checklist: AI agents, writes to Salesforce, Zendesk or
 * QuickBooks, and the guards that stand between them. n8n omits parameters that equal their
 * default, so every reader here knows the default (taken from the node descriptions of n8n 2.8.4
 * and of this package).
 */
export const GUARD_PREFIX = 'n8n-nodes-agent-guard.';

/** n8n's AI Agent, and the AI Agent used as a tool of another agent. */
export const AGENT_TYPES: ReadonlySet<string> = new Set(['@n8n/n8n-nodes-langchain.agent', '@n8n/n8n-nodes-langchain.agentTool']);

export type SaasSystem = 'salesforce' | 'zendesk' | 'quickbooks';

/** The guard nodes that run an agent (and so name it in their Agent ID). */
export const AGENT_GUARDS: ReadonlySet<string> = new Set(['scopeGuard', 'injectionSanitizer', 'spendCap', 'approvalGate', 'guardedWrite']);

export function guardName(node: WorkflowNode): string | undefined {
	if (!node.type.startsWith(GUARD_PREFIX)) return undefined;
	return node.type.slice(GUARD_PREFIX.length);
}

export function isExpression(value: unknown): value is string {
	return typeof value === 'string' && value.startsWith('=');
}

export function param(node: WorkflowNode, name: string, fallback: unknown): unknown {
	const value = node.parameters[name];
	return value === undefined ? fallback : value;
}

export function isAgent(node: WorkflowNode): boolean {
	return !node.disabled && AGENT_TYPES.has(node.type);
}

/** A guard whose errors n8n sends out of its first output ("continue (regular output)") lets items through when it fails: it guards nothing. */
function failsOpen(node: WorkflowNode): boolean {
	return node.onError === 'continueRegularOutput';
}

function liveGuard(node: WorkflowNode, name: string): boolean {
	return !node.disabled && !failsOpen(node) && guardName(node) === name;
}

/**
 * Does an item leaving `node` through `output` carry an approval that was checked? Only Approval
 * Gate's Check Approval, output Approved. Send for Approval and Wait does not count: n8n resumes it
 * through its one output for approved and rejected alike, and a timed-out wait sends the input on.
 */
export function approvalPasses(node: WorkflowNode, output: number): boolean {
	return liveGuard(node, 'approvalGate') && param(node, 'operation', 'sendAndWait') === 'checkApproval' && output === 0;
}

/** Scope Guard, Check Actions, output Allowed. */
export function scopePasses(node: WorkflowNode, output: number): boolean {
	return liveGuard(node, 'scopeGuard') && param(node, 'operation', 'checkActions') === 'checkActions' && output === 0;
}

/** Spend Cap, Check & Reserve, outputs Within Cap and Warning. */
export function spendPasses(node: WorkflowNode, output: number): boolean {
	return liveGuard(node, 'spendCap') && param(node, 'operation', 'checkAndReserve') === 'checkAndReserve' && (output === 0 || output === 1);
}

/** A Guarded Write with Require Approval on (the default) checks and consumes the approval itself. */
export function writeEnforcesApproval(node: WorkflowNode): boolean {
	return guardName(node) === 'guardedWrite' && !failsOpen(node) && param(node, 'requireApproval', true) === true;
}

/** A Guarded Write with Check Policy on (the default) checks the action against a Scope Guard policy itself. */
export function writeEnforcesPolicy(node: WorkflowNode): boolean {
	return guardName(node) === 'guardedWrite' && !failsOpen(node) && param(node, 'checkPolicy', true) === true;
}

// ------------------------------------------------------------------------------------------
// Writes

const SAAS_NODES: Record<string, SaasSystem> = {
	'n8n-nodes-base.salesforce': 'salesforce',
	'n8n-nodes-base.zendesk': 'zendesk',
	'n8n-nodes-base.quickbooks': 'quickbooks',
	'n8n-nodes-base.salesforceTool': 'salesforce',
	'n8n-nodes-base.zendeskTool': 'zendesk',
	'n8n-nodes-base.quickbooksTool': 'quickbooks',
};

/** Default resource, and default operation per resource (n8n 2.8.4: Salesforce and Zendesk default to create). */
const SAAS_DEFAULTS: Record<SaasSystem, { resource: string; operation: Record<string, string> }> = {
	salesforce: {
		resource: 'lead',
		operation: {
			lead: 'create', contact: 'create', customObject: 'create', document: 'upload', opportunity: 'create', account: 'create',
			search: 'query', case: 'create', task: 'create', attachment: 'create', user: 'get', flow: 'invoke',
		},
	},
	zendesk: { resource: 'ticket', operation: { ticket: 'create', ticketField: 'get', user: 'create', organization: 'create' } },
	quickbooks: { resource: 'customer', operation: { transaction: 'getReport' } },
};

/** Operations that only read. Anything else (create, update, upsert, delete, addNote, send, void, recover, invoke, upload…) writes. */
const READ_OPERATIONS: ReadonlySet<string> = new Set(['get', 'getAll', 'getSummary', 'search', 'query', 'count', 'getOrganizations', 'getRelatedData', 'getReport']);

const HTTP_TYPES: ReadonlySet<string> = new Set(['n8n-nodes-base.httpRequest', 'n8n-nodes-base.httpRequestTool']);
const WRITE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Credential types that can only be for one of the three systems (ours and n8n's own). */
export const SAAS_CREDENTIAL_TYPES: Record<string, SaasSystem> = {
	agentGuardSalesforceOAuth2Api: 'salesforce',
	agentGuardZendeskApi: 'zendesk',
	agentGuardZendeskOAuth2Api: 'zendesk',
	agentGuardQuickBooksOAuth2Api: 'quickbooks',
	salesforceOAuth2Api: 'salesforce',
	salesforceJwtApi: 'salesforce',
	zendeskApi: 'zendesk',
	zendeskOAuth2Api: 'zendesk',
	quickBooksOAuth2Api: 'quickbooks',
};

export const AGENT_GUARD_CREDENTIAL_TYPES: ReadonlySet<string> = new Set([
	'agentGuardSalesforceOAuth2Api',
	'agentGuardZendeskApi',
	'agentGuardZendeskOAuth2Api',
	'agentGuardQuickBooksOAuth2Api',
]);

export function systemOfHost(host: string): SaasSystem | undefined {
	const h = host.toLowerCase().replace(/\.$/, '');
	const under = (domain: string) => h === domain || h.endsWith(`.${domain}`);
	if (under('salesforce.com') || under('force.com')) return 'salesforce';
	if (under('zendesk.com')) return 'zendesk';
	if (under('intuit.com')) return 'quickbooks';
	return undefined;
}

export interface WriteInfo {
	system: SaasSystem | 'unknown';
	/** e.g. "lead create", "POST https://acme.my.salesforce.com/…", "Guarded Write" */
	what: string;
	/** why we cannot tell the system (an expression host): the write is assumed, fail closed */
	unsure?: string;
}

/** The host of a URL parameter; undefined when the host part is an expression. */
function hostOf(url: string): { host?: string; expression: boolean } {
	const text = url.startsWith('=') ? url.slice(1) : url;
	const m = /^\s*([a-z][a-z0-9+.-]*:)?\/\/([^/?#]*)/i.exec(text);
	if (!m) return { expression: url.startsWith('=') && text.includes('{{') };
	const authority = m[2];
	if (authority.includes('{{') || authority.includes('}}') || (m[1] === undefined && text.trimStart().startsWith('{{'))) return { expression: true };
	return { host: authority.replace(/^[^@]*@/, '').replace(/:\d+$/, ''), expression: false };
}

function httpWrite(node: WorkflowNode): WriteInfo | undefined {
	const methodParam = node.typeVersion >= 3 ? 'method' : 'requestMethod';
	const rawMethod = param(node, methodParam, 'GET');
	const url = String(param(node, 'url', ''));
	const credentialSystem = node.credentials.map((c) => SAAS_CREDENTIAL_TYPES[c.type]).find((s) => s !== undefined)
		?? (typeof node.parameters.nodeCredentialType === 'string' ? SAAS_CREDENTIAL_TYPES[node.parameters.nodeCredentialType] : undefined);
	const methodUnknown = isExpression(rawMethod);
	const method = methodUnknown ? String(rawMethod) : String(rawMethod).toUpperCase();
	if (!methodUnknown && !WRITE_METHODS.has(method)) return undefined;
	const { host, expression } = hostOf(url);
	const system = (host ? systemOfHost(host) : undefined) ?? credentialSystem;
	const shortUrl = url.length > 80 ? `${url.slice(0, 79)}…` : url;
	if (system) {
		return { system, what: `${method} ${shortUrl}`, unsure: methodUnknown ? 'its method is an expression, so it may write' : undefined };
	}
	if (expression || (url === '' && !host)) {
		return { system: 'unknown', what: `${method} ${shortUrl || '(no URL)'}`, unsure: 'its URL host is an expression, so it may be Salesforce, Zendesk or QuickBooks' };
	}
	return undefined;
}

/** A write to Salesforce, Zendesk or QuickBooks, or undefined. Disabled nodes do not write. */
export function writeOf(node: WorkflowNode): WriteInfo | undefined {
	if (node.disabled) return undefined;
	if (guardName(node) === 'guardedWrite') {
		const dryRun = param(node, 'dryRun', false);
		if (dryRun === true) return undefined;
		return { system: 'unknown', what: 'Guarded Write', unsure: isExpression(dryRun) ? 'Dry Run is an expression, so it may write' : undefined };
	}
	const system = SAAS_NODES[node.type];
	if (system) {
		const defaults = SAAS_DEFAULTS[system];
		const resource = String(param(node, 'resource', defaults.resource));
		const operation = String(param(node, 'operation', defaults.operation[resource] ?? 'get'));
		if (READ_OPERATIONS.has(operation)) return undefined;
		return { system, what: `${resource} ${operation}`, unsure: isExpression(operation) ? 'its operation is an expression' : undefined };
	}
	if (HTTP_TYPES.has(node.type)) return httpWrite(node);
	return undefined;
}

/** Nodes that touch a SaaS system at all (read or write): their credentials are "used" for the credential rules. */
export function touchesSaas(node: WorkflowNode): boolean {
	if (SAAS_NODES[node.type] !== undefined) return true;
	const g = guardName(node);
	if (g === 'guardedWrite' || g === 'reverseWrite' || g === 'credentialCheck') return true;
	return node.credentials.some((c) => SAAS_CREDENTIAL_TYPES[c.type] !== undefined);
}

/** The Agent ID a guard node names (literal or expression text), if any. */
export function agentIdOf(node: WorkflowNode): string | undefined {
	const raw = node.parameters.agentId;
	if (typeof raw !== 'string' || raw.trim() === '' || raw.trim() === '=') return undefined;
	return raw.trim();
}
