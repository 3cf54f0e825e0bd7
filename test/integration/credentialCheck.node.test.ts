/**
 * Credential Check inside a real n8n execution (n8n-core in-process) against the Salesforce,
 * Zendesk and QuickBooks emulators: expiry, rotation and owner findings from the credential's
 * tracking fields, a live call that n8n's own OAuth2 machinery refreshes (and whose rotated
 * refresh token n8n stores), refused and unreachable systems, bad credential data, and the trail.
 */
import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';
import { closeAllStores } from '../../lib/store/open';
import { QuickBooksEmulator } from '../emulators/quickbooks';
import { SalesforceEmulator } from '../emulators/salesforce';
import { ZendeskEmulator } from '../emulators/zendesk';
import { agentControl, auditLogger, credentialCheck, embeddedCredential, guardNodeTypes, redisCredential } from '../helpers/guardNodes';
import { RunResult, runWorkflow } from '../helpers/n8nInProcess';

jest.setTimeout(30_000);
afterAll(closeAllStores);

const DAY = 86_400_000;
const SF = 'agentGuardSalesforceOAuth2Api';
const ZD = 'agentGuardZendeskApi';
const ZD_OAUTH = 'agentGuardZendeskOAuth2Api';
const QB = 'agentGuardQuickBooksOAuth2Api';
const REF = { [SF]: { id: '11', name: 'Salesforce prod' }, [ZD]: { id: '12', name: 'Zendesk support' }, [ZD_OAUTH]: { id: '13', name: 'Zendesk OAuth' }, [QB]: { id: '14', name: 'QuickBooks books' } };

const isoDaysFromNow = (days: number) => new Date(Date.now() + days * DAY).toISOString();

/** Reads back what n8n's credentials helper holds for a type after the check (the refreshed token data). */
const credentialProbe: INodeType = {
	description: {
		displayName: 'Credential Probe',
		name: 'agentGuardTest.credentialProbe',
		group: ['transform'],
		version: 1,
		description: 'Outputs the OAuth token data n8n now holds for a credential type',
		defaults: { name: 'Probe' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [SF, ZD_OAUTH, QB].map((name) => ({ name, required: false })),
		properties: [{ displayName: 'Credential Type', name: 'credentialType', type: 'string', default: '' }],
	},
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const data = await this.getCredentials(this.getNodeParameter('credentialType', 0) as string);
		return [[{ json: { oauthTokenData: data.oauthTokenData ?? null } }]];
	},
};
const nodeTypes = { ...guardNodeTypes, 'agentGuardTest.credentialProbe': credentialProbe };

const tracking = (over: Record<string, unknown> = {}) => ({ ownerEmail: 'ops@acme.test', rotationIntervalDays: 90, lastRotated: isoDaysFromNow(-10), warningDays: 14, ...over });

let sf: SalesforceEmulator;
let zd: ZendeskEmulator;
let qb: QuickBooksEmulator;

beforeEach(async () => {
	sf = new SalesforceEmulator();
	zd = new ZendeskEmulator();
	qb = new QuickBooksEmulator();
	await Promise.all([sf.start(), zd.start(), qb.start()]);
});

afterEach(async () => {
	await Promise.all([sf.stop(), zd.stop(), qb.stop()]);
});

/** Credential data as n8n hands it to a node once decrypted (hidden URL expressions already resolved). */
function salesforceCredential(over: Record<string, unknown> = {}, token: Record<string, unknown> = {}): ICredentialDataDecryptedObject {
	return {
		environment: 'production',
		loginHostOverride: sf.baseUrl,
		grantType: 'authorizationCode',
		authUrl: `${sf.baseUrl}/services/oauth2/authorize`,
		accessTokenUrl: `${sf.baseUrl}/services/oauth2/token`,
		authentication: 'header',
		clientId: sf.clientId,
		clientSecret: sf.clientSecret,
		scope: 'api refresh_token',
		oauthTokenData: { access_token: sf.accessToken, refresh_token: sf.refreshToken, instance_url: sf.baseUrl, token_type: 'Bearer', issued_at: String(Date.now()), ...token },
		...tracking(over),
	};
}

