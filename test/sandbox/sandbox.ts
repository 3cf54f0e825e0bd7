/**
 * The sandbox: the Salesforce, Zendesk and QuickBooks emulators, seeded with Acme Robotics
 * (seed.ts), plus the n8n credentials that point at them and a read-only record viewer.
 * Used by `npm run sandbox` (main.ts), `npm start` (test/e2e/start.ts) and the template e2e tests.
 *
 *   const sandbox = await startSandbox();                 // fixed default ports; { ports: {...} } to choose, 0 = any free port
 *   await n8n.importCredentials(sandbox.credentials());   // tokens as the emulators issue them now
 *   sandbox.zendesk.record('ticket', sandbox.ids.zendesk.injectionTicket);
 *   await sandbox.stop();
 *
 * Everything is in memory: each start has the same records (same ids) and new OAuth tokens, so
 * credentials must be (re-)imported after every start.
 */
import { QuickBooksEmulator } from '../emulators/quickbooks';
import { SalesforceEmulator } from '../emulators/salesforce';
import { ZendeskEmulator } from '../emulators/zendesk';
import { COMPANY, CREDENTIAL_OWNER, SandboxIds, seedQuickBooks, seedSalesforce, seedZendesk, SUPPORT_AGENT_EMAIL } from './seed';
import { startViewer } from './viewer';

export type { SandboxIds } from './seed';
export { COMPANY, INJECTION_TICKET_ID, ZENDESK_IDS } from './seed';

export type SandboxSystem = 'salesforce' | 'zendesk' | 'quickbooks';
export type SandboxPortName = SandboxSystem | 'viewer';

export interface SandboxCredential {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

export interface Sandbox {
	salesforce: SalesforceEmulator;
	zendesk: ZendeskEmulator;
	quickbooks: QuickBooksEmulator;
	/** What the credentials point at: Salesforce login host = instance URL, Zendesk `…/api/v2`, QuickBooks `…/v3/company/`; and the record viewer page. */
	urls: { salesforce: string; zendesk: string; quickbooks: string; viewer: string };
	ids: SandboxIds;
	/** The sandbox credentials with the tokens the emulators accept now, as `n8n import:credentials` takes them. */
	credentials(): SandboxCredential[];
	stop(): Promise<void>;
}

export interface SandboxOptions {
	/** Per system; 0 picks a free port. Missing ones use DEFAULT_SANDBOX_PORTS. */
	ports?: Partial<Record<SandboxPortName, number>>;
	/** Dates in the seed are relative to this (default now). */
	now?: number;
	/** Serve the record viewer (default true). */
	viewer?: boolean;
}

export const DEFAULT_SANDBOX_PORTS: Record<SandboxPortName, number> = { salesforce: 8101, zendesk: 8102, quickbooks: 8103, viewer: 8100 };

/** Fixed ids and names, so templates and a second `npm start` refer to the same credentials. */
export const SANDBOX_CREDENTIALS = {
	salesforce: { id: 'agSandboxSalesforce', name: 'Sandbox Salesforce', type: 'agentGuardSalesforceOAuth2Api' },
	zendesk: { id: 'agSandboxZendesk', name: 'Sandbox Zendesk', type: 'agentGuardZendeskApi' },
	zendeskOAuth2: { id: 'agSandboxZendeskOAuth2', name: 'Sandbox Zendesk (OAuth2)', type: 'agentGuardZendeskOAuth2Api' },
	quickbooks: { id: 'agSandboxQuickBooks', name: 'Sandbox QuickBooks', type: 'agentGuardQuickBooksOAuth2Api' },
} as const satisfies Record<string, { id: string; name: string; type: string }>;

const DAY = 86_400_000;

/**
 * Ports from the environment: `AGENT_GUARD_SANDBOX_PORTS=8101,8102,8103[,8100]` (Salesforce, Zendesk,
 * QuickBooks, viewer) and/or `AGENT_GUARD_SANDBOX_SALESFORCE_PORT` etc., which win. Throws on a bad value.
 */
export function sandboxPortsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<Record<SandboxPortName, number>> {
	const order: SandboxPortName[] = ['salesforce', 'zendesk', 'quickbooks', 'viewer'];
	const ports: Partial<Record<SandboxPortName, number>> = {};
	const parse = (name: string, raw: string): number => {
		const port = Number(raw.trim());
		if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name}: "${raw}" is not a port number (0-65535; 0 = any free port)`);
		return port;
	};
	const list = env.AGENT_GUARD_SANDBOX_PORTS?.trim();
	if (list) {
		const parts = list.split(',');
		if (parts.length > order.length) throw new Error(`AGENT_GUARD_SANDBOX_PORTS: at most ${order.length} ports (Salesforce,Zendesk,QuickBooks,viewer), got "${list}"`);
		parts.forEach((raw, i) => {
			if (raw.trim() !== '') ports[order[i]] = parse('AGENT_GUARD_SANDBOX_PORTS', raw);
		});
	}
	for (const name of order) {
		const variable = `AGENT_GUARD_SANDBOX_${name.toUpperCase()}_PORT`;
		const raw = env[variable]?.trim();
		if (raw) ports[name] = parse(variable, raw);
	}
	return ports;
}

async function listen(what: string, port: number, start: (port: number) => Promise<string>): Promise<string> {
	try {
		return await start(port);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
			throw new Error(
				`port ${port} for the ${what} emulator is in use (is another sandbox or \`npm start\` running?). ` +
					'Choose other ports with AGENT_GUARD_SANDBOX_PORTS=salesforce,zendesk,quickbooks,viewer (e.g. 9101,9102,9103,9100) or AGENT_GUARD_SANDBOX_<SYSTEM>_PORT.',
			);
		}
		throw error;
	}
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	const ports = { ...DEFAULT_SANDBOX_PORTS, ...options.ports };
	const now = options.now ?? Date.now();
	const salesforce = new SalesforceEmulator();
	const zendesk = new ZendeskEmulator({ seed: false, email: SUPPORT_AGENT_EMAIL });
	const quickbooks = new QuickBooksEmulator({ realmId: '9341452177328810' });
	const stops: Array<() => Promise<void>> = [];
	const stopAll = async (): Promise<void> => {
		await Promise.all(stops.splice(0).map((stop) => stop().catch(() => undefined)));
	};
	try {
		const sfUrl = await listen('Salesforce', ports.salesforce, (p) => salesforce.start(p));
		stops.push(() => salesforce.stop());
		const zdUrl = await listen('Zendesk', ports.zendesk, (p) => zendesk.start(p));
		stops.push(() => zendesk.stop());
		const qbUrl = await listen('QuickBooks', ports.quickbooks, (p) => quickbooks.start(p));
		stops.push(() => quickbooks.stop());
		const ids: SandboxIds = { salesforce: seedSalesforce(salesforce, now), zendesk: seedZendesk(zendesk, now), quickbooks: seedQuickBooks(quickbooks, now) };
		let viewerUrl = '';
		if (options.viewer !== false) {
			viewerUrl = await listen('record viewer', ports.viewer, async (p) => {
				const viewer = await startViewer({ salesforce, zendesk, quickbooks }, COMPANY, p);
				stops.push(() => viewer.stop());
				return viewer.url;
			});
		}
		const urls = { salesforce: sfUrl, zendesk: zdUrl, quickbooks: qbUrl, viewer: viewerUrl };
		return {
			salesforce,
			zendesk,
			quickbooks,
			urls,
			ids,
			credentials: () => sandboxCredentials({ salesforce, zendesk, quickbooks }, now),
			stop: stopAll,
		};
	} catch (error) {
		await stopAll();
		throw error;
	}
}

