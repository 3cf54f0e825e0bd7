import type { ICredentialType, INodeProperties } from 'n8n-workflow';
import { oauth2Properties, trackingProperties } from './trackingProperties';

/**
 * The start of an expression for the OAuth host: the origin of the API base URL override (a
 * local emulator, a proxy) when set, else the account's own host; each URL appends its path.
 */
const OAUTH_HOST =
	'={{ ($self["baseUrlOverride"] ? String($self["baseUrlOverride"]).replace(/^(https?:\\/\\/[^/?#]+).*$/, "$1") : "https://" + $self["subdomain"] + ".zendesk.com")';

export class AgentGuardZendeskOAuth2Api implements ICredentialType {
	name = 'agentGuardZendeskOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Agent Guard Zendesk OAuth2 API';

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-agent-guard';

	icon = 'file:agentGuard.svg' as const;

	properties: INodeProperties[] = [
		{ displayName: 'Subdomain', name: 'subdomain', type: 'string', default: '', required: true, placeholder: 'acme', description: 'The part before .zendesk.com' },
		{
			displayName: 'API Base URL Override',
			name: 'baseUrlOverride',
			type: 'string',
			default: '',
			placeholder: 'http://127.0.0.1:8091/api/v2',
			description: 'For a local emulator; empty uses https://{subdomain}.zendesk.com/api/v2. Tokens are then refreshed at this URL’s host too.',
		},
		// Zendesk wants the client id and secret in the token request's body, not as basic auth.
		...oauth2Properties({ authUrl: `${OAUTH_HOST} + "/oauth/authorizations/new" }}`, accessTokenUrl: `${OAUTH_HOST} + "/oauth/tokens" }}` }).filter(
			(p) => p.name !== 'authentication',
		),
		{ displayName: 'Authentication', name: 'authentication', type: 'hidden', default: 'body' },
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'string',
			default: 'read write',
			description: 'Ask for no more than the agent’s policy needs, e.g. "tickets:read tickets:write" instead of "read write"',
		},
		// An access token renews itself through the refresh token; a refresh token expires only if the OAuth client is set to issue expiring ones.
		...trackingProperties({ accessTokenExpiry: false, refreshTokenExpiry: true }),
	];
}
