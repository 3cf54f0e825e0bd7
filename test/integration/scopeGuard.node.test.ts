import { closeAllStores } from '../../lib/store/open';
import { agentControl, auditLogger, embeddedCredential, guardNodeTypes, redisCredential, scopeGuard } from '../helpers/guardNodes';
import { runWorkflow } from '../helpers/n8nInProcess';

afterAll(closeAllStores);

const lead = (recordId: string, fields: Record<string, unknown>) => ({ action: { system: 'salesforce', object: 'Lead', operation: 'update', recordId, fields } });

describe.each([
	['embedded', () => embeddedCredential()],
	['redis', () => redisCredential()],
])('Scope Guard (%s store)', (_name, credential) => {
	test('Check Actions routes each proposed action to Allowed or Denied, with reasons, and writes every decision to the trail', async () => {
		const run = await runWorkflow({
			nodeTypes: guardNodeTypes,
			nodes: [
				scopeGuard('Scope', { operation: 'checkActions', agentId: 'sales-bot', policySource: 'sales', actionField: 'action' }),
				auditLogger('Trace', { operation: 'trace' }),
			],
			connections: [['Scope', 'Trace', 1]],
			credentials: { agentGuardApi: credential() },
			input: [lead('00Q1', { Status: 'Qualified' }), lead('00Q2', { OwnerId: 'x' }), { action: { system: 'salesforce', object: 'Account', operation: 'delete', recordId: '001' } }, { action: 'not an action' }],
		});
		const allowed = run.nodeOutput('Scope', 0);
		const denied = run.nodeOutput('Scope', 1);
		expect(allowed.map((i) => (i.action as { recordId: string }).recordId)).toEqual(['00Q1']);
		expect(allowed[0].guard).toMatchObject({ decision: 'allow', agentId: 'sales-bot', audit: { seq: 1 } });
		expect(denied.map((i) => (i.guard as { reasons: Array<{ code: string }> }).reasons[0].code)).toEqual(['field_not_writable', 'object_not_allowed', 'malformed_action']);
		const trace = run.nodeOutput('Trace');
		expect(trace.map((e) => [e.event, (e.details as { allowed: boolean }).allowed])).toEqual([
			['scope.decided', true], ['scope.decided', false], ['scope.decided', false], ['scope.decided', false],
		]);
	});

	test('the record limit counts across the items of a run: the 4th of a 3-per-run rule is too_many_records', async () => {
		const run = await runWorkflow({
			nodeTypes: guardNodeTypes,
			nodes: [scopeGuard('Scope', { operation: 'checkActions', agentId: 'sales-bot', policySource: 'rows', actionField: 'action', rules: { rule: [{ system: 'salesforce', object: 'Lead', operations: ['update'], readableFields: '', writableFields: 'Status', deniedFields: '', maxRecordsPerRun: 3 }] } })],
			credentials: { agentGuardApi: credential() },
			input: ['1', '2', '3', '4'].map((id) => lead(id, { Status: 'x' })),
		});
		expect(run.nodeOutput('Scope', 0)).toHaveLength(3);
		expect(run.nodeOutput('Scope', 1).map((i) => (i.guard as { reasons: Array<{ code: string }> }).reasons[0].code)).toEqual(['too_many_records']);
	});

	test('a suspended agent has every action denied with agent_suspended', async () => {
		const credentials = { agentGuardApi: credential() };
		await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [agentControl('Suspend', { operation: 'suspend', agentId: 'sales-bot', reason: 'incident' })], credentials });
		const run = await runWorkflow({
			nodeTypes: guardNodeTypes,
			nodes: [scopeGuard('Scope', { operation: 'checkActions', agentId: 'sales-bot', policySource: 'sales', actionField: 'action' })],
			credentials,
			input: [lead('00Q1', { Status: 'Qualified' })],
		});
		expect(run.nodeOutput('Scope', 0)).toEqual([]);
		expect(run.nodeOutput('Scope', 1)[0].guard).toMatchObject({ decision: 'deny', reasons: [{ code: 'agent_suspended' }] });
	});
});

