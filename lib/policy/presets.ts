import { PolicyInput } from './types';

/** Starting points a builder picks in the node, then edits. */
export const PRESETS: Record<'sales' | 'support' | 'finance', { name: string; policy: PolicyInput }> = {
	sales: {
		name: 'Sales agent: read leads and contacts, update lead status, rating, description',
		policy: {
			rules: [
				{ id: 'leads', system: 'salesforce', object: 'Lead', operations: ['read', 'update'], readableFields: ['*'], writableFields: ['Status', 'Rating', 'Description'], maxRecordsPerRun: 50 },
				{ id: 'contacts', system: 'salesforce', object: 'Contact', operations: ['read'], readableFields: ['*'], deniedFields: ['Birthdate', 'HomePhone'] },
			],
		},
	},
	support: {
		name: 'Support agent: read tickets, update status, priority, tags, comment',
		policy: {
			rules: [
				{ id: 'tickets', system: 'zendesk', object: 'ticket', operations: ['read', 'update'], readableFields: ['*'], writableFields: ['status', 'priority', 'tags', 'comment'], maxRecordsPerRun: 100 },
			],
		},
	},
	finance: {
		name: 'Finance agent: read invoices, no writes',
		policy: {
			rules: [{ id: 'invoices', system: 'quickbooks', object: 'Invoice', operations: ['read'], readableFields: ['*'] }],
		},
	},
};
