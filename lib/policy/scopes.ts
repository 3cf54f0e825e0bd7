import { normaliseSystem } from './names';
import { Policy } from './types';

/**
 * OAuth scopes a policy needs per system, and what a granted set has beyond or short of it.
 * Scopes that identify the user or keep the session (openid, refresh_token…) are never "extra".
 */
const NEUTRAL = new Set(['openid', 'profile', 'email', 'phone', 'address', 'id', 'refresh_token', 'offline_access']);

export interface ScopeReport {
	system: string;
	granted: string[];
	needed: string[];
	overPermissioned: string[];
	missing: string[];
	ok: boolean;
	note?: string;
}

export function neededScopes(policy: Policy, system: string): string[] {
	const sys = normaliseSystem(system);
	const rules = policy.rules.filter((r) => r.system === sys || r.system === '*');
	const reads = rules.some((r) => r.operations.has('read'));
	const writes = rules.some((r) => r.operations.has('create') || r.operations.has('update') || r.operations.has('delete'));
	if (!reads && !writes) return [];
	switch (sys) {
		case 'salesforce':
			return ['api'];
		case 'quickbooks':
			return ['com.intuit.quickbooks.accounting'];
		case 'zendesk': {
			const needed = new Set<string>();
			for (const r of rules) {
				const resource = r.object === '*' ? undefined : zendeskResource(r.object);
				if (r.operations.has('read')) needed.add(resource ? `${resource}:read` : 'read');
				if (r.operations.has('create') || r.operations.has('update') || r.operations.has('delete')) needed.add(resource ? `${resource}:write` : 'write');
			}
			return [...needed].sort();
		}
		default:
			return [];
	}
}

function zendeskResource(object: string): string {
	const o = object.toLowerCase();
	return o.endsWith('s') ? o : `${o}s`;
}

/** Does a granted scope cover a needed one? (Zendesk's "read"/"write" cover every resource.) */
function covers(system: string, granted: string, needed: string): boolean {
	if (granted === needed) return true;
	if (system === 'zendesk') {
		const [, access] = needed.split(':');
		return access !== undefined && granted === access;
	}
	return false;
}

export function checkScopes(policy: Policy, system: string, granted: string[]): ScopeReport {
	const sys = normaliseSystem(system);
	const clean = [...new Set(granted.map((s) => s.trim()).filter(Boolean))].sort();
	const needed = neededScopes(policy, sys);
	const missing = needed.filter((n) => !clean.some((g) => covers(sys, g, n)));
	const overPermissioned = clean.filter((g) => !NEUTRAL.has(g) && !needed.some((n) => covers(sys, g, n)));
	const note =
		sys === 'quickbooks' && needed.length > 0
			? 'QuickBooks has no read-only scope: com.intuit.quickbooks.accounting also allows writes, so the Scope Guard policy is what keeps this agent read-only.'
			: sys === 'salesforce' && needed.length > 0
				? 'Salesforce "api" gives the connected user\'s full API access: give the integration user a profile or permission set that matches this policy.'
				: undefined;
	return { system: sys, granted: clean, needed, overPermissioned, missing, ok: missing.length === 0 && overPermissioned.length === 0, note };
}
