import type { INodeProperties } from 'n8n-workflow';
import { policyProperties } from '../shared/policy';
import { agentIdProperty } from '../shared/properties';
import { zendeskAuthenticationProperty } from '../shared/saas';

export const properties: INodeProperties[] = [
	agentIdProperty(),
	{
		displayName:
			'Each item carries a proposed action in "action" ({"system": "salesforce", "object": "Lead", "operation": "update", "recordId": "…", "fields": {…}}) and, from Approval Gate, its "approval". Every write is recorded with its before-image so Reverse Write can undo it.',
		name: 'notice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Require Approval',
		name: 'requireApproval',
		type: 'boolean',
		default: true,
		description:
			'Whether every write needs an approval from Approval Gate for exactly this action (strict). Off: items without an approval are written too, but an approval that is present must still match.',
	},
	{
		displayName: 'Dry Run',
		name: 'dryRun',
		type: 'boolean',
		default: false,
		description: 'Whether to do everything except the write: the output shows what would change, and the approval is not used up',
	},
	{
		displayName: 'Check Policy',
		name: 'checkPolicy',
		type: 'boolean',
		default: true,
		description: 'Whether to check each action against a Scope Guard policy here too, so the write cannot go beyond the agent’s scope even if a Scope Guard was left out',
	},
	...policyProperties({ checkPolicy: [true] }),
	zendeskAuthenticationProperty,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Action Field',
				name: 'actionField',
				type: 'string',
				default: 'action',
				description: 'Where the proposed action is on each item; empty means the whole item',
			},
			{
				displayName: 'Before-Image Field',
				name: 'beforeField',
				type: 'string',
				default: 'before',
				description: 'Where the record as the approver saw it is (the same field Approval Gate used); if the record has changed since, the write is refused',
			},
		],
	},
];
