import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { AgentRecord, suspendedMessage } from '../../lib/agents/agent';
import { evaluate } from '../../lib/policy/evaluate';
import { filterRecord } from '../../lib/policy/filter';
import { checkScopes } from '../../lib/policy/scopes';
import { Policy, PolicyReason, ProposedAction } from '../../lib/policy/types';
import { valueAt, withValueAt } from '../../lib/fields/path';
import { GuardRun } from '../../lib/runtime/guardRun';
import { Reason } from '../../lib/runtime/reasons';
import { loadPolicy } from '../shared/policy';
import { CREDENTIAL_TYPES, SAAS_SYSTEMS, SYSTEM_NAMES, credentialTypeFor } from '../shared/saas';
import { SaasSystem } from '../../lib/saas/types';
import { agentGuardApiTest, failedItem, openGuardRun, toNodeError } from '../shared/runtime';
import { properties } from './description';

type Out = { allowed: boolean; item: INodeExecutionData; entry?: number; decision: string; reasons: Reason[]; agentId?: string };

export class ScopeGuard implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Scope Guard',
		name: 'scopeGuard',
		icon: 'file:scopeGuard.svg',
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["agentId"] }}',
		description: 'Least privilege for AI agents: object- and field-level allow-lists for what an agent reads and proposes to write. Default deny.',
		defaults: { name: 'Scope Guard' },
		inputs: ['main'],
		// Two outputs by design (Allowed, Denied), as n8n's own If node has; the rule assumes one.
		// eslint-disable-next-line n8n-nodes-base/node-class-description-outputs-wrong
		outputs: ['main', 'main'],
		outputNames: ['Allowed', 'Denied'],
		// Optional: without it the embedded journal in the n8n user folder is used.
		credentials: [
			{ name: 'agentGuardApi', required: false, testedBy: 'agentGuardApiTest' },
			// Only to read granted scopes from (Check Credential Scopes, Scopes From: Credential).
			{ name: 'agentGuardSalesforceOAuth2Api', required: false, displayOptions: { show: { operation: ['checkScopes'], scopesSource: ['credential'] } } },
			{ name: 'agentGuardZendeskApi', required: false, displayOptions: { show: { operation: ['checkScopes'], scopesSource: ['credential'], zendeskAuthentication: ['apiToken'] } } },
			{ name: 'agentGuardZendeskOAuth2Api', required: false, displayOptions: { show: { operation: ['checkScopes'], scopesSource: ['credential'], zendeskAuthentication: ['oAuth2'] } } },
			{ name: 'agentGuardQuickBooksOAuth2Api', required: false, displayOptions: { show: { operation: ['checkScopes'], scopesSource: ['credential'] } } },
		],
		properties,
	};

	methods = { credentialTest: { agentGuardApiTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = this.getNodeParameter('operation', 0) as string;
		const policy = loadPolicy(this);
		const run = await openGuardRun(this);
		const items = this.getInputData();
		const counts = new Map<string, number>();
		const outs: Out[] = [];
		for (let i = 0; i < items.length; i++) {
			try {
				const agentId = run.agentId(this.getNodeParameter('agentId', i));
				const agent = await run.agent(agentId);
				if (operation === 'checkActions') outs.push(checkAction(this, run, policy, i, items[i], agentId, agent, counts));
				else if (operation === 'filterRecords') outs.push(filterItem(this, run, policy, i, items[i], agentId, agent));
				else outs.push(await checkItemScopes(this, run, policy, i, items[i], agentId, agent));
			} catch (error) {
				const nodeError = toNodeError(this, error, i, /Agent ID/.test(String(error)) ? 'Agent ID' : undefined);
				if (!this.continueOnFail()) throw nodeError;
				outs.push({ allowed: false, item: failedItem(nodeError, i), decision: 'error', reasons: [] });
			}
		}
		try {
			await run.flush();
		} catch (error) {
			throw toNodeError(this, error);
		}
		const allowed: INodeExecutionData[] = [];
		const denied: INodeExecutionData[] = [];
		for (const out of outs) {
			if (out.decision !== 'error') out.item.json.guard = { ...(out.item.json.guard as IDataObject | undefined), ...(run.stamp(out.decision, out.reasons, out.agentId, out.entry) as unknown as IDataObject) };
			(out.allowed ? allowed : denied).push(out.item);
		}
		return [allowed, denied];
	}
}

