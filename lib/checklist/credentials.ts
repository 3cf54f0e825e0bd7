import { CredentialDataError, trackingFromCredential, credentialStatus } from '../credentials/expiry';
import { checkScopes } from '../policy/scopes';
import { Policy } from '../policy/types';
import { AGENT_GUARD_CREDENTIAL_TYPES, SAAS_CREDENTIAL_TYPES, agentIdOf, touchesSaas } from './nodeKinds';
import { holdsPolicy, policyOf } from './policies';
import { ChecklistInputs, CredentialData, RuleResult, quoteList, result } from './types';
import { CredentialRef, Workflow } from './workflow';

/**
 * credential_rotation, credential_owner, credential_scopes, over the Salesforce, Zendesk and
 * QuickBooks credentials set on the workflow's enabled nodes. n8n's own credential types for
 * these systems track neither rotation nor owner: they fail both, with the fix to use Agent
 * Guard's. The values come from the decrypted credential data (`n8n export:credentials
 * --decrypted`); without it the rules fail with "could not check". Scopes whose credential type
 * fixes them (n8n's Salesforce OAuth2 asks for "full"; API tokens have all of the user's access)
 * are checked from the type alone.
 */
const MAX_ROTATION_DAYS = 90;

export interface UsedCredential {
	ref: CredentialRef;
	nodes: string[];
	agentIds: Set<string>;
}

function label(ref: CredentialRef): string {
	return `"${ref.name ?? ref.id ?? '?'}" (${ref.type})`;
}

export function usedCredentials(workflow: Workflow): UsedCredential[] {
	const byKey = new Map<string, UsedCredential>();
	for (const node of workflow.nodes) {
		if (node.disabled || !touchesSaas(node)) continue;
		for (const ref of node.credentials) {
			if (SAAS_CREDENTIAL_TYPES[ref.type] === undefined) continue;
			const key = `${ref.type}\u0000${ref.id ?? ref.name ?? ''}`;
			const used = byKey.get(key) ?? { ref, nodes: [], agentIds: new Set<string>() };
			used.nodes.push(node.name);
			const id = agentIdOf(node);
			if (id) used.agentIds.add(id);
			byKey.set(key, used);
		}
	}
	return [...byKey.values()];
}

export function dataFor(ref: CredentialRef, inputs: ChecklistInputs): CredentialData | undefined {
	const all = inputs.credentials ?? [];
	return all.find((c) => c.type === ref.type && ref.id !== undefined && c.id === ref.id) ?? all.find((c) => c.type === ref.type && ref.name !== undefined && c.name === ref.name);
}

/** The scopes a credential holds: what the system granted, else what it asks for, else what its type fixes. */
function scopesOf(ref: CredentialRef, data: CredentialData | undefined): string[] | undefined {
	const split = (value: unknown) => (typeof value === 'string' ? value.split(/[\s,]+/).filter(Boolean) : Array.isArray(value) ? value.map(String) : []);
	if (ref.type === 'agentGuardZendeskApi' || ref.type === 'zendeskApi') return ['read', 'write'];
	const fixed: Record<string, string> = {
		salesforceOAuth2Api: 'full refresh_token',
		zendeskOAuth2Api: 'read write',
		quickBooksOAuth2Api: 'com.intuit.quickbooks.accounting',
		agentGuardQuickBooksOAuth2Api: 'com.intuit.quickbooks.accounting',
	};
	const defaults: Record<string, string> = { agentGuardSalesforceOAuth2Api: 'api refresh_token', agentGuardZendeskOAuth2Api: 'read write' };
	if (data) {
		const token = data.data.oauthTokenData;
		const granted = split(typeof token === 'object' && token !== null ? (token as { scope?: unknown }).scope : undefined);
		if (granted.length) return granted;
		const requested = split(data.data.scope);
		if (requested.length) return requested;
		return split(fixed[ref.type] ?? defaults[ref.type]);
	}
	return fixed[ref.type] ? split(fixed[ref.type]) : undefined;
}

