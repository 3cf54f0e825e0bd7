import type { ICredentialType, INodeProperties } from 'n8n-workflow';
import { trackingProperties } from './trackingProperties';

const HOST = '={{ $self["loginHostOverride"] || ($self["environment"] === "sandbox" ? "https://test.salesforce.com" : "https://login.salesforce.com") }}';

export class AgentGuardSalesforceOAuth2Api implements ICredentialType {
	name = 'agentGuardSalesforceOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Agent Guard Salesforce OAuth2 API';

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-agent-guard';

	icon = 'file:agentGuard.svg' as const;

	properties: INodeProperties[] = [
		{ displayName: 'Grant Type', name: 'grantType', type: 'hidden', default: 'authorizationCode' },
		{
			displayName: 'Environment',
			name: 'environment',
			type: 'options',
			options: [
				{ name: 'Production', value: 'production' },
				{ name: 'Sandbox', value: 'sandbox' },
			],
			default: 'production',
		},
		{
			displayName: 'Login Host Override',
			name: 'loginHostOverride',
			type: 'string',
			default: '',
			placeholder: 'https://acme.my.salesforce.com',
			description: 'A My Domain login host, or a local emulator; empty uses the environment above',
		},
		{ displayName: 'Authorization URL', name: 'authUrl', type: 'hidden', default: `${HOST.slice(0, -3)} + "/services/oauth2/authorize" }}` },
		{ displayName: 'Access Token URL', name: 'accessTokenUrl', type: 'hidden', default: `${HOST.slice(0, -3)} + "/services/oauth2/token" }}` },
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'string',
			default: 'api refresh_token',
			description: 'Ask for no more than the agent’s policy needs: Scope Guard flags scopes such as "full" as over-permissioned',
		},
		{ displayName: 'Auth URI Query Parameters', name: 'authQueryParameters', type: 'hidden', default: '' },
		{ displayName: 'Authentication', name: 'authentication', type: 'hidden', default: 'header' },
		...trackingProperties({ accessTokenExpiry: false, refreshTokenExpiry: true }),
	];
}
