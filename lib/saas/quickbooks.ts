/**
 * QuickBooks Online over node-quickbooks (the only module that imports it).
 *
 * node-quickbooks facts this adapter relies on (2.0.x):
 * - the API base is the per-instance `endpoint` (`…/v3/company/`; the library appends the realm id);
 *   `setOauthVersion('2.0')` is never called: it fetches a discovery document from the internet. Passing
 *   `oauthversion: '2.0'` to the constructor is enough for `Authorization: Bearer <token>`.
 * - callbacks are `(err, entity, response)`; HTTP failures are AxiosErrors with the Fault in
 *   `err.response.data`, a 200 carrying a Fault arrives as the Fault object itself.
 * - `updateX` throws synchronously without `Id`/`SyncToken` and mutates its argument (adds `sparse`,
 *   removes `requestId` / `allowDuplicateDocNum`): every body handed to it is a fresh copy.
 * - it has no request timeout and no way to pass one per call (it calls the default instance of its own
 *   axios copy with no `timeout` or `signal`), so every call is wrapped in a timer here: after `timeoutMs`
 *   the caller gets `system_unavailable`. To also abort the socket, a synchronous request interceptor on
 *   node-quickbooks' own axios attaches the AbortSignal of the call being made (node-quickbooks calls
 *   axios synchronously inside get/create/update/delete); if that hook cannot be installed, the timer
 *   still answers and the abandoned request is left to finish or fail on its own.
 *
 * QuickBooks semantics: the change marker is `SyncToken` (a string, incremented on every change); a stale
 * one is refused with Fault 5010. Transactions (Invoice, Bill, Payment) are deleted for good and cannot be
 * undeleted: restore re-creates them from a snapshot and reports the new id. Customers cannot be deleted at
 * all (name-list entities): delete makes them inactive (`Active: false`) and restore reactivates the same id.
 */
import * as path from 'node:path';
import QuickBooks from 'node-quickbooks';
import type { ChangeMarker, RecordImage, SaasAdapter, SaasConnection, SaasErrorCode } from './types';
import { SaasError } from './types';

export type QuickBooksEntity = 'Invoice' | 'Customer' | 'Bill' | 'Payment';

const NO_FIELDS: ReadonlySet<string> = new Set();
const ENTITIES: readonly QuickBooksEntity[] = ['Invoice', 'Customer', 'Bill', 'Payment'];
const DEFAULT_TIMEOUT_MS = 15_000;
const ID_PATTERN = /^\d{1,20}$/;

