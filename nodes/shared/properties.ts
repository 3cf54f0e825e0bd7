import type { INodeProperties } from 'n8n-workflow';

/** The Agent ID parameter, the same on every guard node: it ties policy, spend, kill switch and trail together. */
export function agentIdProperty(operations: string[]): INodeProperties {
	return {
		displayName: 'Agent ID',
		name: 'agentId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'sales-bot',
		hint: 'Letters, digits and . _ : @ -; expressions allowed',
		displayOptions: { show: { operation: operations } },
	};
}
