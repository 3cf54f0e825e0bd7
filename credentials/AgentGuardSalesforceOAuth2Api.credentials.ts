import type { ICredentialType, INodeProperties } from 'n8n-workflow';
import { environmentProperty, oauth2Properties, trackingProperties } from './trackingProperties';

/** The start of an expression for the login host; each URL appends its path and closes it. */
const LOGIN_HOST = '={{ ($self["loginHostOverride"] || ($self["environment"] === "sandbox" ? "https://test.salesforce.com" : "https://login.salesforce.com"))';

export class AgentGuardSalesforceOAuth2Api implements ICredentialType {
	name = 'agentGuardSalesforceOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Agent Guard Salesforce OAuth2 API';

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-agent-guard';

	icon = 'file:agentGuard.svg' as const;

	properties: INodeProperties[] = [
		environmentProperty,
		{
			displayName: 'Login Host Override',
			name: 'loginHostOverride',
			type: 'string',
			default: '',
			placeholder: 'https://acme.my.salesforce.com',
			description: 'A My Domain login host, or a local emulator; empty uses the environment above',
		},
		...oauth2Properties({ authUrl: `${LOGIN_HOST} + "/services/oauth2/authorize" }}`, accessTokenUrl: `${LOGIN_HOST} + "/services/oauth2/token" }}` }),
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'string',
			default: 'api refresh_token',
			description: 'Ask for no more than the agent’s policy needs: Scope Guard flags scopes such as "full" as over-permissioned',
		},
		...trackingProperties({ accessTokenExpiry: false, refreshTokenExpiry: true }),
	];
}
