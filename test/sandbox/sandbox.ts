/**
 * The sandbox: the Salesforce, Zendesk and QuickBooks emulators, seeded with Acme Robotics
 * (seed.ts), a local mailbox (SMTP, mailbox.ts) and a local OpenAI-compatible model (model.ts), plus
 * the n8n credentials that point at them and a read-only record viewer (with the mailbox's Inbox).
 * Used by `npm run sandbox` (main.ts), `npm start` (test/e2e/start.ts) and the template e2e tests.
 *
 *   const sandbox = await startSandbox();                 // fixed default ports; { ports: {...} } to choose, 0 = any free port
 *   await n8n.importCredentials(sandbox.credentials());   // tokens as the emulators issue them now
 *   sandbox.zendesk.record('ticket', sandbox.ids.zendesk.injectionTicket);
 *   await sandbox.mail.waitFor((m) => m.subject.startsWith('Approval needed'));
 *   await sandbox.stop();
 *
 * Everything is in memory: each start has the same records (same ids) and new OAuth tokens, so
 * credentials must be (re-)imported after every start.
 */
import { QuickBooksEmulator } from '../emulators/quickbooks';
import { SalesforceEmulator } from '../emulators/salesforce';
import { ZendeskEmulator } from '../emulators/zendesk';
import { COMPANY, CREDENTIAL_OWNER, SandboxIds, seedQuickBooks, seedSalesforce, seedZendesk, SUPPORT_AGENT_EMAIL } from './seed';
import { SandboxMailbox } from './mailbox';
import { SandboxModel } from './model';
import { startViewer } from './viewer';

export type { SandboxIds } from './seed';
export { COMPANY, INJECTION_TICKET_ID, ZENDESK_IDS } from './seed';
export type { MailMessage, SandboxMailbox } from './mailbox';
export { SANDBOX_MODEL_ID } from './model';
export type { SandboxModel } from './model';

export type SandboxSystem = 'salesforce' | 'zendesk' | 'quickbooks';
export type SandboxPortName = SandboxSystem | 'viewer' | 'mail' | 'model';

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
	/** The SMTP server the "Sandbox Mail" credential points at, and the messages it received. */
	mail: SandboxMailbox;
	/** The OpenAI-compatible endpoint the "Sandbox Model" credential points at. */
	model: SandboxModel;
	/**
	 * What the credentials point at: Salesforce login host = instance URL, Zendesk `…/api/v2`, QuickBooks `…/v3/company/`,
	 * the mailbox `smtp://127.0.0.1:<port>`, the model's base URL `…/v1`; and the record viewer page.
	 */
	urls: { salesforce: string; zendesk: string; quickbooks: string; viewer: string; mail: string; model: string };
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

export const DEFAULT_SANDBOX_PORTS: Record<SandboxPortName, number> = { salesforce: 8101, zendesk: 8102, quickbooks: 8103, viewer: 8100, mail: 8105, model: 8106 };

/** Fixed ids and names, so templates and a second `npm start` refer to the same credentials. */
export const SANDBOX_CREDENTIALS = {
	salesforce: { id: 'agSandboxSalesforce', name: 'Sandbox Salesforce', type: 'agentGuardSalesforceOAuth2Api' },
	zendesk: { id: 'agSandboxZendesk', name: 'Sandbox Zendesk', type: 'agentGuardZendeskApi' },
	zendeskOAuth2: { id: 'agSandboxZendeskOAuth2', name: 'Sandbox Zendesk (OAuth2)', type: 'agentGuardZendeskOAuth2Api' },
	quickbooks: { id: 'agSandboxQuickBooks', name: 'Sandbox QuickBooks', type: 'agentGuardQuickBooksOAuth2Api' },
	/** n8n's own SMTP credential (Send Email, Approval Gate's e-mail channel) → the sandbox mailbox. */
	mail: { id: 'agSandboxMail', name: 'Sandbox Mail', type: 'smtp' },
	/** n8n's own OpenAI credential (OpenAI Chat Model) → the sandbox model. */
	model: { id: 'agSandboxModel', name: 'Sandbox Model', type: 'openAiApi' },
} as const satisfies Record<string, { id: string; name: string; type: string }>;

const DAY = 86_400_000;

/** Who the sandbox mailbox's SMTP login is (any login is accepted; this one is also a valid From). */
export const SANDBOX_MAIL_USER = 'agent-guard@acme-robotics.example';

