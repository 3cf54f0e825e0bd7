/**
 * One shape for every system of record. Each adapter (salesforce.ts, zendesk.ts,
 * quickbooks.ts) is the only code that touches its client library; Guarded Write,
 * Reverse Write and Credential Check see only this.
 */
export type SaasSystem = 'salesforce' | 'zendesk' | 'quickbooks';

export interface SaasConnection {
	/** API base: Salesforce instance URL, Zendesk `https://<sub>.zendesk.com/api/v2`, QuickBooks `https://…/v3/company/` (the realm id is added). */
	baseUrl: string;
	/** OAuth access token or Zendesk API token; never echoed in errors. */
	accessToken: string;
	/** Zendesk API-token auth: the agent's e-mail (`<email>/token` basic auth). */
	username?: string;
	/** QuickBooks company id. */
	realmId?: string;
	/** Salesforce API version, default 59.0. */
	apiVersion?: string;
	/** Per request; default 15 s. */
	timeoutMs?: number;
}

/** What tells whether a record changed since we looked: Salesforce LastModifiedDate + SystemModstamp, Zendesk updated_at, QuickBooks SyncToken. */
export type ChangeMarker = Record<string, string>;

export interface RecordImage {
	id: string;
	/** The fields asked for (all of the record's fields when none were named). */
	fields: Record<string, unknown>;
	marker: ChangeMarker;
}

export interface SaasAdapter {
	readonly system: SaasSystem;
	/** A record's current fields (the before-image when `fields` are those about to change) and its change marker. */
	read(object: string, id: string, fields?: string[]): Promise<RecordImage>;
	create(object: string, fields: Record<string, unknown>): Promise<{ id: string; marker: ChangeMarker }>;
	/**
	 * Changes fields. With `ifUnchangedSince`, the system's own concurrency control refuses
	 * the write (SaasError `conflict`) if the record changed since that marker.
	 */
	update(object: string, id: string, fields: Record<string, unknown>, ifUnchangedSince?: ChangeMarker): Promise<{ marker: ChangeMarker }>;
	delete(object: string, id: string): Promise<void>;
	/**
	 * Brings a deleted record back: Salesforce undelete from the recycle bin, Zendesk deleted-ticket
	 * restore; where the system cannot (QuickBooks), re-creates it from `snapshot` and says so.
	 */
	restore(object: string, id: string, snapshot?: Record<string, unknown>): Promise<{ id: string; recreated: boolean }>;
	/** A cheap authenticated call (Salesforce /limits, Zendesk users/me, QuickBooks companyinfo). */
	ping(): Promise<void>;
	/**
	 * Fields a write accepts that a read never returns (Zendesk's ticket `comment`, which adds a
	 * comment): they have no before-image and cannot be restored.
	 */
	writeOnlyFields(object: string): ReadonlySet<string>;
}

export type SaasErrorCode =
	| 'not_found'
	| 'conflict'
	| 'unauthorized'
	| 'rate_limited'
	| 'system_unavailable'
	| 'invalid_request'
	| 'unknown_object'
	| 'unknown_field'
	| 'error';

/** Every library's failure, in one shape. The message never holds a token. */
export class SaasError extends Error {
	constructor(
		readonly system: SaasSystem,
		readonly code: SaasErrorCode,
		message: string,
		readonly status?: number,
		/** Whether trying again later can succeed (rate limits, outages); writes are never retried blindly. */
		readonly retryable = false,
	) {
		super(message);
		this.name = 'SaasError';
	}
}