describe('Scope Guard Filter Records and Check Credential Scopes', () => {
	test('Filter Records removes unreadable fields, drops unreadable objects without their content, and lists what it removed', async () => {
		const run = await runWorkflow({
			nodeTypes: guardNodeTypes,
			nodes: [scopeGuard('Filter', { operation: 'filterRecords', agentId: 'sales-bot', policySource: 'json', policyJson: JSON.stringify({ rules: [{ system: 'salesforce', object: 'Lead', operations: ['read'], readableFields: ['Name', 'Company'] }] }), system: 'salesforce', object: '={{ $json.attributes.type }}', recordField: '' })],
			credentials: { agentGuardApi: embeddedCredential() },
			input: [
				{ attributes: { type: 'Lead' }, Id: '00Q1', Name: 'Ada', Company: 'Acme', Email: 'ada@acme.test' },
				{ attributes: { type: 'Contact' }, Id: '0031', Name: 'Bob', Phone: '555' },
			],
		});
		const [kept] = run.nodeOutput('Filter', 0);
		expect(kept).toMatchObject({ Id: '00Q1', Name: 'Ada', Company: 'Acme', guard: { removed: ['Email'], decision: 'allow' } });
		expect(kept.Email).toBeUndefined();
		const [dropped] = run.nodeOutput('Filter', 1);
		expect(Object.keys(dropped)).toEqual(['guard']);
		expect(dropped.guard).toMatchObject({ decision: 'deny', reasons: [{ code: 'object_not_allowed' }] });
	});

	test('Check Credential Scopes reports what a credential has beyond the policy', async () => {
		const run = await runWorkflow({
			nodeTypes: guardNodeTypes,
			nodes: [scopeGuard('Scopes', { operation: 'checkScopes', agentId: 'sales-bot', policySource: 'sales', system: 'salesforce', scopes: '={{ $json.scopes }}' })],
			credentials: { agentGuardApi: embeddedCredential() },
			input: [{ scopes: 'api refresh_token full' }, { scopes: ['api', 'refresh_token'] }],
		});
		expect(run.nodeOutput('Scopes', 1)[0]).toMatchObject({ overPermissioned: ['full'], missing: [], guard: { reasons: [{ code: 'scope_beyond_policy' }] } });
		expect(run.nodeOutput('Scopes', 0)[0]).toMatchObject({ ok: true, needed: ['api'] });
	});

	test('Check Credential Scopes reads the scopes a SaaS credential was granted (Salesforce token data), asked for (QuickBooks), or an API token implies (Zendesk)', async () => {
		const saasRefs = { agentGuardSalesforceOAuth2Api: { id: '2', name: 'SF' }, agentGuardZendeskApi: { id: '3', name: 'ZD' }, agentGuardQuickBooksOAuth2Api: { id: '4', name: 'QB' } };
		const check = (name: string, system: string, policySource: string) =>
			scopeGuard(name, { operation: 'checkScopes', agentId: 'ops-bot', policySource, system, scopesSource: 'credential', zendeskAuthentication: 'apiToken' }, { credentials: { agentGuardApi: { id: '1', name: 'Agent Guard' }, ...saasRefs } });
		const run = await runWorkflow({
			nodeTypes: guardNodeTypes,
			nodes: [check('SF', 'salesforce', 'sales'), check('ZD', 'zendesk', 'support'), check('QB', 'quickbooks', 'finance')],
			credentials: {
				agentGuardApi: embeddedCredential(),
				agentGuardSalesforceOAuth2Api: { scope: 'api refresh_token', oauthTokenData: { access_token: 'x', scope: 'refresh_token full api' } },
				agentGuardZendeskApi: { subdomain: 'acme', email: 'a@acme.test', apiToken: 'x' },
				agentGuardQuickBooksOAuth2Api: { scope: 'com.intuit.quickbooks.accounting', realmId: '1', oauthTokenData: { access_token: 'x' } },
			},
		});
		expect(run.nodeOutput('SF', 1)[0]).toMatchObject({ scopesFrom: 'granted', overPermissioned: ['full'], guard: { reasons: [{ code: 'scope_beyond_policy' }] } });
		expect([...run.nodeOutput('ZD', 0), ...run.nodeOutput('ZD', 1)][0]).toMatchObject({ scopesFrom: 'api_token', granted: ['read', 'write'] });
		expect(run.nodeOutput('QB', 0)[0]).toMatchObject({ scopesFrom: 'requested', granted: ['com.intuit.quickbooks.accounting'], ok: true });
		for (const name of ['SF', 'ZD', 'QB']) expect(JSON.stringify([...run.nodeOutput(name, 0), ...run.nodeOutput(name, 1)])).not.toMatch(/access_token|"x"/);
	});

	test('an invalid policy fails once, at the start, naming the rule and the field', async () => {
		const run = await runWorkflow({
			nodeTypes: guardNodeTypes,
			nodes: [scopeGuard('Scope', { operation: 'checkActions', agentId: 'sales-bot', policySource: 'rows', actionField: 'action', rules: { rule: [{ system: 'salesforce', object: 'Lead', operations: [], readableFields: '*', writableFields: '', deniedFields: '', maxRecordsPerRun: 0 }] } })],
			credentials: { agentGuardApi: embeddedCredential() },
			input: [lead('1', { Status: 'x' })],
		});
		expect(run.error('Scope')?.message).toBe('Invalid policy: Rule 1 (Lead), field "operations": list at least one of read, create, update, delete');
	});

	test('with Error on Malformed Action, a malformed action stops the run naming the item and the field', async () => {
		const run = await runWorkflow({
			nodeTypes: guardNodeTypes,
			nodes: [scopeGuard('Scope', { operation: 'checkActions', agentId: 'sales-bot', policySource: 'sales', actionField: 'action', errorOnMalformed: true })],
			credentials: { agentGuardApi: embeddedCredential() },
			input: [lead('1', { Status: 'x' }), { action: { system: 'salesforce', object: 'Lead', operation: 'update', fields: { Status: 'x' } } }],
		});
		expect(run.error('Scope')).toMatchObject({ itemIndex: 1, message: 'Item 1, field "action.recordId": "recordId" is required for update' });
	});
});