/**
 * Ports from the environment: `AGENT_GUARD_SANDBOX_PORTS=8101,8102,8103[,8100[,8105[,8106]]]` (Salesforce,
 * Zendesk, QuickBooks, viewer, mail, model) and/or `AGENT_GUARD_SANDBOX_SALESFORCE_PORT` etc. (…_VIEWER_PORT,
 * …_MAIL_PORT, …_MODEL_PORT), which win. Throws on a bad value.
 */
export function sandboxPortsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<Record<SandboxPortName, number>> {
	const order: SandboxPortName[] = ['salesforce', 'zendesk', 'quickbooks', 'viewer', 'mail', 'model'];
	const ports: Partial<Record<SandboxPortName, number>> = {};
	const parse = (name: string, raw: string): number => {
		const port = Number(raw.trim());
		if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name}: "${raw}" is not a port number (0-65535; 0 = any free port)`);
		return port;
	};
	const list = env.AGENT_GUARD_SANDBOX_PORTS?.trim();
	if (list) {
		const parts = list.split(',');
		if (parts.length > order.length) throw new Error(`AGENT_GUARD_SANDBOX_PORTS: at most ${order.length} ports (Salesforce,Zendesk,QuickBooks,viewer,mail,model), got "${list}"`);
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
				`port ${port} for the ${what} is in use (is another sandbox or \`npm start\` running?). ` +
					'Choose other ports with AGENT_GUARD_SANDBOX_PORTS=salesforce,zendesk,quickbooks,viewer,mail,model (e.g. 9101,9102,9103,9100,9105,9106) or AGENT_GUARD_SANDBOX_<NAME>_PORT.',
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
	const mail = new SandboxMailbox();
	const model = new SandboxModel();
	const stops: Array<() => Promise<void>> = [];
	const stopAll = async (): Promise<void> => {
		await Promise.all(stops.splice(0).map((stop) => stop().catch(() => undefined)));
	};
	try {
		const sfUrl = await listen('Salesforce emulator', ports.salesforce, (p) => salesforce.start(p));
		stops.push(() => salesforce.stop());
		const zdUrl = await listen('Zendesk emulator', ports.zendesk, (p) => zendesk.start(p));
		stops.push(() => zendesk.stop());
		const qbUrl = await listen('QuickBooks emulator', ports.quickbooks, (p) => quickbooks.start(p));
		stops.push(() => quickbooks.stop());
		const mailUrl = await listen('sandbox mailbox (SMTP)', ports.mail, (p) => mail.start(p));
		stops.push(() => mail.stop());
		const modelUrl = await listen('sandbox model', ports.model, (p) => model.start(p));
		stops.push(() => model.stop());
		const ids: SandboxIds = { salesforce: seedSalesforce(salesforce, now), zendesk: seedZendesk(zendesk, now), quickbooks: seedQuickBooks(quickbooks, now) };
		let viewerUrl = '';
		if (options.viewer !== false) {
			viewerUrl = await listen('record viewer', ports.viewer, async (p) => {
				const viewer = await startViewer({ salesforce, zendesk, quickbooks, mail }, COMPANY, p);
				stops.push(() => viewer.stop());
				return viewer.url;
			});
		}
		const urls = { salesforce: sfUrl, zendesk: zdUrl, quickbooks: qbUrl, viewer: viewerUrl, mail: mailUrl, model: modelUrl };
		return {
			salesforce,
			zendesk,
			quickbooks,
			mail,
			model,
			urls,
			ids,
			credentials: () => sandboxCredentials({ salesforce, zendesk, quickbooks, mail, model }, now),
			stop: stopAll,
		};
	} catch (error) {
		await stopAll();
		throw error;
	}
}

/** The credentials, with the emulators' current tokens and believable tracking fields; then the mailbox and the model. */
function sandboxCredentials(
	e: { salesforce: SalesforceEmulator; zendesk: ZendeskEmulator; quickbooks: QuickBooksEmulator; mail: SandboxMailbox; model: SandboxModel },
	now: number,
): SandboxCredential[] {
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
		{
			// n8n's SMTP credential (n8n-nodes-base Smtp.credentials): plain SMTP on localhost, any login is accepted.
			...c.mail,
			data: { user: SANDBOX_MAIL_USER, password: 'sandbox', host: '127.0.0.1', port: e.mail.port, secure: false, disableStartTls: true, hostName: '' },
		},
		{
			// n8n's OpenAI credential (OpenAiApi.credentials): any key is accepted; `url` is its Base URL field.
			...c.model,
			data: { apiKey: 'sk-sandbox-agent-guard', organizationId: '', url: e.model.baseUrl, header: false },
		},
	];
}