function suspendedReason(agent: AgentRecord | undefined): PolicyReason[] | undefined {
	return agent?.status === 'suspended' ? [{ code: 'agent_suspended' as PolicyReason['code'], message: suspendedMessage(agent) }] : undefined;
}

function checkAction(ctx: IExecuteFunctions, run: GuardRun, policy: Policy, i: number, item: INodeExecutionData, agentId: string, agent: AgentRecord | undefined, counts: Map<string, number>): Out {
	const field = (ctx.getNodeParameter('actionField', i, 'action') as string).trim();
	const action = valueAt(item.json, field) as ProposedAction;
	const decision = suspendedReason(agent) ? { allowed: false, reasons: suspendedReason(agent)!, rule: undefined } : evaluate(policy, action, counts);
	if (!decision.allowed && decision.reasons[0]?.code === 'malformed_action' && ctx.getNodeParameter('errorOnMalformed', i, false)) {
		const first = decision.reasons[0];
		throw new NodeOperationError(ctx.getNode(), `Item ${i}, field "${field ? `${field}.` : ''}${first.field ?? ''}": ${first.message}`, { itemIndex: i });
	}
	if (decision.allowed && decision.rule) counts.set(decision.rule, (counts.get(decision.rule) ?? 0) + 1);
	const a = (action && typeof action === 'object' ? action : {}) as Partial<ProposedAction>;
	const entry = run.record({
		agentId,
		actor: { type: 'agent', id: agentId },
		event: 'scope.decided',
		subject: { system: str(a.system), object: str(a.object), recordId: a.recordId === undefined ? undefined : String(a.recordId) },
		details: { allowed: decision.allowed, operation: str(a.operation), fields: a.fields && typeof a.fields === 'object' ? Object.keys(a.fields) : [], reasons: decision.reasons, rule: decision.rule },
	});
	return { allowed: decision.allowed, item: { json: { ...item.json }, pairedItem: { item: i } }, entry, decision: decision.allowed ? 'allow' : 'deny', reasons: decision.reasons, agentId };
}

function filterItem(ctx: IExecuteFunctions, run: GuardRun, policy: Policy, i: number, item: INodeExecutionData, agentId: string, agent: AgentRecord | undefined): Out {
	const system = String(ctx.getNodeParameter('system', i, '')).trim();
	const object = String(ctx.getNodeParameter('object', i, '')).trim();
	const field = (ctx.getNodeParameter('recordField', i, '') as string).trim();
	const record = valueAt(item.json, field);
	if (!system || !object) throw new NodeOperationError(ctx.getNode(), `Item ${i}, field "${!system ? 'System' : 'Object'}": empty; say which system and object this record is`, { itemIndex: i });
	if (record === null || typeof record !== 'object' || Array.isArray(record)) throw new NodeOperationError(ctx.getNode(), `Item ${i}, field "Record Field": no record object at "${field || '(whole item)'}"`, { itemIndex: i });
	const suspended = suspendedReason(agent);
	const result = suspended ? { allowed: false, removed: [] as string[], reasons: suspended, record: undefined, rule: undefined } : filterRecord(policy, system, object, record as Record<string, unknown>);
	const entry = run.record({
		agentId,
		actor: { type: 'agent', id: agentId },
		event: 'scope.filtered',
		subject: { system, object, recordId: idOf(record as Record<string, unknown>) },
		details: { allowed: result.allowed, removed: result.removed, reasons: result.reasons, rule: result.rule },
	});
	// A dropped record leaves without its content: whatever is wired to Denied cannot leak it to the agent.
	let json: IDataObject = {};
	if (result.allowed) json = field ? withValueAt(item.json, field, result.record) : (result.record as IDataObject);
	json.guard = { removed: result.removed } as IDataObject;
	return { allowed: result.allowed, item: { json, pairedItem: { item: i } }, entry, decision: result.allowed ? 'allow' : 'deny', reasons: result.reasons, agentId };
}

