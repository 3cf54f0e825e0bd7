import type { IExecuteFunctions, INodeCredentialDescription, INodeProperties } from 'n8n-workflow';
import { CredentialDataError, CredentialStatus, credentialStatus, trackingFromCredential } from '../../lib/credentials/expiry';
import { CREDENTIAL_TYPES, OAUTH2_TYPES, SYSTEM_NAMES, SaasCredentialError, adapterFor, connectionFrom, environmentOf } from '../../lib/saas/connection';
import { SaasAdapter, SaasConnection, SaasError, SaasSystem } from '../../lib/saas/types';

// The pure part (credential data → connection → adapter) lives in lib/saas/connection.ts so the CLI shares it.
export { CREDENTIAL_TYPES, SAAS_SYSTEMS, SYSTEM_NAMES, SaasCredentialError, adapterFor, connectionFrom } from '../../lib/saas/connection';

/**
 * The one place a node turns an Agent Guard SaaS credential into an adapter: which
 * credential type serves a system, what the connection is, how the credential stands
 * (expiry, rotation), and a token refresh through n8n's own OAuth2 machinery so that n8n
 * stores the refreshed (and rotated) tokens; we never keep a copy.
 */

/** Zendesk takes an API token or OAuth2; the other two are OAuth2 only. */
export const zendeskAuthenticationProperty: INodeProperties = {
	displayName: 'Zendesk Authentication',
	name: 'zendeskAuthentication',
	type: 'options',
	options: [
		{ name: 'API Token', value: 'apiToken' },
		{ name: 'OAuth2', value: 'oAuth2' },
	],
	default: 'apiToken',
	description: 'How the Zendesk credential signs in (only used for Zendesk actions)',
};

/**
 * The credentials of a node that writes to the systems (Guarded Write, Reverse Write): the
 * optional Agent Guard store, and each system's, needed only for actions on that system.
 */
export const writingNodeCredentials: INodeCredentialDescription[] = [
	{ name: 'agentGuardApi', required: false, testedBy: 'agentGuardApiTest' },
	{ name: CREDENTIAL_TYPES.salesforce, required: false },
	{ name: CREDENTIAL_TYPES.zendeskToken, required: false, displayOptions: { show: { zendeskAuthentication: ['apiToken'] } } },
	{ name: CREDENTIAL_TYPES.zendeskOAuth2, required: false, displayOptions: { show: { zendeskAuthentication: ['oAuth2'] } } },
	{ name: CREDENTIAL_TYPES.quickbooks, required: false },
];

/** The SaaS credentials alone (Credential Check shows the one of the chosen system). */
export const saasCredentialDescriptions: INodeCredentialDescription[] = writingNodeCredentials.slice(1);

export function credentialTypeFor(ctx: IExecuteFunctions, system: SaasSystem): string {
	if (system === 'salesforce') return CREDENTIAL_TYPES.salesforce;
	if (system === 'quickbooks') return CREDENTIAL_TYPES.quickbooks;
	const auth = ctx.getNodeParameter('zendeskAuthentication', 0, 'apiToken') as string;
	return auth === 'oAuth2' ? CREDENTIAL_TYPES.zendeskOAuth2 : CREDENTIAL_TYPES.zendeskToken;
}

/** The cheap authenticated call each system answers, as a plain request n8n can sign and refresh. */
function pingUrl(system: SaasSystem, connection: SaasConnection): string {
	const base = connection.baseUrl.replace(/\/+$/, '');
	if (system === 'salesforce') return `${base}/services/data/v${connection.apiVersion ?? '59.0'}/limits`;
	if (system === 'quickbooks') return `${base}/${connection.realmId}/companyinfo/${connection.realmId}`;
	return `${base.endsWith('/api/v2') ? base : `${base}/api/v2`}/users/me.json`;
}

export interface SaasSession {
	system: SaasSystem;
	credentialType: string;
	/** Expiry and rotation as the credential's tracking fields and token data say. */
	status: CredentialStatus;
	adapter: SaasAdapter;
	/** Runs `fn`; after a 401 on an OAuth2 credential, has n8n refresh the token (n8n saves it) and runs `fn` once more. */
	call<T>(fn: (adapter: SaasAdapter) => Promise<T>): Promise<T>;
	/** Whether the token is refreshable through n8n (OAuth2 types). */
	refreshable: boolean;
	/** sandbox when the credential says so or points at this machine (the emulators); recorded with every write. */
	environment: 'sandbox' | 'production';
}

