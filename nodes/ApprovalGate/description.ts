import type { INodeProperties } from 'n8n-workflow';
import { agentIdProperty, showFor } from '../shared/properties';

const OP = ['sendAndWait'];
const BOTH = ['sendAndWait', 'checkApproval'];

export const properties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				// The value n8n looks for to offer this node as "Human review" for AI Agent tool calls.
				name: 'Send for Approval and Wait',
				value: 'sendAndWait',
				action: 'Send for approval and wait',
				description: 'Each approver gets a signed link to a page showing before → after; the workflow waits for the decision',
			},
			{
				name: 'Check Approval',
				value: 'checkApproval',
				action: 'Route items by their approval',
				description: 'Put after Send for Approval and Wait: items with a valid approval for their exact payload go to Approved, all others to Rejected',
			},
		],
		default: 'sendAndWait',
	},
	agentIdProperty(BOTH),
	{
		displayName: 'Approvers',
		name: 'approvers',
		displayOptions: showFor(...OP),
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Approver',
		default: { approver: [{ name: '', address: '' }] },
		description: 'Each approver gets their own single-use link',
		options: [
			{
				displayName: 'Approver',
				name: 'approver',
				values: [
					{ displayName: 'Address', name: 'address', type: 'string', default: '', placeholder: 'name@email.com', hint: 'E-mail address (required for the E-Mail channel)' },
					{ displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'Dana (Sales Ops)', hint: 'Shown on the page and recorded in the trail' },
				],
			},
		],
	},
	{
		displayName: 'Approvals Needed',
		name: 'quorum',
		displayOptions: showFor(...OP),
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 1,
		hint: 'N of the approvers above must approve; any single rejection rejects',
	},
	{
		displayName: 'Expires After (Hours)',
		name: 'expiresInHours',
		displayOptions: showFor(...OP),
		type: 'number',
		typeOptions: { minValue: 0.001, numberPrecision: 3 },
		default: 24,
		hint: 'An undecided request is rejected with approval_expired',
	},
	{
		displayName: 'Message',
		name: 'message',
		displayOptions: showFor(...OP),
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		placeholder: 'The lead agent wants to update 3 leads',
		description: 'Shown to approvers above the changes',
	},
	{
		displayName: 'Send Links By',
		name: 'channel',
		displayOptions: showFor(...OP),
		type: 'options',
		options: [
			{ name: 'E-Mail (SMTP)', value: 'email' },
			{ name: 'Generic Webhook (JSON POST)', value: 'webhook' },
			{ name: 'Microsoft Teams Webhook', value: 'teams' },
			{ name: 'Nowhere (Links in the Trail Only)', value: 'none', description: 'Read the links from the approval.requested trail entry or the waiting execution' },
			{ name: 'Slack Incoming Webhook', value: 'slack' },
		],
		default: 'email',
	},
	{
		displayName: 'From E-Mail',
		name: 'fromEmail',
		type: 'string',
		default: '',
		placeholder: 'agent-guard@email.com',
		displayOptions: { show: { operation: OP, channel: ['email'] } },
	},
	{
		displayName: 'Webhook URL',
		name: 'webhookUrl',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		placeholder: 'https://hooks.slack.com/services/…',
		displayOptions: { show: { operation: OP, channel: ['slack', 'teams', 'webhook'] } },
	},
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
				description: 'Where the proposed action is on each item (dotted path); empty means the whole item',
			},
			{
				displayName: 'Show Guard Findings',
				name: 'showFindings',
				type: 'boolean',
				default: true,
				description: 'Whether the page lists what Scope Guard and Injection Sanitizer found on each item (from guard.reasons and guard.findings)',
			},
			{
				displayName: 'Before-Image Field',
				name: 'beforeField',
				type: 'string',
				default: 'before',
				description: 'Where the record as it is now is on the item, if anywhere: shown as "before" and bound into the approval',
			},
		],
	},
];
