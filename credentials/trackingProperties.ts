import type { INodeProperties } from 'n8n-workflow';

/**
 * The fields every Agent Guard SaaS credential adds so expiry and rotation are tracked
 * (n8n itself has no credential-expiry alerting). Read by Credential Check and by every
 * guard node that writes with the credential.
 */
export function trackingProperties(options: { accessTokenExpiry: boolean; refreshTokenExpiry: boolean }): INodeProperties[] {
	const properties: INodeProperties[] = [
		{
			displayName: 'Owner E-Mail',
			name: 'ownerEmail',
			type: 'string',
			placeholder: 'name@email.com',
			default: '',
			description: 'Who is told before this credential expires or is due for rotation',
		},
		{
			displayName: 'Rotation Interval (Days)',
			name: 'rotationIntervalDays',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 3650 },
			default: 90,
			description: 'How often the secret must be rotated; the pre-deployment checklist wants 90 or less',
		},
		{
			displayName: 'Last Rotated',
			name: 'lastRotated',
			type: 'dateTime',
			default: '',
			description: 'When the secret or connection was last renewed',
		},
		{
			displayName: 'Warning Window (Days)',
			name: 'warningDays',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 365 },
			default: 14,
			description: 'Credential Check reports Attention this many days before an expiry or rotation date',
		},
	];
	if (options.accessTokenExpiry) {
		properties.push({
			displayName: 'Token Expires At',
			name: 'accessTokenExpiresAt',
			type: 'dateTime',
			default: '',
			description: 'When the token stops working, if it does (leave empty when it does not expire)',
		});
	}
	if (options.refreshTokenExpiry) {
		properties.push(
			{
				displayName: 'Connected At',
				name: 'tokenObtainedAt',
				type: 'dateTime',
				default: '',
				description: 'When you last connected (the refresh token’s lifetime counts from here)',
			},
			{
				displayName: 'Refresh Token Expires At',
				name: 'refreshTokenExpiresAt',
				type: 'dateTime',
				default: '',
				description: 'Leave empty to compute it from the token data when the system gives its lifetime',
			},
		);
	}
	return properties;
}

/** Production / Sandbox, as both OAuth2 systems name them. */
export const environmentProperty: INodeProperties = {
	displayName: 'Environment',
	name: 'environment',
	type: 'options',
	options: [
		{ name: 'Production', value: 'production' },
		{ name: 'Sandbox', value: 'sandbox' },
	],
	default: 'production',
};

/** The hidden fields n8n's OAuth2 machinery reads (authorization-code grant, token in the header). */
export function oauth2Properties(urls: { authUrl: string; accessTokenUrl: string }): INodeProperties[] {
	return [
		{ displayName: 'Grant Type', name: 'grantType', type: 'hidden', default: 'authorizationCode' },
		{ displayName: 'Authorization URL', name: 'authUrl', type: 'hidden', default: urls.authUrl },
		{ displayName: 'Access Token URL', name: 'accessTokenUrl', type: 'hidden', default: urls.accessTokenUrl },
		{ displayName: 'Auth URI Query Parameters', name: 'authQueryParameters', type: 'hidden', default: '' },
		{ displayName: 'Authentication', name: 'authentication', type: 'hidden', default: 'header' },
	];
}