/**
 * Opens the session for one system: reads the credential (fails with `credential_missing`
 * when the node has none for it), its status, and an adapter. Sessions are per node run.
 */
export async function openSaasSession(ctx: IExecuteFunctions, system: SaasSystem, now = Date.now()): Promise<SaasSession> {
	const credentialType = credentialTypeFor(ctx, system);
	if (ctx.getNode().credentials?.[credentialType] === undefined) {
		throw new SaasCredentialError('credential_missing', `the node has no ${SYSTEM_NAMES[system]} credential: select one under "Credential to connect with"`, credentialType);
	}
	const data = await ctx.getCredentials(credentialType);
	let status: CredentialStatus;
	try {
		status = credentialStatus(trackingFromCredential(data as Record<string, unknown>), now);
	} catch (error) {
		if (error instanceof CredentialDataError) throw new SaasCredentialError('credential_invalid', `the ${SYSTEM_NAMES[system]} credential: ${error.message}`, error.field);
		throw error;
	}
	let connection = connectionFrom(system, credentialType, data);
	const refreshable = OAUTH2_TYPES.has(credentialType);
	const session: SaasSession = {
		system,
		credentialType,
		status,
		refreshable,
		environment: environmentOf(data, connection),
		adapter: adapterFor(system, connection),
		async call<T>(fn: (adapter: SaasAdapter) => Promise<T>): Promise<T> {
			try {
				return await fn(session.adapter);
			} catch (error) {
				if (!refreshable || !(error instanceof SaasError) || error.code !== 'unauthorized') throw error;
				await refreshThroughN8n(ctx, credentialType, pingUrl(system, connection));
				connection = connectionFrom(system, credentialType, await ctx.getCredentials(credentialType));
				session.adapter = adapterFor(system, connection);
				return fn(session.adapter);
			}
		},
	};
	return session;
}

/**
 * Makes n8n refresh an OAuth2 token: a cheap authenticated GET through n8n's requestOAuth2,
 * which on a 401 uses the refresh token, saves the new token data on the credential, and
 * retries. A refresh that is refused (revoked, expired refresh token) is `unauthorized`; a
 * token endpoint or API that does not answer (refused connection, timeout, 5xx, 429) is
 * `system_unavailable`, so an outage is not mistaken for a dead credential.
 */
async function refreshThroughN8n(ctx: IExecuteFunctions, credentialType: string, uri: string): Promise<void> {
	try {
		await ctx.helpers.requestOAuth2.call(ctx, credentialType, { method: 'GET', uri, json: true, headers: { Accept: 'application/json' } }, { tokenType: 'Bearer' });
	} catch (error) {
		const system = systemOf(credentialType);
		const e = error as { statusCode?: number; code?: string; cause?: { code?: string }; response?: { status?: number } };
		const status = e.statusCode ?? e.response?.status;
		const network = [e.code, e.cause?.code].find((c) => typeof c === 'string' && UNREACHABLE.has(c));
		if (network || (status !== undefined && (status >= 500 || status === 429))) {
			throw new SaasError(
				system,
				'system_unavailable',
				`the token could not be refreshed: ${SYSTEM_NAMES[system]} did not answer (${network ?? `HTTP ${status}`}); try again later`,
				status,
				true,
			);
		}
		// The token endpoint's OAuth error code (invalid_grant, invalid_client) says why; never its description or body.
		const oauthError = (error as { body?: { error?: unknown } }).body?.error;
		const why = typeof oauthError === 'string' && /^[a-z_]{1,40}$/.test(oauthError) ? ` (${oauthError})` : status ? ` (HTTP ${status})` : '';
		throw new SaasError(system, 'unauthorized', `the token was refused and could not be refreshed${why}: reconnect the credential in n8n`, status);
	}
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ECONNABORTED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

function systemOf(credentialType: string): SaasSystem {
	if (credentialType === CREDENTIAL_TYPES.salesforce) return 'salesforce';
	if (credentialType === CREDENTIAL_TYPES.quickbooks) return 'quickbooks';
	return 'zendesk';
}

/** Sessions of one node run, opened on first use. */
export class SaasSessions {
	private readonly open = new Map<SaasSystem, Promise<SaasSession>>();

	constructor(private readonly ctx: IExecuteFunctions) {}

	get(system: SaasSystem): Promise<SaasSession> {
		let session = this.open.get(system);
		if (!session) {
			session = openSaasSession(this.ctx, system);
			this.open.set(system, session);
		}
		return session;
	}
}