async function checkItemScopes(ctx: IExecuteFunctions, run: GuardRun, policy: Policy, i: number, item: INodeExecutionData, agentId: string, agent: AgentRecord | undefined): Promise<Out> {
	const system = String(ctx.getNodeParameter('system', i, '')).trim();
	if (!system) throw new NodeOperationError(ctx.getNode(), `Item ${i}, field "System": empty; say whose scopes these are (salesforce, zendesk, quickbooks)`, { itemIndex: i });
	const fromCredential = ctx.getNodeParameter('scopesSource', i, 'parameter') === 'credential';
	let granted: string[];
	let source = 'parameter';
	if (fromCredential) {
		const found = await scopesFromCredential(ctx, system, i);
		granted = found.scopes;
		source = found.source;
	} else {
		const raw = ctx.getNodeParameter('scopes', i, '') as unknown;
		granted = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(/[\s,]+/) : [];
	}
	const report = { ...checkScopes(policy, system, granted), scopesFrom: source };
	const suspended = suspendedReason(agent);
	const reasons: Reason[] = suspended ?? [
		...report.overPermissioned.map((s) => ({ code: 'scope_beyond_policy', message: `granted scope "${s}" is more than the policy needs` })),
		...report.missing.map((s) => ({ code: 'scope_missing', message: `the policy needs scope "${s}", which was not granted` })),
	];
	const entry = run.record({ agentId, actor: { type: 'system', id: 'agent-guard' }, event: 'scope.scopes_checked', subject: { system: report.system }, details: { ...report } });
	const ok = report.ok && !suspended;
	return { allowed: ok, item: { json: { ...item.json, ...(report as unknown as IDataObject) }, pairedItem: { item: i } }, entry, decision: ok ? 'allow' : 'deny', reasons, agentId };
}

/**
 * The scopes a SaaS credential holds: what the system granted (the token response's `scope`, which
 * Salesforce and Zendesk return), else what the credential asks for. A Zendesk API token has all of
 * its user's access, so it counts as read and write.
 */
async function scopesFromCredential(ctx: IExecuteFunctions, rawSystem: string, i: number): Promise<{ scopes: string[]; source: string }> {
	const system = rawSystem.toLowerCase();
	if (!(SAAS_SYSTEMS as string[]).includes(system)) {
		throw new NodeOperationError(ctx.getNode(), `Item ${i}, field "System": "${rawSystem}" has no Agent Guard credential type; use salesforce, zendesk or quickbooks`, { itemIndex: i });
	}
	const type = credentialTypeFor(ctx, system as SaasSystem);
	if (ctx.getNode().credentials?.[type] === undefined) {
		throw new NodeOperationError(ctx.getNode(), `Item ${i}: "Scopes From" is Credential but the node has no ${SYSTEM_NAMES[system as SaasSystem]} credential`, { itemIndex: i, description: 'Select the credential to check, or set "Scopes From" to Parameter.' });
	}
	const data = await ctx.getCredentials(type);
	if (type === CREDENTIAL_TYPES.zendeskToken) return { scopes: ['read', 'write'], source: 'api_token' };
	const token = (data.oauthTokenData ?? {}) as { scope?: unknown };
	const split = (value: unknown) => (typeof value === 'string' ? value.split(/[\s,]+/).filter(Boolean) : Array.isArray(value) ? value.map(String) : []);
	const granted = split(token.scope);
	if (granted.length) return { scopes: granted, source: 'granted' };
	return { scopes: split(data.scope), source: 'requested' };
}

function str(value: unknown): string | undefined {
	return typeof value === 'string' ? value : undefined;
}

function idOf(record: Record<string, unknown>): string | undefined {
	const id = record.Id ?? record.id;
	return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}