export function checkCredentials(workflow: Workflow, inputs: ChecklistInputs): RuleResult[] {
	const used = usedCredentials(workflow);
	if (used.length === 0) {
		const message = 'No Salesforce, Zendesk or QuickBooks credential is set on any node (yet): check again once credentials are filled in';
		return [result('credential_rotation', 'not_applicable', message), result('credential_owner', 'not_applicable', message), result('credential_scopes', 'not_applicable', message)];
	}
	const now = inputs.now ?? Date.now();
	const how = inputs.credentialsHint ?? 'provide the decrypted credential data';
	const missingData = inputs.credentials === undefined ? `could not check: no credential data (${how})` : 'could not check: not in the credential data given';
	const rotation: { bad: string[]; problems: string[] } = { bad: [], problems: [] };
	const owner: { bad: string[]; problems: string[] } = { bad: [], problems: [] };
	const scopes: { bad: string[]; problems: string[] } = { bad: [], problems: [] };

	for (const u of used) {
		const name = label(u.ref);
		const ours = AGENT_GUARD_CREDENTIAL_TYPES.has(u.ref.type);
		const data = dataFor(u.ref, inputs);
		if (!ours) {
			const msg = `${name} is n8n's own credential type: it has no rotation or owner tracking`;
			rotation.problems.push(msg);
			rotation.bad.push(...u.nodes);
			owner.problems.push(msg);
			owner.bad.push(...u.nodes);
		} else if (!data) {
			rotation.problems.push(`${name}: ${missingData}`);
			rotation.bad.push(...u.nodes);
			owner.problems.push(`${name}: ${missingData}`);
			owner.bad.push(...u.nodes);
		} else {
			try {
				const tracking = trackingFromCredential(data.data);
				let problem: string | undefined;
				if (tracking.rotationIntervalDays === undefined) problem = `${name} has no rotation interval`;
				else if (tracking.rotationIntervalDays > MAX_ROTATION_DAYS) problem = `${name} rotates every ${tracking.rotationIntervalDays} days (more than ${MAX_ROTATION_DAYS})`;
				else if (tracking.lastRotatedAt === undefined) problem = `${name} has no "Last Rotated" date, so its rotation cannot be due`;
				else if (tracking.lastRotatedAt + tracking.rotationIntervalDays * 86_400_000 <= now) problem = `${name} is overdue for rotation (due ${credentialStatus(tracking, now).rotationDueAt})`;
				if (problem) {
					rotation.problems.push(problem);
					rotation.bad.push(...u.nodes);
				}
				if (!tracking.owner) {
					owner.problems.push(`${name} has no owner e-mail`);
					owner.bad.push(...u.nodes);
				}
			} catch (error) {
				if (!(error instanceof CredentialDataError)) throw error;
				const target = error.field === 'ownerEmail' ? owner : rotation;
				target.problems.push(`${name}: ${error.message}`);
				target.bad.push(...u.nodes);
			}
		}

		const granted = scopesOf(u.ref, data);
		const policies = policiesFor(workflow, u.agentIds);
		if (!granted) {
			scopes.problems.push(`${name}: ${missingData}`);
			scopes.bad.push(...u.nodes);
		} else if (!policies) {
			scopes.problems.push(`${name}: could not check: no readable policy for ${u.agentIds.size ? `agent(s) ${quoteList([...u.agentIds])}` : 'the agents of this workflow'}`);
			scopes.bad.push(...u.nodes);
		} else {
			const report = checkScopes(policies, SAAS_CREDENTIAL_TYPES[u.ref.type], granted);
			if (report.overPermissioned.length) {
				scopes.problems.push(`${name} holds ${quoteList(report.overPermissioned)} where the policy needs ${report.needed.length ? quoteList(report.needed) : 'none'}`);
				scopes.bad.push(...u.nodes);
			}
		}
	}
	const names = used.map((u) => label(u.ref)).join(', ');
	const allNodes = used.flatMap((u) => u.nodes);
	return [
		rotation.problems.length
			? result('credential_rotation', 'fail', rotation.problems.join('; '), rotation.bad, `Use Agent Guard's credential types for Salesforce, Zendesk and QuickBooks and set "Rotation Interval (Days)" to ${MAX_ROTATION_DAYS} or less and "Last Rotated"; rotate overdue secrets. Then check again with the credential data.`)
			: result('credential_rotation', 'pass', `${names}: rotation every ${MAX_ROTATION_DAYS} days or less, not overdue`, allNodes),
		owner.problems.length
			? result('credential_owner', 'fail', owner.problems.join('; '), owner.bad, 'Use Agent Guard\'s credential types and fill in "Owner E-Mail" (who is told before it expires or is due for rotation).')
			: result('credential_owner', 'pass', `${names}: every credential names an owner`, allNodes),
		scopes.problems.length
			? result('credential_scopes', 'fail', scopes.problems.join('; '), scopes.bad, 'Ask for no more than the policy needs: Salesforce "api" (not "full"), Zendesk resource scopes such as "tickets:read tickets:write"; reconnect the credential after changing its Scope. Scope Guard (Check Credential Scopes) shows what is granted.')
			: result('credential_scopes', 'pass', `${names}: no scope beyond what the policy needs`, allNodes),
	];
}

/** One policy with the rules of every policy of these agents (or of the whole workflow when the credential's nodes name none). */
function policiesFor(workflow: Workflow, agentIds: ReadonlySet<string>): Policy | undefined {
	const holders = workflow.nodes.filter((n) => holdsPolicy(n) && (agentIds.size === 0 || agentIds.has(agentIdOf(n) ?? '')));
	const policies = holders.map(policyOf);
	if (policies.length === 0 || policies.some((p) => !p.policy)) return undefined;
	return { rules: policies.flatMap((p) => p.policy?.rules ?? []) };
}