const SERVER_OWNED = ['Id', 'SyncToken', 'MetaData', 'domain', 'sparse'];
/** Top-level properties per entity (QuickBooks Online API reference, minor version 75). */
const FIELDS: Record<QuickBooksEntity, readonly string[]> = {
	Invoice: [
		...SERVER_OWNED, 'CustomField', 'DocNumber', 'TxnDate', 'CurrencyRef', 'ExchangeRate', 'PrivateNote', 'LinkedTxn', 'Line',
		'TxnTaxDetail', 'CustomerRef', 'CustomerMemo', 'BillAddr', 'ShipAddr', 'FreeFormAddress', 'ShipFromAddr', 'SalesTermRef',
		'DueDate', 'TotalAmt', 'ApplyTaxAfterDiscount', 'PrintStatus', 'EmailStatus', 'BillEmail', 'BillEmailCc', 'BillEmailBcc',
		'Balance', 'DepositToAccountRef', 'Deposit', 'AllowIPNPayment', 'AllowOnlinePayment', 'AllowOnlineCreditCardPayment',
		'AllowOnlineACHPayment', 'ClassRef', 'DepartmentRef', 'ShipMethodRef', 'ShipDate', 'TrackingNum', 'GlobalTaxCalculation',
		'TransactionLocationType', 'HomeBalance', 'HomeTotalAmt', 'InvoiceLink', 'RecurDataRef', 'TaxExemptionRef',
		'DeliveryInfo', 'ProjectRef', 'TxnSource',
	],
	Customer: [
		...SERVER_OWNED, 'DisplayName', 'Title', 'GivenName', 'MiddleName', 'FamilyName', 'Suffix', 'FullyQualifiedName', 'CompanyName',
		'PrintOnCheckName', 'Active', 'PrimaryPhone', 'AlternatePhone', 'Mobile', 'Fax', 'PrimaryEmailAddr', 'WebAddr',
		'DefaultTaxCodeRef', 'Taxable', 'BillAddr', 'ShipAddr', 'Notes', 'Job', 'BillWithParent', 'ParentRef', 'Level',
		'SalesTermRef', 'PaymentMethodRef', 'Balance', 'OpenBalanceDate', 'BalanceWithJobs', 'CurrencyRef',
		'PreferredDeliveryMethod', 'ResaleNum', 'ARAccountRef', 'PrimaryTaxIdentifier', 'TaxExemptionReasonId', 'IsProject',
		'ClientEntityId', 'CustomerTypeRef', 'GSTIN', 'BusinessNumber', 'GSTRegistrationType', 'SecondaryTaxIdentifier', 'Source',
		'V4IDPseudonym',
	],
	Bill: [
		...SERVER_OWNED, 'DocNumber', 'TxnDate', 'DepartmentRef', 'CurrencyRef', 'ExchangeRate', 'PrivateNote', 'LinkedTxn', 'Line',
		'TxnTaxDetail', 'VendorRef', 'VendorAddr', 'APAccountRef', 'SalesTermRef', 'DueDate', 'TotalAmt', 'Balance',
		'GlobalTaxCalculation', 'TransactionLocationType', 'HomeBalance', 'IncludeInAnnualTPAR', 'RecurDataRef',
	],
	Payment: [
		...SERVER_OWNED, 'TxnDate', 'CurrencyRef', 'ExchangeRate', 'PrivateNote', 'Line', 'CustomerRef', 'DepositToAccountRef',
		'PaymentMethodRef', 'PaymentRefNum', 'CreditCardPayment', 'TotalAmt', 'UnappliedAmt', 'ProcessPayment', 'ARAccountRef',
		'TransactionLocationType', 'TxnSource', 'ProjectRef', 'TaxExemptionRef',
	],
};
/** Computed by QuickBooks; dropped when re-creating a deleted transaction from its snapshot. */
const COMPUTED_ON_CREATE = ['Balance', 'HomeBalance', 'InvoiceLink', 'TotalAmt', 'HomeTotalAmt', 'UnappliedAmt'];

const NETWORK_CODES = new Set([
	'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'EPIPE', 'EHOSTUNREACH',
	'ENETUNREACH', 'ERR_NETWORK', 'ERR_SOCKET_CONNECTION_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT',
]);

type Json = Record<string, unknown>;

interface AxiosLike {
	interceptors: {
		request: {
			use(onFulfilled: (config: { signal?: unknown }) => { signal?: unknown }, onRejected?: null, options?: { synchronous?: boolean }): number;
		};
	};
}

/** The AbortSignal of the node-quickbooks call being started right now (set only around the synchronous call). */
let currentSignal: AbortSignal | undefined;
let abortHook: boolean | undefined;

/** Installs, once, an interceptor on the axios that node-quickbooks itself resolves, giving each request the signal of its call. */
function installAbortHook(): boolean {
	if (abortHook !== undefined) return abortHook;
	try {
		// the axios copy node-quickbooks resolves (it may be nested under node-quickbooks/node_modules)
		const axiosPath = require.resolve('axios', { paths: [path.dirname(require.resolve('node-quickbooks'))] });
		const loaded: unknown = require(axiosPath);
		const axios = (isObject(loaded) && isObject(loaded.default) ? loaded.default : loaded) as AxiosLike;
		axios.interceptors.request.use(
			(config) => {
				if (currentSignal && !config.signal) config.signal = currentSignal;
				return config;
			},
			null,
			{ synchronous: true },
		);
		abortHook = true;
	} catch {
		abortHook = false;
	}
	return abortHook;
}
type Callback = (err: unknown, data: unknown, res?: unknown) => void;
type Method = (this: unknown, arg: unknown, callback: Callback) => void;

interface FaultInfo {
	status?: number;
	code?: string;
	message?: string;
	detail?: string;
	networkCode?: string;
}

