import type { INodeProperties } from 'n8n-workflow';
import { agentIdProperty, showFor } from '../shared/properties';


export const properties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Detect', value: 'detect', action: 'Detect prompt injection in text the agent reads', description: 'Score each item; Clean or Flagged' },
			{ name: 'Generate Canary', value: 'generateCanary', action: 'Generate a canary token for the system prompt', description: 'A token to plant in the system prompt; Redact Output reports it if it leaks' },
			{ name: 'Redact Output', value: 'redactOutput', action: 'Redact secrets and personal data from agent output', description: 'API keys, tokens, passwords in URLs, e-mails, phones, cards, IBANs, SSNs, leaked canaries' },
			{ name: 'Sanitize', value: 'sanitize', action: 'Sanitize and spotlight text the agent reads', description: 'Remove hidden text, defang injected spans and template tokens, wrap in a per-run boundary' },
		],
		default: 'detect',
	},
	agentIdProperty(['detect', 'sanitize', 'redactOutput', 'generateCanary']),
	{
		displayName: 'Fields',
		name: 'fieldsMode',
		type: 'options',
		options: [
			{ name: 'All Text Fields', value: 'all', description: 'Every string in the item, nested too (up to 16 levels)' },
			{ name: 'Chosen Fields', value: 'paths', description: 'Only the fields you name' },
		],
		default: 'all',
		displayOptions: showFor('detect', 'sanitize', 'redactOutput'),
	},
	{
		displayName: 'Field Paths',
		name: 'paths',
		type: 'string',
		default: '',
		placeholder: 'description, comments.0.body',
		hint: 'Comma-separated dotted paths',
		displayOptions: { show: { operation: ['detect', 'sanitize', 'redactOutput'], fieldsMode: ['paths'] } },
	},
	{
		displayName: 'Sensitivity',
		name: 'sensitivity',
		type: 'options',
		options: [
			{ name: 'Low (Fewer False Alarms)', value: 'low' },
			{ name: 'Medium', value: 'medium' },
			{ name: 'High (Catch More)', value: 'high' },
		],
		default: 'medium',
		displayOptions: showFor('detect', 'sanitize'),
	},
	{
		displayName: 'Spotlight',
		name: 'spotlight',
		type: 'options',
		options: [
			{ name: 'Boundary Markers', value: 'boundary', description: 'Wrap each text in markers with a random token per run' },
			{ name: 'Datamarking', value: 'datamark', description: 'Mark every word gap with a random marker' },
			{ name: 'None', value: 'none' },
		],
		default: 'boundary',
		hint: 'Paste guard.systemPromptSnippet into the AI Agent\'s system message',
		displayOptions: showFor('sanitize'),
	},
	{
		displayName: 'Replace Original Text',
		name: 'replaceOriginal',
		type: 'boolean',
		default: false,
		description: 'Whether to write the sanitized text over the original fields; otherwise it goes to "sanitized" and the original is kept',
		displayOptions: showFor('sanitize'),
	},
	{
		displayName: 'Redact',
		name: 'redact',
		type: 'multiOptions',
		options: [
			{ name: 'Secrets', value: 'secrets', description: 'API keys, JWTs, private keys, AWS keys, bearer tokens, passwords in URLs' },
			{ name: 'Personal Data', value: 'pii', description: 'E-mail addresses, phone numbers, card numbers (Luhn), IBANs (checksum), US SSNs' },
		],
		default: ['secrets', 'pii'],
		displayOptions: showFor('redactOutput'),
	},
	{
		displayName: 'Canary Tokens',
		name: 'canaries',
		type: 'string',
		default: '',
		placeholder: '={{ $(\'Generate Canary\').item.json.canary }}',
		hint: 'Comma-separated; a canary found in the output means the system prompt leaked',
		displayOptions: showFor('redactOutput'),
	},
	{
		displayName: 'Log Text in Audit Trail',
		name: 'logText',
		type: 'boolean',
		default: false,
		description: 'Whether to keep the scanned text (first 2,000 characters per field) in the trail, not just its SHA-256 digest and size',
		displayOptions: showFor('detect', 'sanitize'),
	},
];