function zendeskTokenCredential(over: Record<string, unknown> = {}): ICredentialDataDecryptedObject {
	return { subdomain: 'acme-support', email: zd.email, apiToken: zd.apiToken, baseUrlOverride: zd.baseUrl, ...tracking(over) };
}

function zendeskOAuthCredential(over: Record<string, unknown> = {}, token: Record<string, unknown> = {}): ICredentialDataDecryptedObject {
	return {
		subdomain: 'acme-support',
		baseUrlOverride: zd.baseUrl,
		grantType: 'authorizationCode',
		authUrl: zd.tokenUrl.replace('/oauth/tokens', '/oauth/authorizations/new'),
		accessTokenUrl: zd.tokenUrl,
		authentication: 'body',
		clientId: zd.clientId,
		clientSecret: zd.clientSecret,
		scope: 'read write',
		oauthTokenData: { access_token: zd.oauthToken, refresh_token: zd.oauthRefreshToken, token_type: 'bearer', scope: 'read write', ...token },
		...tracking(over),
	};
}

function quickBooksCredential(over: Record<string, unknown> = {}, token: Record<string, unknown> = {}): ICredentialDataDecryptedObject {
	return {
		environment: 'sandbox',
		realmId: qb.realmId,
		baseUrlOverride: qb.baseUrl,
		grantType: 'authorizationCode',
		authUrl: 'https://appcenter.intuit.com/connect/oauth2',
		accessTokenUrl: qb.tokenUrl,
		authentication: 'header',
		clientId: qb.clientId,
		clientSecret: qb.clientSecret,
		scope: 'com.intuit.quickbooks.accounting',
		oauthTokenData: { access_token: qb.token, refresh_token: qb.refreshToken, token_type: 'bearer', expires_in: 3600, x_refresh_token_expires_in: 8726400, ...token },
		tokenObtainedAt: isoDaysFromNow(-1),
		...tracking(over),
	};
}

type System = 'salesforce' | 'zendesk' | 'quickbooks';
interface Setup {
	system: System;
	type: string;
	params?: Record<string, unknown>;
	data: ICredentialDataDecryptedObject;
}

const setups: Record<string, () => Setup> = {
	Salesforce: () => ({ system: 'salesforce', type: SF, data: salesforceCredential() }),
	'Zendesk (API token)': () => ({ system: 'zendesk', type: ZD, params: { zendeskAuthentication: 'apiToken' }, data: zendeskTokenCredential() }),
	'Zendesk (OAuth2)': () => ({ system: 'zendesk', type: ZD_OAUTH, params: { zendeskAuthentication: 'oAuth2' }, data: zendeskOAuthCredential() }),
	QuickBooks: () => ({ system: 'quickbooks', type: QB, data: quickBooksCredential() }),
};

interface CheckOptions {
	store?: ICredentialDataDecryptedObject;
	params?: Record<string, unknown>;
	input?: IDataObject[];
	probe?: boolean;
	continueOnFail?: boolean;
}

async function check(setup: Setup, opts: CheckOptions = {}): Promise<RunResult> {
	const nodes = [
		credentialCheck('Check', { system: setup.system, liveCheck: true, agentId: '', ...setup.params, ...opts.params }, { credentials: { [setup.type]: REF[setup.type as keyof typeof REF] }, continueOnFail: opts.continueOnFail }),
	];
	const connections: Array<[string, string, number]> = [];
	if (opts.probe) {
		nodes.push({ name: 'Probe', type: 'agentGuardTest.credentialProbe', parameters: { credentialType: setup.type }, credentials: { [setup.type]: REF[setup.type as keyof typeof REF] } });
		connections.push(['Check', 'Probe', 0]);
	}
	return runWorkflow({ nodeTypes, nodes, connections, credentials: { agentGuardApi: opts.store ?? embeddedCredential(), [setup.type]: setup.data }, input: opts.input });
}

async function trail(store: ICredentialDataDecryptedObject, executionId: string): Promise<Array<Record<string, unknown>>> {
	const run = await runWorkflow({ nodeTypes, nodes: [auditLogger('Trace', { operation: 'trace', executionId })], credentials: { agentGuardApi: store } });
	return run.nodeOutput('Trace');
}

