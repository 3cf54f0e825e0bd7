import type { QuickBooksAdapter } from './quickbooks';
import type { SalesforceAdapter } from './salesforce';
import { SaasAdapter, SaasConnection, SaasSystem } from './types';
import type { ZendeskAdapter } from './zendesk';

/**
 * From an Agent Guard SaaS credential's data (as n8n decrypts it, or as `n8n export:credentials
 * --decrypted` prints it) to an adapter. Pure and free of n8n types, so the nodes and the CLI
 * share it; nodes/shared/saas.ts adds n8n's credential access and token refresh on top.
 */
export const SAAS_SYSTEMS: SaasSystem[] = ['salesforce', 'zendesk', 'quickbooks'];

export const SYSTEM_NAMES: Record<SaasSystem, string> = { salesforce: 'Salesforce', zendesk: 'Zendesk', quickbooks: 'QuickBooks' };

export const CREDENTIAL_TYPES = {
	salesforce: 'agentGuardSalesforceOAuth2Api',
	zendeskToken: 'agentGuardZendeskApi',
	zendeskOAuth2: 'agentGuardZendeskOAuth2Api',
	quickbooks: 'agentGuardQuickBooksOAuth2Api',
} as const;

export const OAUTH2_TYPES: ReadonlySet<string> = new Set<string>([CREDENTIAL_TYPES.salesforce, CREDENTIAL_TYPES.zendeskOAuth2, CREDENTIAL_TYPES.quickbooks]);

/** Why a credential cannot be used; `code` is a stable reason code. */
export class SaasCredentialError extends Error {
	constructor(
		readonly code: 'credential_missing' | 'credential_invalid',
		message: string,
		readonly field?: string,
	) {
		super(message);
	}
}

function text(data: Record<string, unknown>, key: string): string {
	const value = data[key];
	return typeof value === 'string' ? value.trim() : value === undefined || value === null ? '' : String(value);
}

function tokenData(data: Record<string, unknown>): Record<string, unknown> {
	const raw = data.oauthTokenData;
	return raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
}

/** The connection an adapter needs, from the credential's data. Pure. */
export function connectionFrom(system: SaasSystem, credentialType: string, data: Record<string, unknown>): SaasConnection {
	const token = tokenData(data);
	const oauthToken = typeof token.access_token === 'string' ? token.access_token : '';
	const needsOAuth = OAUTH2_TYPES.has(credentialType);
	if (needsOAuth && !oauthToken) {
		throw new SaasCredentialError('credential_invalid', `the ${SYSTEM_NAMES[system]} credential is not connected: open it in n8n and click "Connect my account"`, 'oauthTokenData');
	}
	if (system === 'salesforce') {
		const instanceUrl = typeof token.instance_url === 'string' ? token.instance_url : '';
		if (!instanceUrl) throw new SaasCredentialError('credential_invalid', 'the Salesforce credential has no instance URL (reconnect it so Salesforce returns one)', 'instance_url');
		return { baseUrl: instanceUrl, accessToken: oauthToken };
	}
	if (system === 'quickbooks') {
		const realmId = text(data, 'realmId');
		if (!realmId) throw new SaasCredentialError('credential_invalid', 'the QuickBooks credential has no Company ID (Realm ID)', 'realmId');
		const baseUrl =
			text(data, 'baseUrlOverride') ||
			(text(data, 'environment') === 'sandbox' ? 'https://sandbox-quickbooks.api.intuit.com/v3/company/' : 'https://quickbooks.api.intuit.com/v3/company/');
		return { baseUrl, accessToken: oauthToken, realmId };
	}
	const subdomain = text(data, 'subdomain');
	const baseUrl = text(data, 'baseUrlOverride') || (subdomain ? `https://${subdomain}.zendesk.com/api/v2` : '');
	if (!baseUrl) throw new SaasCredentialError('credential_invalid', 'the Zendesk credential has no subdomain', 'subdomain');
	if (needsOAuth) return { baseUrl, accessToken: oauthToken };
	const email = text(data, 'email');
	const apiToken = text(data, 'apiToken');
	if (!email || !apiToken) throw new SaasCredentialError('credential_invalid', 'the Zendesk credential needs the agent e-mail and an API token', email ? 'apiToken' : 'email');
	return { baseUrl, accessToken: apiToken, username: email };
}

const LOCAL_URL = /^https?:\/\/(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?(\/|$)/i;

/**
 * Whether a credential reaches a sandbox: its Environment says Sandbox, or it points at this
 * machine (the local emulators of `npm run sandbox`). Guarded Write records it on every entry,
 * which is how the pre-deployment checklist sees that a workflow was run against the sandbox.
 */
export function environmentOf(data: Record<string, unknown>, connection: SaasConnection): 'sandbox' | 'production' {
	return data.environment === 'sandbox' || LOCAL_URL.test(connection.baseUrl) ? 'sandbox' : 'production';
}

/**
 * The adapter for a system. Each client library is loaded on first use (jsforce alone takes
 * ~0.4 s), so a CLI command or node that never talks to a system does not pay for it.
 */
export function adapterFor(system: SaasSystem, connection: SaasConnection): SaasAdapter {
	if (system === 'salesforce') return new (require('./salesforce') as { SalesforceAdapter: typeof SalesforceAdapter }).SalesforceAdapter(connection);
	if (system === 'quickbooks') return new (require('./quickbooks') as { QuickBooksAdapter: typeof QuickBooksAdapter }).QuickBooksAdapter(connection);
	return new (require('./zendesk') as { ZendeskAdapter: typeof ZendeskAdapter }).ZendeskAdapter(connection);
}
