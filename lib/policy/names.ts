/**
 * How each system compares object and field names. Salesforce API names are
 * case-insensitive; Zendesk and QuickBooks JSON fields are not.
 */
const CASE_INSENSITIVE = new Set(['salesforce']);

export function normaliseSystem(system: string): string {
	return system.trim().toLowerCase();
}

export function compareForm(system: string, name: string): string {
	const trimmed = name.trim();
	return CASE_INSENSITIVE.has(system) ? trimmed.toLowerCase() : trimmed;
}

/** Zendesk resources go by their API path (tickets) as well as their record name (ticket): one name for both. */
const ZENDESK_OBJECTS: Record<string, string> = { tickets: 'ticket', users: 'user', organizations: 'organization' };

/** How an object name compares: as a field name, and Zendesk's plural resource names as the singular. */
export function objectForm(system: string, name: string): string {
	const form = compareForm(system, name);
	return system === 'zendesk' ? (ZENDESK_OBJECTS[form.toLowerCase()] ?? form) : form;
}

/** Record id fields an agent always needs to see to propose a change. */
export const ID_FIELDS: Record<string, ReadonlySet<string>> = {
	salesforce: new Set(['id', 'attributes']),
	zendesk: new Set(['id']),
	quickbooks: new Set(['Id', 'SyncToken']),
};