type Report = {
	system: string;
	credential: string;
	state: string;
	summary: string;
	owner: string | null;
	daysUntilAccessExpiry: number | null;
	daysUntilRefreshExpiry: number | null;
	rotationDueAt: string | null;
	findings: Array<{ code: string; message: string; daysLeft: number | null }>;
	live: { checked: boolean; ok: boolean; refreshed?: boolean; code?: string; message?: string };
	guard: { decision: string; reasons: Array<{ code: string; message: string }>; agentId?: string; audit?: { seq: number; hash: string } };
};
const reports = (run: RunResult, output: number) => run.nodeOutput('Check', output) as unknown as Report[];

function secretsOf(data: ICredentialDataDecryptedObject): string[] {
	const token = (data.oauthTokenData ?? {}) as Record<string, unknown>;
	return [token.access_token, token.refresh_token, data.apiToken, data.clientSecret].filter((s): s is string => typeof s === 'string' && s.length > 0);
}

describe.each([
	['embedded', () => embeddedCredential()],
	['redis', () => redisCredential()],
])('Credential Check (%s store)', (_name, storeCredential) => {
	test.each(Object.keys(setups))('a healthy %s credential that the system accepts goes to OK, with its owner and a credential.checked entry', async (name) => {
		const setup = setups[name]();
		const store = storeCredential();
		const run = await check(setup, { store });
		expect(reports(run, 1)).toEqual([]);
		const [report] = reports(run, 0);
		expect(report).toMatchObject({
			system: setup.system,
			credential: REF[setup.type as keyof typeof REF].name,
			state: 'ok',
			owner: 'ops@acme.test',
			findings: [],
			live: { checked: true, ok: true, refreshed: false },
			guard: { decision: 'ok', reasons: [], audit: { seq: expect.any(Number) } },
		});
		expect(Date.parse(report.rotationDueAt ?? '')).toBeGreaterThan(Date.now() + 79 * DAY);
		expect(report.summary).toMatch(/credential ".*" is fine/);
		// An OAuth2 access token renews itself: its days left would only mislead an alert.
		expect(report.daysUntilAccessExpiry).toBeNull();
		const entries = await trail(store, run.executionId);
		expect(entries).toEqual([
			expect.objectContaining({
				event: 'credential.checked',
				actor: { type: 'system', id: 'credential-check' },
				subject: { system: setup.system },
				details: expect.objectContaining({ credentialName: REF[setup.type as keyof typeof REF].name, credentialType: setup.type, state: 'ok', live: expect.objectContaining({ checked: true, ok: true }) }),
			}),
		]);
		expect(report.guard.audit?.hash).toBe(entries[0].hash);
		const everything = JSON.stringify([run.nodeOutput('Check', 0), entries]);
		for (const secret of secretsOf(setup.data)) expect(everything).not.toContain(secret);
	});
});

