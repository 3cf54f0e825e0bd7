import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';
import type { SaasSystem } from '../../lib/saas/types';
import { CREDENTIAL_TYPES, saasCredentialDescriptions, zendeskAuthenticationProperty } from '../shared/saas';

const SYSTEM_OF_TYPE: Record<string, SaasSystem> = {
	[CREDENTIAL_TYPES.salesforce]: 'salesforce',
	[CREDENTIAL_TYPES.zendeskToken]: 'zendesk',
	[CREDENTIAL_TYPES.zendeskOAuth2]: 'zendesk',
	[CREDENTIAL_TYPES.quickbooks]: 'quickbooks',
};

/** The SaaS credential of the chosen system, and only that one, is asked for (and required). */
export const credentialDescriptions: INodeCredentialDescription[] = [
	// Optional: without it the embedded journal in the n8n user folder is used.
	{ name: 'agentGuardApi', required: false, testedBy: 'agentGuardApiTest' },
	...saasCredentialDescriptions.map((c) => ({
		...c,
		required: true,
		displayOptions: { show: { ...c.displayOptions?.show, system: [SYSTEM_OF_TYPE[c.name]] } },
	})),
];

export const properties: INodeProperties[] = [
	{
		displayName:
			'Checks one credential per input item (a Schedule Trigger gives one). OK: nothing to do. Attention: expired, expiring or due for rotation within the credential’s warning window, no owner, or refused by the system. The owner e-mail is on the item for an alert. Trail events: credential.checked, credential.expiring, credential.expired, credential.rejected, credential.attention.',
		name: 'notice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'System',
		name: 'system',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'QuickBooks Online', value: 'quickbooks' },
			{ name: 'Salesforce', value: 'salesforce' },
			{ name: 'Zendesk', value: 'zendesk' },
		],
		default: 'salesforce',
		description: 'Which system the credential signs in to',
	},
	{
		...zendeskAuthenticationProperty,
		description: 'Which kind of Zendesk credential to check',
		displayOptions: { show: { system: ['zendesk'] } },
	},
	{
		displayName: 'Live Check',
		name: 'liveCheck',
		type: 'boolean',
		default: true,
		description:
			'Whether to make one cheap authenticated call (Salesforce limits, Zendesk users/me, QuickBooks company info) to see that the system still accepts the token; an expired OAuth access token is refreshed by n8n on the way',
	},
	{
		displayName: 'Agent ID',
		name: 'agentId',
		type: 'string',
		default: '',
		placeholder: 'sales-bot',
		hint: 'Optional: the agent that uses this credential, recorded in the trail. The kill switch is not consulted: this is a monitoring node.',
	},
];
