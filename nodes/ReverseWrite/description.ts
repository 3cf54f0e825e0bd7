import type { INodeProperties } from 'n8n-workflow';
import { agentIdProperty } from '../shared/properties';
import { zendeskAuthenticationProperty } from '../shared/saas';

export const properties: INodeProperties[] = [
	agentIdProperty(),
	{
		displayName:
			'Undoes writes that Guarded Write recorded, newest first: fields back to their values before the agent, records it created deleted, records it deleted brought back. Fields someone changed since are left alone and go to Conflicts. Runs once per execution with the parameters of the first item; one output item per write. A suspended agent can be reversed.',
		name: 'notice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Select By',
		name: 'selectBy',
		type: 'options',
		options: [
			{ name: 'Execution', value: 'execution', description: 'Every write of one n8n execution (the incident case)' },
			{ name: 'Trail Entries', value: 'entries', description: 'Chosen write.applied entries by their sequence number' },
			{ name: 'Agent and Time Window', value: 'agent', description: 'Every write of the agent above in a time window' },
		],
		default: 'execution',
		description: 'Which writes to reverse',
	},
	{
		displayName: 'Execution ID',
		name: 'executionId',
		type: 'string',
		default: '',
		required: true,
		placeholder: '1042',
		hint: 'The execution whose writes to undo: from the n8n executions list or Audit Logger',
		displayOptions: { show: { selectBy: ['execution'] } },
	},
	{
		displayName: 'Entries',
		name: 'entries',
		type: 'string',
		default: '',
		required: true,
		placeholder: '118, 121, 130',
		hint: 'Sequence numbers of write.applied entries, separated by commas',
		displayOptions: { show: { selectBy: ['entries'] } },
	},
	{
		displayName: 'Since',
		name: 'since',
		type: 'dateTime',
		default: '',
		required: true,
		description: 'Start of the window (inclusive)',
		displayOptions: { show: { selectBy: ['agent'] } },
	},
	{
		displayName: 'Until',
		name: 'until',
		type: 'dateTime',
		default: '',
		description: 'End of the window (exclusive); empty means now',
		displayOptions: { show: { selectBy: ['agent'] } },
	},
	{
		displayName: 'Preview',
		name: 'preview',
		type: 'boolean',
		default: true,
		description: 'Whether to only show what would be restored, field by field, without writing anything (the plan is recorded in the trail). Turn off to reverse.',
	},
	{
		displayName: 'Force',
		name: 'force',
		type: 'boolean',
		default: false,
		description: 'Whether to restore fields that someone changed after the agent as well, and delete records the agent created even if someone edited them since',
	},
	{
		displayName: 'Force overwrites changes people made after the agent. Preview first and check the Conflicts output.',
		name: 'forceNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { force: [true] } },
	},
	zendeskAuthenticationProperty,
];
