import type { INodeProperties } from 'n8n-workflow';
import { policyProperties } from '../shared/policy';
import { agentIdProperty, showFor } from '../shared/properties';
import { zendeskAuthenticationProperty } from '../shared/saas';


export const properties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Check Actions', value: 'checkActions', action: 'Check proposed actions against the policy', description: 'Each proposed action goes to Allowed or Denied, with reasons' },
			{ name: 'Check Credential Scopes', value: 'checkScopes', action: 'Check granted scopes against the policy', description: 'Report scopes beyond what the policy needs, and missing ones' },
			{ name: 'Filter Records', value: 'filterRecords', action: 'Filter records before the agent reads them', description: 'Drop objects and remove fields the agent may not read' },
		],
		default: 'checkActions',
	},
	agentIdProperty(['checkActions', 'filterRecords', 'checkScopes']),
	...policyProperties(),
	{
		displayName: 'Action Field',
		name: 'actionField',
		type: 'string',
		default: 'action',
		hint: 'Where the proposed action is on each item; empty means the whole item',
		displayOptions: showFor('checkActions'),
	},
	{
		displayName: 'Error on Malformed Action',
		name: 'errorOnMalformed',
		type: 'boolean',
		default: false,
		description: 'Whether a malformed action stops the workflow with an error instead of going to Denied',
		displayOptions: showFor('checkActions'),
	},
	{
		displayName: 'System',
		name: 'system',
		type: 'string',
		default: '={{ $json.system ?? "salesforce" }}',
		hint: 'salesforce, zendesk or quickbooks',
		displayOptions: showFor('filterRecords', 'checkScopes'),
	},
	{
		displayName: 'Object',
		name: 'object',
		type: 'string',
		default: '={{ $json.attributes?.type ?? $json.object ?? "" }}',
		hint: 'The object of the record (Salesforce records carry it in attributes.type)',
		displayOptions: showFor('filterRecords'),
	},
	{
		displayName: 'Record Field',
		name: 'recordField',
		type: 'string',
		default: '',
		hint: 'Where the record is on each item; empty means the whole item',
		displayOptions: showFor('filterRecords'),
	},
	{
		displayName: 'Scopes From',
		name: 'scopesSource',
		type: 'options',
		options: [
			{ name: 'Parameter', value: 'parameter', description: 'A list you give below (or map from the item)' },
			{ name: 'Credential', value: 'credential', description: 'What the system granted the Agent Guard credential of that system' },
		],
		default: 'parameter',
		displayOptions: showFor('checkScopes'),
	},
	{ ...zendeskAuthenticationProperty, displayOptions: { show: { operation: ['checkScopes'], scopesSource: ['credential'] } } },
	{
		displayName: 'Granted Scopes',
		name: 'scopes',
		type: 'string',
		default: '={{ $json.scopes }}',
		hint: 'A list, or text separated by spaces or commas, e.g. "api refresh_token full"',
		displayOptions: { show: { operation: ['checkScopes'], scopesSource: ['parameter'] } },
	},
];