describe('Credential Check: dates, rotation and owner', () => {
	test('an API token past its "Token Expires At" is expired: Attention, state expired, no live call, a credential.expired entry', async () => {
		const store = embeddedCredential();
		const setup: Setup = { system: 'zendesk', type: ZD, data: zendeskTokenCredential({ accessTokenExpiresAt: isoDaysFromNow(-2) }) };
		const run = await check(setup, { store });
		expect(reports(run, 0)).toEqual([]);
		const [report] = reports(run, 1);
		expect(report).toMatchObject({ state: 'expired', findings: [{ code: 'credential_expired', daysLeft: 0 }], live: { checked: false, ok: false }, guard: { decision: 'expired', reasons: [{ code: 'credential_expired' }] } });
		expect(report.daysUntilAccessExpiry).toBeLessThan(0);
		expect(report.summary).toMatch(/^Zendesk credential "Zendesk support" has expired: the token expired on/);
		expect(zd.requests).toEqual([]);
		expect((await trail(store, run.executionId)).map((e) => e.event)).toEqual(['credential.expired']);
	});

	test('an API token that expires within the warning window goes to Attention as credential_expiring with the days left', async () => {
		const store = embeddedCredential();
		const run = await check({ system: 'zendesk', type: ZD, data: zendeskTokenCredential({ accessTokenExpiresAt: isoDaysFromNow(5.5), warningDays: 14 }) }, { store });
		const [report] = reports(run, 1);
		expect(report).toMatchObject({ state: 'attention', daysUntilAccessExpiry: 5, findings: [{ code: 'credential_expiring', daysLeft: 5 }], live: { checked: true, ok: true } });
		expect((await trail(store, run.executionId)).map((e) => e.event)).toEqual(['credential.expiring']);
	});

	test('the same token outside a shorter warning window is OK', async () => {
		const run = await check({ system: 'zendesk', type: ZD, data: zendeskTokenCredential({ accessTokenExpiresAt: isoDaysFromNow(5.5), warningDays: 3 }) });
		expect(reports(run, 0)).toMatchObject([{ state: 'ok', daysUntilAccessExpiry: 5 }]);
	});

	test('a QuickBooks refresh token near the end of its 100 days (counted from "Connected At") goes to Attention as refresh_token_expiring', async () => {
		const run = await check({ system: 'quickbooks', type: QB, data: quickBooksCredential({ tokenObtainedAt: isoDaysFromNow(-95) }) });
		const [report] = reports(run, 1);
		expect(report).toMatchObject({ state: 'attention', daysUntilRefreshExpiry: 5, findings: [{ code: 'refresh_token_expiring', daysLeft: 5 }] });
		expect(report.findings[0].message).toMatch(/reconnect the credential before then/);
	});

	test('a QuickBooks refresh token past its lifetime is expired and not used', async () => {
		const run = await check({ system: 'quickbooks', type: QB, data: quickBooksCredential({ tokenObtainedAt: isoDaysFromNow(-102) }) });
		const [report] = reports(run, 1);
		expect(report).toMatchObject({ state: 'expired', live: { checked: false }, guard: { decision: 'expired' } });
		expect(report.findings.map((f) => f.code)).toContain('refresh_token_expired');
		expect(qb.requests).toEqual([]);
	});

	test.each([
		['due within the warning window', -85, /rotation is due on .* \(in [45] days\)/],
		['overdue', -120, /rotation was due on .*: rotate the secret and update "Last Rotated"/],
	])('rotation %s goes to Attention as rotation_due with a credential.expiring entry', async (_what, rotatedDaysAgo, message) => {
		const store = embeddedCredential();
		const run = await check({ system: 'salesforce', type: SF, data: salesforceCredential({ lastRotated: isoDaysFromNow(rotatedDaysAgo), rotationIntervalDays: 90 }) }, { store });
		const [report] = reports(run, 1);
		expect(report).toMatchObject({ state: 'attention', findings: [{ code: 'rotation_due' }], live: { checked: true, ok: true } });
		expect(report.findings[0].message).toMatch(message);
		expect((await trail(store, run.executionId)).map((e) => e.event)).toEqual(['credential.expiring']);
	});

	test('a credential without an owner goes to Attention as owner_missing (credential.attention), with owner null', async () => {
		const store = embeddedCredential();
		const run = await check({ system: 'salesforce', type: SF, data: salesforceCredential({ ownerEmail: '' }) }, { store });
		expect(reports(run, 1)).toMatchObject([{ state: 'attention', owner: null, findings: [{ code: 'owner_missing' }], guard: { reasons: [{ code: 'owner_missing' }] } }]);
		expect((await trail(store, run.executionId)).map((e) => e.event)).toEqual(['credential.attention']);
	});

	test('without rotation tracking the credential goes to Attention as rotation_untracked', async () => {
		const run = await check({ system: 'quickbooks', type: QB, data: quickBooksCredential({ lastRotated: '' }) });
		expect(reports(run, 1)).toMatchObject([{ state: 'attention', rotationDueAt: null, findings: [{ code: 'rotation_untracked' }] }]);
	});

	test('with Live Check off nothing is sent to the system', async () => {
		const run = await check(setups.Salesforce(), { params: { liveCheck: false } });
		expect(reports(run, 0)).toMatchObject([{ state: 'ok', live: { checked: false, ok: false } }]);
		expect(sf.requests).toEqual([]);
	});
});

