/**
 * The Zendesk OAuth2 credential's hidden URLs, resolved the way n8n's credentials helper does
 * (its expression engine with the credential's own data as `$self`).
 */
import type { ICredentialDataDecryptedObject, INode, INodeParameters, INodeTypes } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';
import { AgentGuardQuickBooksOAuth2Api } from '../../../credentials/AgentGuardQuickBooksOAuth2Api.credentials';
import { AgentGuardZendeskOAuth2Api } from '../../../credentials/AgentGuardZendeskOAuth2Api.credentials';

const type = new AgentGuardZendeskOAuth2Api();

/** Defaults, then the user's values, then every expression resolved against the whole: what a node is handed. */
function resolved(values: Record<string, string>, of: { properties: Array<{ name: string; default: unknown }> } = type): ICredentialDataDecryptedObject {
	const data: ICredentialDataDecryptedObject = {};
	for (const p of of.properties) data[p.name] = p.default as string;
	Object.assign(data, values);
	const node: INode = { id: 'mock', name: 'mock', type: 'mock', typeVersion: 1, position: [0, 0], parameters: {} };
	const nodeTypes = { getByName: () => undefined, getByNameAndVersion: () => undefined, getKnownTypes: () => ({}) } as unknown as INodeTypes;
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	return workflow.expression.getComplexParameterValue(node, data as INodeParameters, 'manual', {}, undefined, undefined, data) as ICredentialDataDecryptedObject;
}

describe('Agent Guard Zendesk OAuth2 API credential', () => {
	test('extends n8n’s OAuth2 type with the authorization-code grant, client id and secret sent in the body, scope "read write"', () => {
		expect(type.name).toBe('agentGuardZendeskOAuth2Api');
		expect(type.extends).toEqual(['oAuth2Api']);
		const data = resolved({ subdomain: 'acme' });
		expect(data).toMatchObject({ grantType: 'authorizationCode', authentication: 'body', scope: 'read write' });
	});

	test('points the authorization and token URLs at the account’s own host', () => {
		const data = resolved({ subdomain: 'acme' });
		expect(data.authUrl).toBe('https://acme.zendesk.com/oauth/authorizations/new');
		expect(data.accessTokenUrl).toBe('https://acme.zendesk.com/oauth/tokens');
	});

	test('with an API base URL override, tokens are obtained and refreshed at the override’s origin', () => {
		const data = resolved({ subdomain: 'acme', baseUrlOverride: 'http://127.0.0.1:8091/api/v2' });
		expect(data.authUrl).toBe('http://127.0.0.1:8091/oauth/authorizations/new');
		expect(data.accessTokenUrl).toBe('http://127.0.0.1:8091/oauth/tokens');
	});

	test('tracks owner, rotation and the refresh token’s lifetime', () => {
		expect(type.properties.map((p) => p.name)).toEqual(expect.arrayContaining(['ownerEmail', 'rotationIntervalDays', 'lastRotated', 'warningDays', 'tokenObtainedAt', 'refreshTokenExpiresAt']));
		expect(type.properties.filter((p) => p.name === 'authentication')).toHaveLength(1);
	});
});

describe('Agent Guard QuickBooks OAuth2 API credential', () => {
	const qb = new AgentGuardQuickBooksOAuth2Api();
	test('refreshes tokens at Intuit, or at the origin of the API base URL override (a local emulator)', () => {
		expect(resolved({ realmId: '1' }, qb).accessTokenUrl).toBe('https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer');
		expect(resolved({ realmId: '1', baseUrlOverride: 'http://127.0.0.1:8090/v3/company/' }, qb).accessTokenUrl).toBe('http://127.0.0.1:8090/oauth2/v1/tokens/bearer');
	});
});
