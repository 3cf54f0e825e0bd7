import type { ICredentialType, INodeProperties } from 'n8n-workflow';
import { environmentProperty, oauth2Properties, trackingProperties } from './trackingProperties';

export class AgentGuardQuickBooksOAuth2Api implements ICredentialType {
	name = 'agentGuardQuickBooksOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Agent Guard QuickBooks Online OAuth2 API';

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-agent-guard';

	icon = 'file:agentGuard.svg' as const;

	properties: INodeProperties[] = [
		environmentProperty,
		{ displayName: 'Company ID (Realm ID)', name: 'realmId', type: 'string', default: '', required: true },
		{
			displayName: 'API Base URL Override',
			name: 'baseUrlOverride',
			type: 'string',
			default: '',
			placeholder: 'http://127.0.0.1:8090/v3/company/',
			description: 'For a local emulator; empty uses the environment above',
		},
		// With a base URL override (a local emulator), tokens are refreshed at its origin too.
		...oauth2Properties({
			authUrl: 'https://appcenter.intuit.com/connect/oauth2',
			accessTokenUrl:
				'={{ $self["baseUrlOverride"] ? String($self["baseUrlOverride"]).replace(/^(https?:\\/\\/[^/?#]+).*$/, "$1") + "/oauth2/v1/tokens/bearer" : "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer" }}',
		}),
		{ displayName: 'Scope', name: 'scope', type: 'hidden', default: 'com.intuit.quickbooks.accounting' },
		// QuickBooks refresh tokens expire for good after 100 days (x_refresh_token_expires_in).
		...trackingProperties({ accessTokenExpiry: false, refreshTokenExpiry: true }),
	];
}