describe('Credential Check: the live call', () => {
	test('Salesforce: an access token the system has expired is refreshed by n8n, the check is OK, and n8n holds the new rotated refresh token', async () => {
		const setup = setups.Salesforce();
		const oldRefresh = sf.refreshToken;
		const oldAccess = sf.accessToken;
		sf.expireToken();
		const run = await check(setup, { probe: true });
		expect(reports(run, 0)).toMatchObject([{ state: 'ok', live: { checked: true, ok: true, refreshed: true } }]);
		expect(sf.refreshToken).not.toBe(oldRefresh);
		const [held] = run.nodeOutput('Probe') as Array<{ oauthTokenData: Record<string, unknown> }>;
		expect(held.oauthTokenData).toMatchObject({ refresh_token: sf.refreshToken, access_token: sf.accessToken, instance_url: sf.baseUrl });
		expect(held.oauthTokenData.access_token).not.toBe(oldAccess);
		expect(sf.requests.filter((r) => r.path.startsWith('/services/oauth2/token'))).toHaveLength(1);
		expect(JSON.stringify(run.nodeOutput('Check', 0))).not.toContain(sf.refreshToken);
	});

	test('QuickBooks: an expired access token is refreshed by n8n, the check is OK, and n8n holds the new rotated refresh token while the old one is dead', async () => {
		const setup = setups.QuickBooks();
		const oldRefresh = qb.refreshToken;
		qb.expireToken();
		const run = await check(setup, { probe: true });
		expect(reports(run, 0)).toMatchObject([{ state: 'ok', live: { checked: true, ok: true, refreshed: true } }]);
		const [held] = run.nodeOutput('Probe') as Array<{ oauthTokenData: Record<string, unknown> }>;
		expect(held.oauthTokenData).toMatchObject({ refresh_token: qb.refreshToken, access_token: qb.token, x_refresh_token_expires_in: 8726400 });
		expect(qb.refreshToken).not.toBe(oldRefresh);
		// A second refresh with the old token is refused, as Intuit does.
		const again = await check({ system: 'quickbooks', type: QB, data: quickBooksCredential({}, { refresh_token: oldRefresh }) });
		expect(reports(again, 0)).toMatchObject([{ state: 'ok' }]); // the access token is still good: no refresh needed
		qb.expireToken();
		const stale = await check({ system: 'quickbooks', type: QB, data: quickBooksCredential({}, { refresh_token: oldRefresh }) });
		expect(reports(stale, 1)).toMatchObject([{ state: 'attention', live: { code: 'token_rejected' } }]);
	});

	test('Zendesk OAuth2: an expired access token is refreshed through the override host and n8n holds the rotated tokens', async () => {
		const setup = setups['Zendesk (OAuth2)']();
		zd.expireOAuthToken();
		const run = await check(setup, { probe: true });
		expect(reports(run, 0)).toMatchObject([{ state: 'ok', live: { checked: true, ok: true, refreshed: true } }]);
		const [held] = run.nodeOutput('Probe') as Array<{ oauthTokenData: Record<string, unknown> }>;
		expect(held.oauthTokenData).toMatchObject({ access_token: zd.oauthToken, refresh_token: zd.oauthRefreshToken });
	});

	test.each([
		['Salesforce (unknown refresh token)', () => {
			sf.expireToken();
			return { system: 'salesforce', type: SF, data: salesforceCredential({}, { refresh_token: '5Aep861revokedrevokedrevoked' }) } as Setup;
		}],
		['QuickBooks (revoked refresh token)', () => {
			const setup = setups.QuickBooks();
			qb.expireToken();
			qb.revokeRefreshToken();
			return setup;
		}],
		['Zendesk OAuth2 (revoked refresh token)', () => {
			const setup = setups['Zendesk (OAuth2)']();
			zd.expireOAuthToken();
			zd.revokeRefreshToken();
			return setup;
		}],
		['Zendesk API token (refused, nothing to refresh)', () => {
			const setup = setups['Zendesk (API token)']();
			zd.renewTokens();
			return setup;
		}],
	])('%s: a token refused even after a refresh goes to Attention as token_rejected with a credential.rejected entry', async (_what, arrange) => {
		const setup = arrange();
		const store = embeddedCredential();
		const run = await check(setup, { store });
		expect(reports(run, 0)).toEqual([]);
		const [report] = reports(run, 1);
		expect(report).toMatchObject({ state: 'attention', findings: [], live: { checked: true, ok: false, code: 'token_rejected' }, guard: { decision: 'attention', reasons: [{ code: 'token_rejected' }] } });
		expect(report.live.message).toMatch(setup.type === ZD ? /the token was refused: issue a new one/ : /the token was refused and could not be refreshed \(invalid_grant\): reconnect the credential/);
		const entries = await trail(store, run.executionId);
		expect(entries.map((e) => e.event)).toEqual(['credential.rejected']);
		const everything = JSON.stringify([report, entries]);
		for (const secret of secretsOf(setup.data)) expect(everything).not.toContain(secret);
	});

	test.each(Object.keys(setups))('%s: a system that does not answer goes to Attention as system_unavailable, not as a dead token', async (name) => {
		const setup = setups[name]();
		await Promise.all([sf.stop(), zd.stop(), qb.stop()]);
		const store = embeddedCredential();
		const run = await check(setup, { store });
		const [report] = reports(run, 1);
		expect(report).toMatchObject({ state: 'attention', live: { checked: true, ok: false, code: 'system_unavailable' }, guard: { reasons: [{ code: 'system_unavailable' }] } });
		expect((await trail(store, run.executionId)).map((e) => e.event)).toEqual(['credential.attention']);
	});

	test('QuickBooks: an API that answers 401 while its token endpoint is down is system_unavailable, not token_rejected', async () => {
		const setup = setups.QuickBooks();
		qb.expireToken();
		setup.data.accessTokenUrl = 'http://127.0.0.1:9/oauth2/v1/tokens/bearer';
		const run = await check(setup);
		expect(reports(run, 1)).toMatchObject([{ state: 'attention', live: { code: 'system_unavailable' } }]);
	});
});

