import type { IDisplayOptions, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { compilePolicy, compilePolicyJson } from '../../lib/policy/parse';
import { PRESETS } from '../../lib/policy/presets';
import { Policy, PolicyError } from '../../lib/policy/types';
import { toNodeError } from './runtime';

/**
 * The policy editor (presets, a row per object, or JSON) that Scope Guard and Guarded Write
 * share, so a policy reads and means the same in both. `show` adds display conditions.
 */
export function policyProperties(show: NonNullable<IDisplayOptions['show']> = {}): INodeProperties[] {
	const properties: INodeProperties[] = [
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
	];
	if (Object.keys(show).length === 0) return properties;
	return properties.map((p) => ({ ...p, displayOptions: { show: { ...show, ...(p.displayOptions?.show ?? {}) } } }));
}

/** Compiles the node's policy once, at the start; an invalid one fails naming the row and field. */
export function loadPolicy(ctx: IExecuteFunctions): Policy {
	const source = ctx.getNodeParameter('policySource', 0) as string;
	try {
		if (source === 'sales' || source === 'support' || source === 'finance') return compilePolicy(PRESETS[source].policy);
		if (source === 'json') {
			return compilePolicyJson(ctx.getNodeParameter('policyJson', 0) as unknown);
		}
		const rows = (ctx.getNodeParameter('rules', 0, {}) as { rule?: Array<Record<string, unknown>> }).rule ?? [];
		return compilePolicy({ rules: rows.map((r) => ({ ...r, maxRecordsPerRun: r.maxRecordsPerRun === 0 ? undefined : r.maxRecordsPerRun })) });
	} catch (error) {
		if (error instanceof PolicyError) {
			throw new NodeOperationError(ctx.getNode(), `Invalid policy: ${error.message}`, { description: 'Nothing was checked. Fix the rule named above; anything no rule allows is denied.' });
		}
		throw toNodeError(ctx, error);
	}
}
