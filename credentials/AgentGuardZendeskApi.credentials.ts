import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';
import { trackingProperties } from './trackingProperties';

export class AgentGuardZendeskApi implements ICredentialType {
	name = 'agentGuardZendeskApi';

	displayName = 'Agent Guard Zendesk API';

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-agent-guard';

	icon = 'file:agentGuard.svg' as const;

	properties: INodeProperties[] = [
		{ displayName: 'Subdomain', name: 'subdomain', type: 'string', default: '', placeholder: 'acme', description: 'The part before .zendesk.com' },
		{ displayName: 'Email', name: 'email', type: 'string', placeholder: 'name@email.com', default: '' },
		{ displayName: 'API Token', name: 'apiToken', type: 'string', typeOptions: { password: true }, default: '' },
		{
			displayName: 'API Base URL Override',
			name: 'baseUrlOverride',
			type: 'string',
			default: '',
			placeholder: 'http://127.0.0.1:8091/api/v2',
			description: 'For a local emulator; empty uses https://{subdomain}.zendesk.com/api/v2',
		},
		...trackingProperties({ accessTokenExpiry: true, refreshTokenExpiry: false }),
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { auth: { username: '={{ $credentials.email + "/token" }}', password: '={{ $credentials.apiToken }}' } },
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ $credentials.baseUrlOverride || ("https://" + $credentials.subdomain + ".zendesk.com/api/v2") }}',
			url: '/users/me.json',
		},
	};
}
