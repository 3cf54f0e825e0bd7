import type { INodeProperties } from 'n8n-workflow';

/** The Agent ID parameter, the same on every guard node: it ties policy, spend, kill switch and trail together. */
export function agentIdProperty(operations?: string[]): INodeProperties {
	return {
		displayName: 'Agent ID',
		name: 'agentId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'sales-bot',
		hint: 'Letters, digits and . _ : @ -; expressions allowed',
		...(operations ? { displayOptions: { show: { operation: operations } } } : {}),
	};
}

/** displayOptions showing a parameter for the given operations only. */
export function showFor(...operation: string[]): { show: { operation: string[] } } {
	return { show: { operation } };
}