function isObject(v: unknown): v is Json {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
	return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

function copy<T>(v: T): T {
	return structuredClone(v);
}

export class QuickBooksAdapter implements SaasAdapter {
	readonly system = 'quickbooks' as const;
	private readonly client: unknown;
	private readonly realmId: string;
	private readonly timeoutMs: number;
	private readonly secrets: string[];

	constructor(connection: SaasConnection) {
		const realmId = connection.realmId ?? '';
		if (!ID_PATTERN.test(realmId)) throw new SaasError('quickbooks', 'invalid_request', 'QuickBooks realm id (company id) must be a digit string');
		if (!connection.accessToken) throw new SaasError('quickbooks', 'unauthorized', 'QuickBooks access token is missing');
		this.realmId = realmId;
		this.timeoutMs = connection.timeoutMs && connection.timeoutMs > 0 ? connection.timeoutMs : DEFAULT_TIMEOUT_MS;
		this.secrets = [connection.accessToken];
		// consumerKey/secret are only used for token refresh, which n8n's OAuth2 machinery does; tokenSecret false + oauthversion 2.0 → Bearer.
		const qbo = new QuickBooks('', '', connection.accessToken, false, realmId, false, false, null, '2.0', null);
		qbo.endpoint = connection.baseUrl.endsWith('/') ? connection.baseUrl : `${connection.baseUrl}/`;
		this.client = qbo;
	}

	async read(object: string, id: string, fields?: string[]): Promise<RecordImage> {
		const entity = this.entity(object);
		this.checkId(entity, id);
		const names = fields?.map((f) => [f, this.field(entity, f)] as const);
		const rec = await this.get(entity, id, 'read');
		let out: Json;
		if (names && names.length > 0) {
			out = {};
			for (const [asked, canonical] of names) out[asked] = rec[canonical] === undefined ? null : copy(rec[canonical]);
		} else {
			out = copy(rec);
		}
		return { id: String(rec.Id ?? id), fields: out, marker: this.marker(rec) };
	}

	async create(object: string, fields: Record<string, unknown>): Promise<{ id: string; marker: ChangeMarker }> {
		const entity = this.entity(object);
		const body = this.body(entity, fields, 'create');
		const created = await this.call(entity, 'create', `create${entity}`, body);
		const id = str(created.Id);
		if (!id) throw this.error('error', `QuickBooks create ${entity}: the response has no Id`);
		return { id, marker: this.marker(created) };
	}

	async update(object: string, id: string, fields: Record<string, unknown>, ifUnchangedSince?: ChangeMarker): Promise<{ marker: ChangeMarker }> {
		const entity = this.entity(object);
		this.checkId(entity, id);
		const body = this.body(entity, fields, 'update');
		if (Object.keys(body).length === 0) throw this.error('invalid_request', `QuickBooks update ${entity} ${id}: no fields to change`);
		let syncToken: string;
		if (ifUnchangedSince) {
			const given = ifUnchangedSince.SyncToken;
			if (typeof given !== 'string' || !/^\d+$/.test(given)) {
				throw this.error('invalid_request', `QuickBooks update ${entity} ${id}: the change marker needs a numeric SyncToken`);
			}
			syncToken = given;
		} else {
			syncToken = this.marker(await this.get(entity, id, 'update')).SyncToken;
		}
		const updated = await this.call(entity, 'update', `update${entity}`, { ...body, Id: id, SyncToken: syncToken, sparse: true }, id);
		return { marker: this.marker(updated) };
	}

	async delete(object: string, id: string): Promise<void> {
		const entity = this.entity(object);
		this.checkId(entity, id);
		const current = await this.get(entity, id, 'delete');
		const syncToken = this.marker(current).SyncToken;
		if (entity === 'Customer') {
			// Customers cannot be deleted in QuickBooks; "deleting" one makes it inactive.
			if (current.Active === false) return;
			await this.call(entity, 'delete', 'updateCustomer', { Id: id, SyncToken: syncToken, sparse: true, Active: false }, id);
			return;
		}
		// Passing the entity (not the id) stops node-quickbooks from reading it again itself.
		await this.call(entity, 'delete', `delete${entity}`, { Id: id, SyncToken: syncToken }, id);
	}

	async restore(object: string, id: string, snapshot?: Record<string, unknown>): Promise<{ id: string; recreated: boolean }> {
		const entity = this.entity(object);
		this.checkId(entity, id);
		let existing: Json | undefined;
		try {
			existing = await this.get(entity, id, 'restore');
		} catch (err) {
			if (!(err instanceof SaasError) || err.code !== 'not_found') throw err;
		}
		if (existing) {
			if (entity === 'Customer' && existing.Active === false) {
				await this.call(entity, 'restore', 'updateCustomer', { Id: id, SyncToken: this.marker(existing).SyncToken, sparse: true, Active: true }, id);
			}
			return { id, recreated: false };
		}
		if (!snapshot) {
			throw this.error('invalid_request', `QuickBooks cannot undelete ${entity} ${id}; re-creating it needs a snapshot of its fields`);
		}
		const fields: Json = {};
		for (const [k, v] of Object.entries(snapshot)) {
			const canonical = this.field(entity, k);
			if (SERVER_OWNED.includes(canonical) || COMPUTED_ON_CREATE.includes(canonical)) continue;
			if (canonical === 'LinkedTxn' && Array.isArray(v)) {
				// links to payments belong to the payments; they are not re-created with the invoice or bill
				const kept = v.filter((l) => !(isObject(l) && (l.TxnType === 'Payment' || l.TxnType === 'BillPaymentCheck' || l.TxnType === 'BillPayment')));
				if (kept.length > 0) fields[canonical] = kept;
				continue;
			}
			if (canonical === 'Active' && entity === 'Customer') continue;
			fields[canonical] = v;
		}
		if (entity === 'Payment' && snapshot.TotalAmt !== undefined) fields.TotalAmt = snapshot.TotalAmt;
		const created = await this.create(entity, fields);
		return { id: created.id, recreated: true };
	}

	writeOnlyFields(): ReadonlySet<string> {
		return NO_FIELDS;
	}

	async ping(): Promise<void> {
		await this.call(undefined, 'ping', 'getCompanyInfo', this.realmId);
	}

	// ---------------------------------------------------------------- helpers

	private entity(object: string): QuickBooksEntity {
		const found = ENTITIES.find((e) => e.toLowerCase() === String(object).trim().toLowerCase());
		if (!found) {
			throw this.error('unknown_object', `QuickBooks object "${String(object).slice(0, 80)}" is not supported (use ${ENTITIES.join(', ')})`);
		}
		return found;
	}

	private field(entity: QuickBooksEntity, name: string): string {
		const lower = String(name).toLowerCase();
		const found = FIELDS[entity].find((f) => f.toLowerCase() === lower);
		if (!found) throw this.error('unknown_field', `QuickBooks ${entity} has no field "${String(name).slice(0, 80)}"`);
		return found;
	}

	private checkId(entity: QuickBooksEntity, id: string): void {
		if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
			throw this.error('invalid_request', `QuickBooks ${entity} id must be a digit string, got ${JSON.stringify(String(id).slice(0, 40))}`);
		}
	}

	/** The caller's fields with canonical names, copied (node-quickbooks mutates what it is given); server-owned fields refused. */
	private body(entity: QuickBooksEntity, fields: Record<string, unknown>, op: string): Json {
		if (!isObject(fields)) throw this.error('invalid_request', `QuickBooks ${op} ${entity}: fields must be an object`);
		const out: Json = {};
		for (const [k, v] of Object.entries(fields)) {
			const canonical = this.field(entity, k);
			if (SERVER_OWNED.includes(canonical)) {
				throw this.error('invalid_request', `QuickBooks ${op} ${entity}: ${canonical} is set by QuickBooks and cannot be written`);
			}
			if (v === undefined) continue;
			out[canonical] = copy(v);
		}
		return out;
	}

	private marker(rec: Json): { SyncToken: string } {
		const token = str(rec.SyncToken);
		if (token === undefined) throw this.error('error', 'QuickBooks response has no SyncToken');
		return { SyncToken: token };
	}

	private get(entity: QuickBooksEntity, id: string, op: string): Promise<Json> {
		return this.call(entity, op, `get${entity}`, id, id);
	}

	/** Calls one node-quickbooks method with a timeout and maps every failure to a SaasError. */
	private call(entity: QuickBooksEntity | undefined, op: string, method: string, arg: unknown, id?: string): Promise<Json> {
		const what = `QuickBooks ${op}${entity ? ` ${entity}` : ''}${id ? ` ${id}` : ''}`;
		const fn = (this.client as Record<string, unknown>)[method];
		if (typeof fn !== 'function') return Promise.reject(this.error('error', `${what}: node-quickbooks has no ${method}`));
		const canAbort = installAbortHook();
		const controller = new AbortController();
		return new Promise<Json>((resolve, reject) => {
			let settled = false;
			const timer = setTimeout(() => {
				if (settled) return;
				settled = true;
				if (canAbort) controller.abort();
				reject(this.error('system_unavailable', `${what}: no answer within ${this.timeoutMs} ms${op === 'read' || op === 'ping' ? '' : ' (the write may or may not have been applied)'}`, undefined, op === 'read' || op === 'ping'));
			}, this.timeoutMs);
			const done: Callback = (err, data) => {
				if (settled) return;
				settled = true;
				clearTimeout(timer);
				if (err) {
					reject(this.mapError(what, err));
					return;
				}
				if (!isObject(data)) {
					reject(this.error('error', `${what}: unexpected response`));
					return;
				}
				// delete is not unwrapped by the library: { Invoice: { status: 'Deleted', Id } , time }
				resolve(entity && isObject(data[entity]) ? data[entity] : data);
			};
			try {
				currentSignal = controller.signal;
				(fn as Method).call(this.client, arg, done);
			} catch (err) {
				// updateX throws synchronously without Id / SyncToken (and puts the entity into its message)
				settled = true;
				clearTimeout(timer);
				reject(this.error('invalid_request', `${what}: ${err instanceof Error ? err.message.split(':')[0] : 'rejected by the client library'}`));
			} finally {
				currentSignal = undefined;
			}
		});
	}

	private mapError(what: string, err: unknown): SaasError {
		const f = faultInfo(err);
		const code = f.code ?? '';
		const text = `${f.message ?? ''} ${f.detail ?? ''}`;
		const describe = (): string => {
			const parts = [f.message, f.detail && f.detail !== f.message ? f.detail : undefined].filter((x): x is string => !!x);
			return `${what}: ${parts.join(' - ') || 'request failed'}${code ? ` (code ${code})` : ''}${f.status ? ` [HTTP ${f.status}]` : ''}`;
		};
		let kind: SaasErrorCode;
		let retryable = false;
		if (f.networkCode && f.status === undefined) {
			return this.error('system_unavailable', `${what}: QuickBooks is unreachable (${f.networkCode})`, undefined, true);
		}
		if (f.status === 401 || code === '3200' || /AuthenticationFailed/i.test(text)) kind = 'unauthorized';
		else if (f.status === 403 || code === '3100') kind = 'unauthorized';
		else if (code === '5010' || /Stale Object Error/i.test(text)) kind = 'conflict';
		else if (code === '610' || /Object Not Found/i.test(text)) kind = 'not_found';
		else if (f.status === 429 || code === '3001' || /ThrottleExceeded/i.test(text)) {
			kind = 'rate_limited';
			retryable = true;
		} else if (f.status !== undefined && f.status >= 500) {
			kind = 'system_unavailable';
			retryable = true;
		} else if (code === '2010' || /unsupported property|Unrecognized field/i.test(text)) kind = 'unknown_field';
		else if (f.status === 400 || /^[2-6]\d{3}$/.test(code)) kind = 'invalid_request';
		else if (f.status === 404) kind = 'not_found';
		else kind = 'error';
		return this.error(kind, describe(), f.status, retryable);
	}

	private error(code: SaasErrorCode, message: string, status?: number, retryable = false): SaasError {
		return new SaasError('quickbooks', code, this.redact(message), status, retryable);
	}

	private redact(message: string): string {
		let out = message.replace(/Bearer\s+[^\s"',;]+/gi, 'Bearer [redacted]');
		for (const s of this.secrets ?? []) {
			if (s && s.length >= 4) out = out.split(s).join('[redacted]');
		}
		return out;
	}
}

/** The Fault, HTTP status and network code out of whatever node-quickbooks handed back. */
function faultInfo(err: unknown): FaultInfo {
	const info: FaultInfo = {};
	let body: unknown = err;
	if (isObject(err)) {
		const response = err.response;
		if (isObject(response)) {
			if (typeof response.status === 'number') info.status = response.status;
			body = response.data;
		}
		const netCode = str(err.code);
		if (netCode && NETWORK_CODES.has(netCode)) info.networkCode = netCode;
		if (!isObject(response) && err instanceof Error && /timeout/i.test(err.message)) info.networkCode = info.networkCode ?? 'ETIMEDOUT';
	}
	if (isObject(body)) {
		const fault = isObject(body.Fault) ? body.Fault : isObject(body.fault) ? body.fault : undefined;
		const errors = fault ? (Array.isArray(fault.Error) ? fault.Error : Array.isArray(fault.error) ? fault.error : []) : [];
		const first: unknown = errors[0];
		if (isObject(first)) {
			info.code = str(first.code);
			info.message = str(first.Message) ?? str(first.message);
			info.detail = str(first.Detail) ?? str(first.detail);
		}
	} else if (typeof body === 'string' && body.length > 0) {
		info.message = body.slice(0, 200);
	}
	if (!info.message && err instanceof Error && info.status === undefined && !info.networkCode) info.message = err.message;
	return info;
}