/** The four credentials, with the emulators' current tokens and believable tracking fields. */
function sandboxCredentials(e: { salesforce: SalesforceEmulator; zendesk: ZendeskEmulator; quickbooks: QuickBooksEmulator }, now: number): SandboxCredential[] {
	const connected = new Date(now - 12 * DAY).toISOString();
	const tracking = { ownerEmail: CREDENTIAL_OWNER, rotationIntervalDays: 90, lastRotated: connected, warningDays: 14 };
	const c = SANDBOX_CREDENTIALS;
	return [
		{
			...c.salesforce,
			data: {
				environment: 'production',
				loginHostOverride: e.salesforce.baseUrl,
				clientId: e.salesforce.clientId,
				clientSecret: e.salesforce.clientSecret,
				scope: 'api refresh_token',
				...tracking,
				tokenObtainedAt: connected,
				oauthTokenData: { access_token: e.salesforce.accessToken, refresh_token: e.salesforce.refreshToken, instance_url: e.salesforce.baseUrl, token_type: 'Bearer', scope: 'refresh_token api' },
			},
		},
		{
			...c.zendesk,
			data: { subdomain: 'acme-robotics', email: e.zendesk.email, apiToken: e.zendesk.apiToken, baseUrlOverride: e.zendesk.baseUrl, ...tracking, accessTokenExpiresAt: '' },
		},
		{
			...c.zendeskOAuth2,
			data: {
				subdomain: 'acme-robotics',
				baseUrlOverride: e.zendesk.baseUrl,
				clientId: e.zendesk.clientId,
				clientSecret: e.zendesk.clientSecret,
				scope: 'read write',
				...tracking,
				tokenObtainedAt: connected,
				oauthTokenData: { access_token: e.zendesk.oauthToken, refresh_token: e.zendesk.oauthRefreshToken, token_type: 'bearer', scope: 'read write' },
			},
		},
		{
			...c.quickbooks,
			data: {
				environment: 'sandbox',
				realmId: e.quickbooks.realmId,
				baseUrlOverride: e.quickbooks.baseUrl,
				clientId: e.quickbooks.clientId,
				clientSecret: e.quickbooks.clientSecret,
				...tracking,
				tokenObtainedAt: connected,
				oauthTokenData: {
					access_token: e.quickbooks.token,
					refresh_token: e.quickbooks.refreshToken,
					token_type: 'bearer',
					x_refresh_token_expires_in: 8_726_400,
					realmId: e.quickbooks.realmId,
				},
			},
		},
	];
}
