import type { ICredentialType, INodeProperties } from 'n8n-workflow';

export class AgentGuardApi implements ICredentialType {
	name = 'agentGuardApi';

	displayName = 'Agent Guard API';

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-agent-guard';

	icon = 'file:agentGuard.svg' as const;

	properties: INodeProperties[] = [
		{
			displayName: 'Backend',
			name: 'backend',
			type: 'options',
			options: [
				{
					name: 'Embedded Journal (Single N8n Process)',
					value: 'embedded',
					description: 'A local append-only journal in the n8n user folder. Not for queue mode.',
				},
				{
					name: 'Redis (Queue Mode, Several Workers)',
					value: 'redis',
					description: 'Shared by the n8n main process and every worker',
				},
			],
			default: 'redis',
		},
		{
			displayName: 'Host',
			name: 'host',
			type: 'string',
			default: '127.0.0.1',
			displayOptions: { show: { backend: ['redis'] } },
		},
		{
			displayName: 'Port',
			name: 'port',
			type: 'number',
			default: 6379,
			displayOptions: { show: { backend: ['redis'] } },
		},
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: '',
			hint: 'Leave empty unless your Redis uses ACL users',
			displayOptions: { show: { backend: ['redis'] } },
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { backend: ['redis'] } },
		},
		{
			displayName: 'SSL/TLS',
			name: 'tls',
			type: 'boolean',
			default: false,
			displayOptions: { show: { backend: ['redis'] } },
		},
		{
			displayName: 'Database Number',
			name: 'database',
			type: 'number',
			default: 0,
			displayOptions: { show: { backend: ['redis'] } },
		},
		{
			displayName: 'Key Prefix',
			name: 'keyPrefix',
			type: 'string',
			typeOptions: { password: true },
			default: 'agent-guard',
			hint: 'One prefix per installation: two n8n installations sharing a Redis must use different prefixes',
			displayOptions: { show: { backend: ['redis'] } },
		},
		{
			displayName: 'Journal Folder',
			name: 'journalFolder',
			type: 'string',
			default: '',
			placeholder: '/home/node/.n8n/agent-guard',
			hint: 'Leave empty for the default: agent-guard/ in the n8n user folder',
			displayOptions: { show: { backend: ['embedded'] } },
		},
		{
			displayName: 'Signing Secret',
			name: 'signingSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { backend: ['redis'] } },
			description:
				'Signs every audit entry (HMAC-SHA256). At least 32 characters, e.g. the output of "openssl rand -hex 32". Keep a copy: without it the trail cannot be verified.',
		},
		{
			displayName: 'Signing Secret',
			name: 'signingSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { backend: ['embedded'] } },
			description:
				'Leave empty to use the secret generated once in the journal folder (file "secret", mode 0600). At least 32 characters when set.',
		},
	];
}
