import type { INodeProperties } from 'n8n-workflow';
import { agentIdProperty, showFor } from '../shared/properties';


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
	{
		displayName: 'Policy',
		name: 'policySource',
		type: 'options',
		options: [
			{ name: 'JSON', value: 'json', description: 'Paste or map a policy kept in git' },
			{ name: 'Preset: Finance Agent', value: 'finance', description: 'QuickBooks invoices: read. No writes.' },
			{ name: 'Preset: Sales Agent', value: 'sales', description: 'Leads and contacts: read. Leads: update Status, Rating, Description (50 per run).' },
			{ name: 'Preset: Support Agent', value: 'support', description: 'Zendesk tickets: read, update status, priority, tags, comment (100 per run)' },
			{ name: 'Rows (One per Object)', value: 'rows', description: 'Write the policy here, one row per object' },
		],
		default: 'rows',
	},
	{
		displayName: 'Rules',
		name: 'rules',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Object',
		default: {},
		displayOptions: { show: { policySource: ['rows'] } },
		description: 'Anything no row allows is denied',
		options: [
			{
				displayName: 'Rule',
				name: 'rule',
				values: [
					{
						displayName: 'Denied Fields',
						name: 'deniedFields',
						type: 'string',
						default: '',
						placeholder: 'Email, Phone',
							hint:	'Never readable or writable, whatever other rows say',
					},
					{
						displayName: 'Max Records per Run',
						name: 'maxRecordsPerRun',
						type: 'number',
						default: 0,
							hint:	'0	=	no limit. Counts across all items of the execution.',
					},
					{
						displayName: 'Object',
						name: 'object',
						type: 'string',
						default: '',
						placeholder: 'Lead',
							hint:	'API name, or	*	for every object',
					},
					{
						displayName: 'Operations',
						name: 'operations',
						type: 'multiOptions',
						options: [
							{
								name: 'Read',
								value: 'read',
							},
							{
								name: 'Create',
								value: 'create',
							},
							{
								name: 'Update',
								value: 'update',
							},
							{
								name: 'Delete',
								value: 'delete',
							},
						],
						default: []
					},
					{
						displayName: 'Readable Fields',
						name: 'readableFields',
						type: 'string',
						default: '*',
						placeholder: 'Name, Company, Address.City',
							hint:	'Comma-separated;	*	for every field;	dotted paths for nested fields',
					},
					{
						displayName: 'System',
						name: 'system',
						type: 'options',
						options: [
							{
								name: 'Salesforce',
								value: 'salesforce',
							},
							{
								name: 'Zendesk',
								value: 'zendesk',
							},
							{
								name: 'QuickBooks',
								value: 'quickbooks',
							},
							{
								name: 'Any',
								value: '*',
							},
					],
						default: 'salesforce',
					},
					{
						displayName: 'Writable Fields',
						name: 'writableFields',
						type: 'string',
						default: '',
						placeholder: 'Status, Rating',
							hint:	'Comma-separated;	only with Create or Update',
					},
			],
			},
		],
	},
	{
		displayName: 'Policy (JSON)',
		name: 'policyJson',
		type: 'json',
		default: '{\n  "rules": [\n    { "id": "leads", "system": "salesforce", "object": "Lead", "operations": ["read", "update"], "readableFields": ["*"], "writableFields": ["Status"], "maxRecordsPerRun": 50 }\n  ]\n}',
		displayOptions: { show: { policySource: ['json'] } },
	},
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
		displayName: 'Granted Scopes',
		name: 'scopes',
		type: 'string',
		default: '={{ $json.scopes }}',
		hint: 'A list, or text separated by spaces or commas, e.g. "api refresh_token full"',
		displayOptions: showFor('checkScopes'),
	},
];