describe('Credential Check: items, agents and errors', () => {
	test('runs once per input item, each with its own trail entry carrying the Agent ID, and ignores the kill switch', async () => {
		const store = embeddedCredential();
		await runWorkflow({ nodeTypes, nodes: [agentControl('Suspend', { operation: 'suspend', agentId: 'books-bot', reason: 'incident drill' })], credentials: { agentGuardApi: store } });
		const run = await check(setups.QuickBooks(), { store, params: { agentId: 'books-bot' }, input: [{ tick: 1 }, { tick: 2 }] });
		const ok = reports(run, 0);
		expect(ok).toHaveLength(2);
		expect(ok.map((r) => r.guard.agentId)).toEqual(['books-bot', 'books-bot']);
		expect(run.items('Check', 0).map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		const entries = await trail(store, run.executionId);
		expect(entries.map((e) => [e.event, e.agentId])).toEqual([
			['credential.checked', 'books-bot'],
			['credential.checked', 'books-bot'],
		]);
	});

	test('a malformed "Last Rotated" is an error naming the item, the credential, the field and the fix; nothing is checked', async () => {
		const setup: Setup = { system: 'salesforce', type: SF, data: salesforceCredential({ lastRotated: 'last spring' }) };
		const run = await check(setup);
		const error = run.error('Check');
		expect(error?.message).toMatch(/^Item 0, credential "Salesforce prod", field "lastRotated": .*"lastRotated" is not a date \("last spring"\): use YYYY-MM-DD/);
		expect(error?.description).toMatch(/Open the credential "Salesforce prod" and correct "Last Rotated"/);
		expect(sf.requests).toEqual([]);
	});

	test('with continue-on-fail the bad credential item goes to Attention carrying the error', async () => {
		const run = await check({ system: 'zendesk', type: ZD, data: zendeskTokenCredential({ ownerEmail: 'not-an-address' }) }, { continueOnFail: true });
		expect(run.error('Check')).toBeUndefined();
		expect(run.nodeOutput('Check', 1)).toEqual([expect.objectContaining({ error: expect.stringMatching(/field "ownerEmail".*is not an e-mail address/) })]);
	});

	test('a node without the SaaS credential for the chosen system says which one to select', async () => {
		const run = await runWorkflow({
			nodeTypes,
			nodes: [credentialCheck('Check', { system: 'quickbooks', liveCheck: true, agentId: '' })],
			credentials: { agentGuardApi: embeddedCredential() },
		});
		expect(run.error('Check')?.message).toMatch(/no QuickBooks credential/);
	});

	test('an OAuth2 credential that was never connected is an error that says to connect it', async () => {
		const run = await check({ system: 'salesforce', type: SF, data: salesforceCredential({}, { access_token: '' }) });
		expect(run.error('Check')?.message).toMatch(/field "oauthTokenData".*Connect my account/);
	});
});
