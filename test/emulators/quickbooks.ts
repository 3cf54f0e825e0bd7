/**
 * A small QuickBooks Online Accounting API (v3) emulator for tests and the local sandbox.
 *
 * Covers what node-quickbooks sends for Invoice, Customer, Bill and Payment:
 *   GET  /v3/company/<realm>/<entity>/<id>?minorversion=75&format=json           read
 *   POST /v3/company/<realm>/<entity>?minorversion=75&format=json               create (or update when the body has an Id)
 *   POST /v3/company/<realm>/<entity>?operation=update&minorversion=75&…        sparse / full update (Id + SyncToken)
 *   POST /v3/company/<realm>/<entity>?operation=delete&minorversion=75&…        delete (Id + SyncToken)
 *   GET  /v3/company/<realm>/companyinfo/<realm>                               company info
 *   GET  /v3/company/<realm>/query?query=select * from Invoice where …          query (or POST the query
 *                                                                              as an application/text body)
 * with the real API's semantics: responses wrapped `{ "Invoice": {...}, "time": "..." }`, SyncToken a
 * string incremented on every change, MetaData.CreateTime / LastUpdatedTime, a stale SyncToken → 400
 * Fault 5010, an unknown property → 400 Fault 2010, a missing / deleted record → 400 Fault 610, a bad or
 * expired bearer token → 401 Fault 3200, throttling → 429 Fault 3001, and `requestid` idempotency
 * (a repeated requestid returns the first response instead of doing the work again).
 *
 * OAuth: `POST /oauth2/v1/tokens/bearer` with `grant_type=refresh_token` (form body; client id and
 * secret as basic auth, as Intuit wants, or in the body) issues a new access token, which the API then
 * accepts, and a rotated refresh token; the old refresh token then gets 400 `invalid_grant`.
 *
 * Queries (QboQueryParser says which): `{ QueryResponse: { Invoice: [...], startPosition, maxResults }, time }`,
 * `QueryResponse: {}` when nothing matches, `{ totalCount }` for count(*); a syntax error → 400 Fault 4000
 * (QueryParserError), an unknown entity or property → 400 Fault 4001 (QueryValidationError).
 *
 * Customers cannot be deleted in QuickBooks (they are name-list entities): they are made inactive
 * with a sparse update `Active: false`; `operation=delete` on a customer is refused.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { likeMatch } from './salesforce';

export type QboEntityName = 'Invoice' | 'Customer' | 'Bill' | 'Payment';
type Json = Record<string, unknown>;

const ENTITIES: readonly QboEntityName[] = ['Invoice', 'Customer', 'Bill', 'Payment'];

const COMMON = ['Id', 'SyncToken', 'MetaData', 'domain', 'sparse'];
/** Top-level properties each entity accepts (QuickBooks Online API reference, minor version 75). */
const SCHEMA: Record<QboEntityName, ReadonlySet<string>> = {
	Invoice: new Set([
		...COMMON, 'CustomField', 'DocNumber', 'TxnDate', 'CurrencyRef', 'ExchangeRate', 'PrivateNote', 'LinkedTxn', 'Line',
		'TxnTaxDetail', 'CustomerRef', 'CustomerMemo', 'BillAddr', 'ShipAddr', 'FreeFormAddress', 'ShipFromAddr', 'SalesTermRef',
		'DueDate', 'TotalAmt', 'ApplyTaxAfterDiscount', 'PrintStatus', 'EmailStatus', 'BillEmail', 'BillEmailCc', 'BillEmailBcc',
		'Balance', 'DepositToAccountRef', 'Deposit', 'AllowIPNPayment', 'AllowOnlinePayment', 'AllowOnlineCreditCardPayment',
		'AllowOnlineACHPayment', 'ClassRef', 'DepartmentRef', 'ShipMethodRef', 'ShipDate', 'TrackingNum', 'GlobalTaxCalculation',
		'TransactionLocationType', 'HomeBalance', 'HomeTotalAmt', 'InvoiceLink', 'RecurDataRef', 'TaxExemptionRef',
		'DeliveryInfo', 'ProjectRef', 'TxnSource',
	]),
	Customer: new Set([
		...COMMON, 'DisplayName', 'Title', 'GivenName', 'MiddleName', 'FamilyName', 'Suffix', 'FullyQualifiedName', 'CompanyName',
		'PrintOnCheckName', 'Active', 'PrimaryPhone', 'AlternatePhone', 'Mobile', 'Fax', 'PrimaryEmailAddr', 'WebAddr',
		'DefaultTaxCodeRef', 'Taxable', 'BillAddr', 'ShipAddr', 'Notes', 'Job', 'BillWithParent', 'ParentRef', 'Level',
		'SalesTermRef', 'PaymentMethodRef', 'Balance', 'OpenBalanceDate', 'BalanceWithJobs', 'CurrencyRef',
		'PreferredDeliveryMethod', 'ResaleNum', 'ARAccountRef', 'PrimaryTaxIdentifier', 'TaxExemptionReasonId', 'IsProject',
		'ClientEntityId', 'CustomerTypeRef', 'GSTIN', 'BusinessNumber', 'GSTRegistrationType', 'SecondaryTaxIdentifier', 'Source',
		'V4IDPseudonym',
	]),
	Bill: new Set([
		...COMMON, 'DocNumber', 'TxnDate', 'DepartmentRef', 'CurrencyRef', 'ExchangeRate', 'PrivateNote', 'LinkedTxn', 'Line',
		'TxnTaxDetail', 'VendorRef', 'VendorAddr', 'APAccountRef', 'SalesTermRef', 'DueDate', 'TotalAmt', 'Balance',
		'GlobalTaxCalculation', 'TransactionLocationType', 'HomeBalance', 'IncludeInAnnualTPAR', 'RecurDataRef',
	]),
	Payment: new Set([
		...COMMON, 'TxnDate', 'CurrencyRef', 'ExchangeRate', 'PrivateNote', 'Line', 'CustomerRef', 'DepositToAccountRef',
		'PaymentMethodRef', 'PaymentRefNum', 'CreditCardPayment', 'TotalAmt', 'UnappliedAmt', 'ProcessPayment', 'ARAccountRef',
		'TransactionLocationType', 'TxnSource', 'ProjectRef', 'TaxExemptionRef',
	]),
};
/** Properties the server owns: ignored on write, like the real API. */
const SERVER_OWNED = new Set(['Id', 'SyncToken', 'MetaData', 'domain', 'sparse']);

export interface EmulatorRequest {
	method: string;
	path: string;
	query: Record<string, string>;
	body?: unknown;
	status: number;
}

export type SeedData = Partial<Record<QboEntityName, Json[]>>;
export type SeedResult = Record<QboEntityName, string[]>;

class Fault extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		readonly detail: string,
		readonly type = 'ValidationFault',
		readonly element = '',
	) {
		super(message);
	}
}

function clone<T>(v: T): T {
	return JSON.parse(JSON.stringify(v)) as T;
}

function isObject(v: unknown): v is Json {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** QuickBooks prints times in the company's zone with an offset: `2025-03-04T10:11:12.345-08:00`. */
function qboTime(d = new Date()): string {
	const pacific = new Date(d.getTime() - 8 * 3600_000);
	return pacific.toISOString().replace('Z', '-08:00');
}

function qboDate(d = new Date()): string {
	return d.toISOString().slice(0, 10);
}

function money(n: number): number {
	return Math.round(n * 100) / 100;
}

export class QuickBooksEmulator {
	readonly realmId: string;
	/** Every request served, newest last (no headers: they hold the token). */
	readonly requests: EmulatorRequest[] = [];
	/** The OAuth app n8n's credential is configured with. */
	readonly clientId = 'qbo-emulator-client-id';
	readonly clientSecret = 'qbo-emulator-client-secret';
	private accessToken: string;
	private currentRefreshToken: string;
	private tokenExpired = false;
	private server?: http.Server;
	private url?: string;
	private readonly store = new Map<QboEntityName, Map<string, Json>>();
	private readonly deleted = new Map<QboEntityName, Set<string>>();
	private nextId = 1;
	private nextDocNumber = 1001;
	private readonly requestIds = new Map<string, { status: number; body: Json }>();
	private readonly failures: { status: number; remaining: number }[] = [];
	private latencyMs = 0;

	constructor(options: { realmId?: string; accessToken?: string; refreshToken?: string } = {}) {
		this.realmId = options.realmId ?? '9130357766921234';
		this.accessToken = options.accessToken ?? 'qbo-emulator-access-token';
		this.currentRefreshToken = options.refreshToken ?? 'AB11qbo-emulator-refresh-token';
		for (const e of ENTITIES) {
			this.store.set(e, new Map());
			this.deleted.set(e, new Set());
		}
	}

	/** The access token the emulator currently accepts. */
	get token(): string {
		return this.accessToken;
	}

	/** The refresh token the token endpoint accepts now (rotated on every refresh). */
	get refreshToken(): string {
		return this.currentRefreshToken;
	}

	/** The OAuth token endpoint, `http://127.0.0.1:PORT/oauth2/v1/tokens/bearer` (Intuit's path). */
	get tokenUrl(): string {
		return new URL('/oauth2/v1/tokens/bearer', this.baseUrl).toString();
	}

	/** Base URL for node-quickbooks' `endpoint`: `http://127.0.0.1:PORT/v3/company/` (the library appends the realm id). */
	get baseUrl(): string {
		if (!this.url) throw new Error('QuickBooksEmulator not started');
		return this.url;
	}

	async start(port = 0): Promise<string> {
		if (this.server) return this.baseUrl;
		const server = http.createServer((req, res) => {
			void this.handle(req, res);
		});
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(port, '127.0.0.1', () => resolve());
		});
		this.server = server;
		const { port: bound } = server.address() as AddressInfo;
		this.url = `http://127.0.0.1:${bound}/v3/company/`;
		return this.url;
	}

	async stop(): Promise<void> {
		const server = this.server;
		if (!server) return;
		this.server = undefined;
		await new Promise<void>((resolve) => {
			server.close(() => resolve());
			server.closeAllConnections();
		});
	}

	/** Makes the current access token expired (401, Fault 3200) until `issueToken`. */
	expireToken(): void {
		this.tokenExpired = true;
	}

	/** Accepts a new access token (as after an OAuth refresh) and returns it. */
	issueToken(token = `qbo-emulator-access-token-${Date.now().toString(36)}`): string {
		this.accessToken = token;
		this.tokenExpired = false;
		return token;
	}

	/** The refresh token is revoked (the user disconnected the app): refreshing gets 400 `invalid_grant`. */
	revokeRefreshToken(): void {
		this.currentRefreshToken = `AB11qbo-revoked-${Date.now().toString(36)}`;
	}

	/** The next `count` API requests fail with `status` (429 → ThrottleExceeded, 5xx → service fault). */
	failNext(status: number, count = 1): void {
		this.failures.push({ status, remaining: count });
	}

	/** Delays every response (to test client timeouts). */
	setLatency(ms: number): void {
		this.latencyMs = ms;
	}

	/** A copy of a stored record, or undefined when missing or deleted. */
	get(entity: QboEntityName, id: string): Json | undefined {
		const rec = this.store.get(entity)?.get(id);
		return rec ? clone(rec) : undefined;
	}

	/** Every live record of an entity (copies, in id order): for the sandbox's record viewer. */
	list(entity: QboEntityName): Json[] {
		return [...(this.store.get(entity)?.values() ?? [])].map((rec) => clone(rec));
	}

	isDeleted(entity: QboEntityName, id: string): boolean {
		return this.deleted.get(entity)?.has(id) ?? false;
	}

	/** Someone editing in the QuickBooks UI: changes fields and moves the SyncToken on. */
	humanEdit(entity: QboEntityName, id: string, fields: Json): Json {
		const rec = this.store.get(entity)?.get(id);
		if (!rec) throw new Error(`${entity} ${id} not found`);
		for (const [k, v] of Object.entries(fields)) {
			if (SERVER_OWNED.has(k)) continue;
			rec[k] = clone(v);
		}
		this.recompute(entity, rec);
		this.touch(rec);
		return clone(rec);
	}

	/** Loads records (without Id; ids are assigned) or, with no argument, a small demo company. */
	seed(data: SeedData = demoData()): SeedResult {
		const result: SeedResult = { Invoice: [], Customer: [], Bill: [], Payment: [] };
		// customers first so references resolve; `$customer:N` refers to the N-th seeded customer
		for (const entity of ['Customer', 'Bill', 'Invoice', 'Payment'] as const) {
			for (const raw of data[entity] ?? []) {
				const body = resolveSeedRefs(clone(raw), result);
				const rec = this.insert(entity, body);
				result[entity].push(String(rec.Id));
			}
		}
		return result;
	}

	// ---------------------------------------------------------------- HTTP

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const query: Record<string, string> = {};
		url.searchParams.forEach((v, k) => {
			query[k] = v;
		});
		const record: EmulatorRequest = { method: req.method ?? 'GET', path: url.pathname, query, status: 0 };
		this.requests.push(record);
		if (url.pathname === '/oauth2/v1/tokens/bearer') {
			// The body holds tokens: not recorded.
			const [status, payload] = this.tokenGrant(req, await readBody(req).catch(() => ''));
			record.status = status;
			const text = JSON.stringify(payload);
			res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': Buffer.byteLength(text), intuit_tid: `1-${Date.now().toString(16)}-emu` });
			res.end(text);
			return;
		}
		let status = 200;
		let payload: Json;
		try {
			const raw = await readBody(req);
			if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
			let body: unknown;
			if (raw.length > 0 && String(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/text')) {
				body = raw; // a query sent as the POST body
			} else if (raw.length > 0) {
				try {
					body = JSON.parse(raw);
				} catch {
					throw new Fault(400, '2010', 'Request has invalid or unsupported property', 'Error parsing request body as JSON');
				}
			}
			record.body = body;
			payload = this.route(req, url, query, body);
		} catch (err) {
			if (err instanceof Fault) {
				status = err.status;
				payload = {
					Fault: { Error: [{ Message: err.message, Detail: err.detail, code: err.code, element: err.element }], type: err.type },
					time: qboTime(),
				};
			} else {
				status = 500;
				payload = {
					Fault: {
						Error: [{ Message: 'An application error has occurred while processing your request', Detail: 'System Failure Error: emulator error', code: '10000' }],
						type: 'SystemFault',
					},
					time: qboTime(),
				};
			}
		}
		if (payload.__status !== undefined) {
			status = Number(payload.__status);
			delete payload.__status;
		}
		record.status = status;
		const text = JSON.stringify(payload);
		res.writeHead(status, {
			'Content-Type': 'application/json;charset=UTF-8',
			'Content-Length': Buffer.byteLength(text),
			intuit_tid: `1-${Date.now().toString(16)}-emu`,
			...(status === 429 ? { 'Retry-After': '60' } : {}),
		});
		res.end(text);
	}

	private route(req: http.IncomingMessage, url: URL, query: Record<string, string>, body: unknown): Json {
		const m = /^\/v3\/company\/([^/]+)\/([A-Za-z]+)(?:\/([^/]+))?\/?$/.exec(url.pathname);
		if (!m) {
			throw new Fault(400, '10000', 'An application error has occurred while processing your request',
				`System Failure Error: Could not find resource for relative : ${url.pathname}`, 'SystemFault');
		}
		this.authenticate(req);
		const injected = this.failures[0];
		if (injected) {
			injected.remaining -= 1;
			if (injected.remaining <= 0) this.failures.shift();
			if (injected.status === 429) {
				throw new Fault(429, '3001', 'message=ThrottleExceeded; errorCode=003001; statusCode=429', 'The request limit was reached.', 'ThrottlingFault');
			}
			throw new Fault(injected.status, '10000', 'An application error has occurred while processing your request',
				'System Failure Error: Service temporarily unavailable', 'SystemFault');
		}
		const [, realm, resource, id] = m;
		if (realm !== this.realmId) {
			throw new Fault(403, '3100', 'message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403', '', 'AuthorizationFault');
		}
		const method = req.method ?? 'GET';
		const lower = resource.toLowerCase();
		if (lower === 'companyinfo') {
			if (method !== 'GET' || id !== this.realmId) {
				throw new Fault(400, '610', 'Object Not Found', 'Object Not Found : Something you\'re trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees.');
			}
			return { CompanyInfo: this.companyInfo(), time: qboTime() };
		}
		if (lower === 'query') {
			if (id) {
				throw new Fault(400, '10000', 'An application error has occurred while processing your request',
					`System Failure Error: Could not find resource for relative : ${url.pathname}`, 'SystemFault');
			}
			if (method !== 'GET' && method !== 'POST') throw new Fault(405, '405', 'Method Not Allowed', `${method} is not supported here`, 'SystemFault');
			const text = method === 'GET' ? query.query : typeof body === 'string' ? body : undefined;
			return this.runQuery(text ?? '');
		}
		const entity = ENTITIES.find((e) => e.toLowerCase() === lower);
		if (!entity) {
			throw new Fault(400, '10000', 'An application error has occurred while processing your request',
				`System Failure Error: Could not find resource for relative : ${url.pathname}`, 'SystemFault');
		}
		if (method === 'GET') {
			if (!id) throw new Fault(405, '405', 'Method Not Allowed', 'GET requires an entity id', 'SystemFault');
			return { [entity]: clone(this.mustFind(entity, id)), time: qboTime() };
		}
		if (method !== 'POST' || id) {
			throw new Fault(405, '405', 'Method Not Allowed', `${method} is not supported here`, 'SystemFault');
		}
		const requestId = query.requestid;
		const key = requestId ? `${entity}:${query.operation ?? ''}:${requestId}` : undefined;
		if (key) {
			const earlier = this.requestIds.get(key);
			if (earlier) return { ...clone(earlier.body), __status: earlier.status };
		}
		if (!isObject(body)) throw new Fault(400, '2010', 'Request has invalid or unsupported property', 'Request body must be a JSON object');
		const operation = (query.operation ?? '').toLowerCase();
		let result: Json;
		if (operation === 'delete') {
			result = this.remove(entity, body);
		} else if (operation === 'update' || (operation === '' && body.Id !== undefined)) {
			result = { [entity]: clone(this.update(entity, body)), time: qboTime() };
		} else if (operation === '') {
			result = { [entity]: clone(this.insert(entity, body)), time: qboTime() };
		} else {
			throw new Fault(400, '4000', 'Unsupported Operation', `Operation ${query.operation} is not supported.`);
		}
		if (key) this.requestIds.set(key, { status: 200, body: clone(result) });
		return result;
	}

	/** Intuit's refresh_token grant: errors are OAuth's `{error}` bodies, not Faults. */
	private tokenGrant(req: http.IncomingMessage, raw: string): [number, Json] {
		if (req.method !== 'POST') return [405, { error: 'invalid_request' }];
		const form = new URLSearchParams(raw);
		let clientId = form.get('client_id') ?? '';
		let clientSecret = form.get('client_secret') ?? '';
		const header = req.headers.authorization ?? '';
		if (header.startsWith('Basic ')) {
			const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
			const colon = decoded.indexOf(':');
			clientId = decodeURIComponent(decoded.slice(0, colon));
			clientSecret = decodeURIComponent(decoded.slice(colon + 1));
		}
		if (clientId !== this.clientId || clientSecret !== this.clientSecret) return [401, { error: 'invalid_client' }];
		if (form.get('grant_type') !== 'refresh_token') return [400, { error: 'unsupported_grant_type' }];
		if (form.get('refresh_token') !== this.currentRefreshToken) return [400, { error: 'invalid_grant' }];
		const stamp = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
		this.currentRefreshToken = `AB11qbo-emulator-refresh-${stamp}`;
		const accessToken = this.issueToken(`qbo-emulator-access-token-${stamp}`);
		return [200, { access_token: accessToken, refresh_token: this.currentRefreshToken, token_type: 'bearer', expires_in: 3600, x_refresh_token_expires_in: 8726400 }];
	}

	private authenticate(req: http.IncomingMessage): void {
		const header = req.headers.authorization ?? '';
		const ok = header === `Bearer ${this.accessToken}` && !this.tokenExpired;
		if (!ok) {
			throw new Fault(401, '3200', 'message=AuthenticationFailed; errorCode=003200; statusCode=401',
				this.tokenExpired && header === `Bearer ${this.accessToken}` ? 'Token expired' : 'Token revoked or invalid', 'AUTHENTICATION');
		}
	}

	// ---------------------------------------------------------------- semantics

	private mustFind(entity: QboEntityName, id: string): Json {
		const rec = this.store.get(entity)?.get(String(id));
		if (!rec) {
			const detail = this.isDeleted(entity, String(id))
				? 'Object Not Found : Another user has deleted this transaction.'
				: 'Object Not Found : Something you\'re trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees.';
			throw new Fault(400, '610', 'Object Not Found', detail, 'ValidationFault', 'Id');
		}
		return rec;
	}

	private checkProperties(entity: QboEntityName, body: Json): void {
		for (const k of Object.keys(body)) {
			if (!SCHEMA[entity].has(k)) {
				throw new Fault(400, '2010', 'Request has invalid or unsupported property',
					`Property Name:Unrecognized field "${k}" (class com.intuit.schema.finance.v3.${entity}), not marked as ignorable specified is unsupported or invalid`);
			}
		}
	}

	private insert(entity: QboEntityName, body: Json): Json {
		this.checkProperties(entity, body);
		const now = qboTime();
		const rec: Json = {};
		for (const [k, v] of Object.entries(body)) if (!SERVER_OWNED.has(k)) rec[k] = v;
		this.validateNew(entity, rec);
		const id = String(this.nextId++);
		const full: Json = { ...this.defaults(entity, rec), ...rec, domain: 'QBO', sparse: false, Id: id, SyncToken: '0', MetaData: { CreateTime: now, LastUpdatedTime: now } };
		this.recompute(entity, full, true);
		this.store.get(entity)?.set(id, full);
		if (entity === 'Payment') this.applyPayment(full, -1);
		return full;
	}

	private update(entity: QboEntityName, body: Json): Json {
		this.checkProperties(entity, body);
		if (body.Id === undefined || body.Id === null || body.Id === '') {
			throw new Fault(400, '2020', 'Required param missing, need to supply the required value for the API', 'Required parameter Id is missing in the request', 'ValidationFault', 'Id');
		}
		if (body.SyncToken === undefined || body.SyncToken === null || body.SyncToken === '') {
			throw new Fault(400, '2020', 'Required param missing, need to supply the required value for the API', 'Required parameter SyncToken is missing in the request', 'ValidationFault', 'SyncToken');
		}
		const rec = this.mustFind(entity, String(body.Id));
		this.checkSyncToken(rec, body.SyncToken);
		const changes: Json = {};
		for (const [k, v] of Object.entries(body)) if (!SERVER_OWNED.has(k)) changes[k] = v;
		const sparse = body.sparse === true || body.sparse === 'true';
		let next: Json;
		if (sparse) {
			next = { ...rec, ...changes };
		} else {
			// full update: writable fields left out are cleared
			next = { Id: rec.Id, SyncToken: rec.SyncToken, MetaData: rec.MetaData, domain: rec.domain, sparse: false, ...changes };
		}
		if (entity === 'Customer' && rec.Active === false && next.Active !== true && Object.keys(changes).length > 0) {
			throw new Fault(400, '6000', 'A business validation error has occurred while processing your request', 'Business Validation Error: You cannot modify a list element that has been deleted.');
		}
		this.validateExisting(entity, next, String(rec.Id));
		this.recompute(entity, next, false, rec);
		for (const k of Object.keys(rec)) delete rec[k];
		Object.assign(rec, next);
		this.touch(rec);
		return rec;
	}

	private remove(entity: QboEntityName, body: Json): Json {
		if (entity === 'Customer') {
			throw new Fault(400, '6000', 'A business validation error has occurred while processing your request',
				'Business Validation Error: Operation Delete is not supported for Customer. Make the customer inactive instead (Active=false).');
		}
		if (body.Id === undefined || body.SyncToken === undefined) {
			throw new Fault(400, '2020', 'Required param missing, need to supply the required value for the API', 'Required parameter Id and SyncToken are required to delete', 'ValidationFault', 'Id');
		}
		const id = String(body.Id);
		const rec = this.mustFind(entity, id);
		this.checkSyncToken(rec, body.SyncToken);
		this.store.get(entity)?.delete(id);
		this.deleted.get(entity)?.add(id);
		if (entity === 'Payment') this.applyPayment(rec, 1);
		return { [entity]: { status: 'Deleted', domain: 'QBO', Id: id }, time: qboTime() };
	}

	/** A payment linked to invoices lowers their Balance (sign -1); deleting it puts it back (+1). Each change moves the invoice's SyncToken, as in QuickBooks. */
	private applyPayment(payment: Json, sign: 1 | -1): void {
		if (!Array.isArray(payment.Line)) return;
		for (const line of payment.Line) {
			if (!isObject(line) || typeof line.Amount !== 'number' || !Array.isArray(line.LinkedTxn)) continue;
			for (const link of line.LinkedTxn) {
				if (!isObject(link) || link.TxnType !== 'Invoice') continue;
				const inv = this.store.get('Invoice')?.get(String(link.TxnId));
				if (!inv) continue;
				inv.Balance = money(Math.max(0, Number(inv.Balance ?? 0) + sign * line.Amount));
				this.touch(inv);
			}
		}
	}

	private checkSyncToken(rec: Json, token: unknown): void {
		if (String(token) !== String(rec.SyncToken)) {
			throw new Fault(400, '5010', 'Stale Object Error',
				'Stale Object Error : You and Emulator User were working on this at the same time. Emulator User finished before you did, so your work was not saved.');
		}
	}

	private touch(rec: Json): void {
		rec.SyncToken = String(Number(rec.SyncToken ?? '0') + 1);
		const meta = isObject(rec.MetaData) ? rec.MetaData : {};
		rec.MetaData = { ...meta, LastUpdatedTime: qboTime() };
	}

	private refExists(entity: QboEntityName, ref: unknown): boolean {
		if (!isObject(ref) || ref.value === undefined) return false;
		const rec = this.store.get(entity)?.get(String(ref.value));
		return !!rec && (entity !== 'Customer' || rec.Active !== false);
	}

	private validateNew(entity: QboEntityName, rec: Json): void {
		this.validateExisting(entity, rec, undefined);
	}

	private validateExisting(entity: QboEntityName, rec: Json, selfId: string | undefined): void {
		const missing = (field: string): never => {
			throw new Fault(400, '2020', 'Required param missing, need to supply the required value for the API', `Required parameter ${field} is missing in the request`, 'ValidationFault', field);
		};
		const badRef = (field: string): never => {
			throw new Fault(400, '2500', 'Invalid Reference Id', `Invalid Reference Id : ${field} assigned is not valid or has been made inactive`, 'ValidationFault', field);
		};
		if (rec.Line !== undefined && !Array.isArray(rec.Line)) {
			throw new Fault(400, '2010', 'Request has invalid or unsupported property', 'Property Name:Line must be an array specified is unsupported or invalid');
		}
		switch (entity) {
			case 'Customer': {
				if (rec.DisplayName === undefined) {
					const name = [rec.Title, rec.GivenName, rec.MiddleName, rec.FamilyName, rec.Suffix].filter((x) => typeof x === 'string' && x).join(' ');
					const fallback = name || (typeof rec.CompanyName === 'string' ? rec.CompanyName : '');
					if (!fallback) missing('DisplayName');
					rec.DisplayName = fallback;
				}
				if (typeof rec.DisplayName !== 'string' || rec.DisplayName.trim() === '') missing('DisplayName');
				const name = String(rec.DisplayName).toLowerCase();
				for (const other of this.store.get('Customer')?.values() ?? []) {
					if (other.Id !== selfId && other.Active !== false && String(other.DisplayName).toLowerCase() === name) {
						throw new Fault(400, '6240', 'Duplicate Name Exists Error',
							`The name supplied already exists. : Another customer is already using this name. Please use a different name. Id=${String(other.Id)}`);
					}
				}
				return;
			}
			case 'Invoice':
				if (rec.CustomerRef === undefined) missing('CustomerRef');
				if (!this.refExists('Customer', rec.CustomerRef)) badRef('CustomerRef');
				if (!Array.isArray(rec.Line) || rec.Line.length === 0) missing('Line');
				return;
			case 'Bill':
				if (rec.VendorRef === undefined) missing('VendorRef');
				if (!isObject(rec.VendorRef) || !/^\d+$/.test(String(rec.VendorRef.value))) badRef('VendorRef');
				if (!Array.isArray(rec.Line) || rec.Line.length === 0) missing('Line');
				return;
			case 'Payment':
				if (rec.CustomerRef === undefined) missing('CustomerRef');
				if (!this.refExists('Customer', rec.CustomerRef)) badRef('CustomerRef');
				if (rec.TotalAmt === undefined) missing('TotalAmt');
				if (typeof rec.TotalAmt !== 'number' || !Number.isFinite(rec.TotalAmt)) {
					throw new Fault(400, '2010', 'Request has invalid or unsupported property', 'Property Name:TotalAmt must be a number specified is unsupported or invalid');
				}
				return;
		}
	}

	private defaults(entity: QboEntityName, rec: Json): Json {
		const today = new Date();
		switch (entity) {
			case 'Customer':
				return { Active: true, Taxable: false, Job: false, BillWithParent: false, Balance: 0, BalanceWithJobs: 0, PreferredDeliveryMethod: 'Print', FullyQualifiedName: rec.DisplayName, PrintOnCheckName: rec.DisplayName, CurrencyRef: { value: 'USD', name: 'United States Dollar' } };
			case 'Invoice':
				return { DocNumber: String(this.nextDocNumber++), TxnDate: qboDate(today), DueDate: qboDate(new Date(today.getTime() + 30 * 86400_000)), CurrencyRef: { value: 'USD', name: 'United States Dollar' }, PrintStatus: 'NeedToPrint', EmailStatus: 'NotSet', LinkedTxn: [], CustomField: [], ApplyTaxAfterDiscount: false };
			case 'Bill':
				return { TxnDate: qboDate(today), DueDate: qboDate(new Date(today.getTime() + 30 * 86400_000)), CurrencyRef: { value: 'USD', name: 'United States Dollar' }, APAccountRef: { value: '33', name: 'Accounts Payable (A/P)' }, LinkedTxn: [] };
			case 'Payment':
				return { TxnDate: qboDate(today), CurrencyRef: { value: 'USD', name: 'United States Dollar' }, Line: [], UnappliedAmt: 0, ProcessPayment: false, DepositToAccountRef: { value: '4', name: 'Undeposited Funds' } };
		}
	}

	/** TotalAmt from the lines; Balance moves with it (what was already paid stays paid). */
	private recompute(entity: QboEntityName, rec: Json, isNew = false, before?: Json): void {
		if (entity === 'Customer') {
			if (rec.FullyQualifiedName === undefined || (before && before.DisplayName !== rec.DisplayName)) rec.FullyQualifiedName = rec.DisplayName;
			return;
		}
		if (entity === 'Payment') {
			if (isNew) rec.UnappliedAmt = money(Number(rec.TotalAmt) - lineTotal(rec.Line));
			return;
		}
		if (!Array.isArray(rec.Line)) return;
		const total = lineTotal(rec.Line);
		if (isNew) {
			rec.TotalAmt = total;
			rec.Balance = total;
			return;
		}
		const oldTotal = Number(before?.TotalAmt ?? rec.TotalAmt ?? 0);
		const oldBalance = Number(before?.Balance ?? rec.Balance ?? 0);
		rec.TotalAmt = total;
		rec.Balance = money(Math.max(0, oldBalance + (total - oldTotal)));
	}

	/** A query (see QboQueryParser for the subset) over the live records: `{ QueryResponse, time }`. */
	private runQuery(text: string): Json {
		const q = new QboQueryParser(text).parse();
		const entity = ENTITIES.find((e) => e.toLowerCase() === q.entity.name.toLowerCase());
		if (!entity) throw queryFault('4001', 'Invalid query', `QueryValidationError: Unable to identify entity: ${q.entity.name}`);
		const property = (n: QboName): string[] => {
			const [head, ...rest] = n.name.split('.');
			const top = [...SCHEMA[entity]].find((k) => k.toLowerCase() === head.toLowerCase());
			if (!top || top === 'sparse' || top === 'domain') throw queryFault('4001', 'Invalid query', `QueryValidationError: property '${n.name}' is not queryable`);
			return [top, ...rest];
		};
		const tests = q.where.map((c) => qboTest(c, property(c.field)));
		// Name-list entities answer with active records only unless the query says otherwise (QuickBooks does this for Customer).
		const activeOnly = entity === 'Customer' && !q.where.some((c) => property(c.field)[0] === 'Active');
		const order = q.orderBy.map((o) => ({ path: property(o.field), desc: o.desc }));
		const rows = [...(this.store.get(entity)?.values() ?? [])].filter((rec) => (!activeOnly || rec.Active !== false) && tests.every((t) => t(rec)));
		if (order.length > 0) {
			rows.sort((a, b) => {
				for (const o of order) {
					const c = compareQbo(qboValue(a, o.path), qboValue(b, o.path));
					if (c !== 0) return o.desc ? -c : c;
				}
				return 0;
			});
		}
		if (q.count) return { QueryResponse: { totalCount: rows.length }, time: qboTime() };
		const page = rows.slice(q.startPosition - 1, q.startPosition - 1 + q.maxResults).map((rec) => clone(rec));
		if (page.length === 0) return { QueryResponse: {}, time: qboTime() };
		return { QueryResponse: { [entity]: page, startPosition: q.startPosition, maxResults: page.length }, time: qboTime() };
	}

	private companyInfo(): Json {
		return {
			CompanyName: 'Sandbox Company_US_1',
			LegalName: 'Sandbox Company_US_1',
			CompanyAddr: { Id: '1', Line1: '123 Sierra Way', City: 'San Pablo', CountrySubDivisionCode: 'CA', PostalCode: '87999' },
			Country: 'US',
			Email: { Address: 'noreply@quickbooks.com' },
			SupportedLanguages: 'en',
			domain: 'QBO',
			sparse: false,
			Id: '1',
			SyncToken: '4',
			MetaData: { CreateTime: '2024-01-02T14:25:00-08:00', LastUpdatedTime: qboTime() },
		};
	}
}

// ---------------------------------------------------------------- query language (a subset)

const DEFAULT_MAX_RESULTS = 100;
const MAX_RESULTS_LIMIT = 1000;

function queryFault(code: string, message: string, detail: string): Fault {
	return new Fault(400, code, message, detail);
}

interface QboToken {
	kind: 'word' | 'string' | 'number' | 'op' | 'punct' | 'eof';
	text: string;
	/** Strings: the unescaped content; otherwise the text. */
	value: string;
	pos: number;
}

interface QboName {
	name: string;
	pos: number;
}

interface QboCondition {
	field: QboName;
	op: '=' | '<' | '>' | '<=' | '>=' | 'in' | 'like';
	values: string[];
}

interface QboQuery {
	count: boolean;
	entity: QboName;
	where: QboCondition[];
	orderBy: Array<{ field: QboName; desc: boolean }>;
	startPosition: number;
	maxResults: number;
}

const isNameStart = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isDigitChar = (c: string): boolean => c >= '0' && c <= '9';

/**
 * QuickBooks' query language: `select * | count(*) from Entity [where c [and c]…] [orderby f [asc|desc], …]
 * [startposition n] [maxresults n]`, keywords and entity names case-insensitive. A condition is
 * `Property op value` with op `=, <, >, <=, >=, in (…), like '…%'`; a property may be a path
 * (`MetaData.LastUpdatedTime`); values are quoted strings (`\'` escapes a quote), numbers or true/false.
 * There is no OR and no NOT in QuickBooks' language. Column lists (`select Id, …`) are not emulated.
 */
class QboQueryParser {
	private readonly tokens: QboToken[];
	private i = 0;

	constructor(private readonly text: string) {
		this.tokens = this.tokenize();
	}

	parse(): QboQuery {
		this.expectWord('select');
		let count = false;
		if (this.acceptWord('count')) {
			this.expect('punct', '(');
			this.expect('punct', '*');
			this.expect('punct', ')');
			count = true;
		} else if (!this.accept('punct', '*')) {
			throw queryFault('4000', 'Error parsing query', 'QueryParserError: the emulator answers select * and select count(*) only, not a column list');
		}
		this.expectWord('from');
		const query: QboQuery = { count, entity: this.name(), where: [], orderBy: [], startPosition: 1, maxResults: DEFAULT_MAX_RESULTS };
		if (this.acceptWord('where')) {
			do query.where.push(this.condition());
			while (this.acceptWord('and'));
		}
		let ordered = this.acceptWord('orderby');
		if (!ordered && this.acceptWord('order')) {
			this.expectWord('by');
			ordered = true;
		}
		while (ordered) {
			const field = this.name();
			const desc = this.acceptWord('desc');
			if (!desc) this.acceptWord('asc');
			query.orderBy.push({ field, desc });
			ordered = this.accept('punct', ',');
		}
		// Either order, each at most once; more than 1000 results per page are never returned.
		let start: number | undefined;
		let max: number | undefined;
		for (;;) {
			if (start === undefined && this.acceptWord('startposition')) start = Math.max(1, this.integer());
			else if (max === undefined && this.acceptWord('maxresults')) max = Math.min(MAX_RESULTS_LIMIT, this.integer());
			else break;
		}
		query.startPosition = start ?? 1;
		query.maxResults = max ?? DEFAULT_MAX_RESULTS;
		if (this.peek().kind !== 'eof') throw this.unexpected();
		return query;
	}

	private tokenize(): QboToken[] {
		const q = this.text;
		const tokens: QboToken[] = [];
		let i = 0;
		while (i < q.length) {
			const c = q[i];
			const start = i;
			let kind: QboToken['kind'];
			let value: string | undefined;
			if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
				i++;
				continue;
			} else if (isNameStart(c)) {
				while (i < q.length && (isNameStart(q[i]) || isDigitChar(q[i]) || q[i] === '.')) i++;
				kind = 'word';
			} else if (isDigitChar(c) || (c === '-' && isDigitChar(q.charAt(i + 1)))) {
				i++;
				while (i < q.length && (isDigitChar(q[i]) || q[i] === '.')) i++;
				kind = 'number';
			} else if (c === "'") {
				value = '';
				for (i++; q[i] !== "'"; i++) {
					if (i >= q.length) throw this.fault('<EOF>', 'EOF', q.length);
					if (q[i] === '\\' && i + 1 < q.length) i++;
					value += q[i];
				}
				i++;
				kind = 'string';
			} else if (c === '<' || c === '>' || c === '=') {
				i += (c === '<' || c === '>') && q[i + 1] === '=' ? 2 : 1;
				kind = 'op';
			} else if (c === '(' || c === ')' || c === ',' || c === '*') {
				i++;
				kind = 'punct';
			} else {
				throw this.fault(c, 'UNKNOWN', start);
			}
			const text = q.slice(start, i);
			tokens.push({ kind, text, value: value ?? text, pos: start });
		}
		tokens.push({ kind: 'eof', text: '<EOF>', value: '', pos: q.length });
		return tokens;
	}

	/** `QueryParserError: Encountered " <KIND> "text "" at line 1, column 12.`, as QuickBooks words it. */
	private fault(text: string, kind: string, pos: number): Fault {
		const before = this.text.slice(0, pos).split('\n');
		const where = `at line ${before.length}, column ${before[before.length - 1].length + 1}.`;
		const what = kind === 'EOF' ? '"<EOF>"' : `" <${kind}> "${text} ""`;
		return queryFault('4000', 'Error parsing query', `QueryParserError: Encountered ${what} ${where}`);
	}

	private unexpected(token = this.peek()): Fault {
		const kind = { word: 'IDENTIFIER', string: 'STRING', number: 'INTEGER', op: 'OPERATOR', punct: 'PUNCTUATION', eof: 'EOF' }[token.kind];
		return this.fault(token.text, kind, token.pos);
	}

	private peek(): QboToken {
		return this.tokens[this.i];
	}

	private accept(kind: QboToken['kind'], text: string): boolean {
		const t = this.peek();
		if (t.kind !== kind || t.text !== text) return false;
		this.i++;
		return true;
	}

	private expect(kind: QboToken['kind'], text: string): void {
		if (!this.accept(kind, text)) throw this.unexpected();
	}

	private acceptWord(word: string): boolean {
		const t = this.peek();
		if (t.kind !== 'word' || t.value.toLowerCase() !== word) return false;
		this.i++;
		return true;
	}

	private expectWord(word: string): void {
		if (!this.acceptWord(word)) throw this.unexpected();
	}

	private name(): QboName {
		const t = this.peek();
		if (t.kind !== 'word') throw this.unexpected();
		this.i++;
		return { name: t.value, pos: t.pos };
	}

	private integer(): number {
		const t = this.peek();
		if (t.kind !== 'number' || !/^\d{1,9}$/.test(t.text)) throw this.unexpected();
		this.i++;
		return Number(t.text);
	}

	private condition(): QboCondition {
		const field = this.name();
		if (this.acceptWord('in')) {
			this.expect('punct', '(');
			const values = [this.value()];
			while (this.accept('punct', ',')) values.push(this.value());
			this.expect('punct', ')');
			return { field, op: 'in', values };
		}
		if (this.acceptWord('like')) {
			const t = this.peek();
			if (t.kind !== 'string') throw this.unexpected();
			this.i++;
			return { field, op: 'like', values: [t.value] };
		}
		const t = this.peek();
		if (t.kind !== 'op') throw this.unexpected();
		this.i++;
		return { field, op: t.text as QboCondition['op'], values: [this.value()] };
	}

	private value(): string {
		const t = this.peek();
		const bool = t.kind === 'word' && (t.value.toLowerCase() === 'true' || t.value.toLowerCase() === 'false');
		if (t.kind !== 'string' && t.kind !== 'number' && !bool) throw this.unexpected();
		this.i++;
		return bool ? t.value.toLowerCase() : t.value;
	}
}

/** The value at a property path; a reference (`CustomerRef`) compares by its `value`, an Id as a number. */
function qboValue(rec: Json, path: string[]): unknown {
	if (path.length === 1 && path[0] === 'Id') return Number(rec.Id);
	let v: unknown = rec;
	for (const segment of path) {
		if (!isObject(v)) return undefined;
		const key = Object.keys(v).find((k) => k.toLowerCase() === segment.toLowerCase());
		v = key === undefined ? undefined : v[key];
	}
	return isObject(v) && 'value' in v ? v.value : v;
}

const DATE_LIKE = /^\d{4}-\d{2}-\d{2}/;

/**
 * Compares a stored value with another (a query value is a string): numerically when the stored value is a
 * number (`Balance > '0'`), as instants for dates, otherwise as text, case-insensitively. Missing sorts last.
 */
function compareQbo(stored: unknown, other: unknown): number {
	if (stored === undefined || stored === null) return other === undefined || other === null ? 0 : 1;
	if (other === undefined || other === null) return -1;
	if (typeof stored === 'number' || typeof stored === 'boolean') {
		const a = typeof stored === 'boolean' ? String(stored) : stored;
		const b = typeof stored === 'boolean' ? String(other).toLowerCase() : Number(other);
		return a < b ? -1 : a > b ? 1 : a === b ? 0 : NaN;
	}
	const [a, b] = [String(stored), String(other)];
	if (DATE_LIKE.test(a) && DATE_LIKE.test(b)) return Date.parse(a) - Date.parse(b);
	return a.toLowerCase().localeCompare(b.toLowerCase());
}

function qboTest(condition: QboCondition, path: string[]): (rec: Json) => boolean {
	const { op, values } = condition;
	return (rec) => {
		const v = qboValue(rec, path);
		if (v === undefined || v === null) return false;
		if (op === 'like') return likeMatch(String(v), values[0], false);
		if (op === 'in') return values.some((x) => compareQbo(v, x) === 0);
		const c = compareQbo(v, values[0]);
		return op === '=' ? c === 0 : op === '<' ? c < 0 : op === '>' ? c > 0 : op === '<=' ? c <= 0 : c >= 0;
	};
}

function lineTotal(lines: unknown): number {
	if (!Array.isArray(lines)) return 0;
	let sum = 0;
	for (const l of lines) {
		if (isObject(l) && l.DetailType !== 'SubTotalLineDetail' && typeof l.Amount === 'number') sum += l.Amount;
	}
	return money(sum);
}

function readBody(req: http.IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

/** `{ value: '$customer:0' }` → the id of the first seeded customer. */
function resolveSeedRefs(body: Json, seeded: SeedResult): Json {
	const walk = (v: unknown): unknown => {
		if (typeof v === 'string') {
			const m = /^\$(customer|invoice|bill|payment):(\d+)$/.exec(v);
			if (m) {
				const entity = (m[1].charAt(0).toUpperCase() + m[1].slice(1)) as QboEntityName;
				const id = seeded[entity][Number(m[2])];
				if (!id) throw new Error(`seed reference ${v} does not resolve`);
				return id;
			}
			return v;
		}
		if (Array.isArray(v)) return v.map(walk);
		if (isObject(v)) {
			const out: Json = {};
			for (const [k, x] of Object.entries(v)) out[k] = walk(x);
			return out;
		}
		return v;
	};
	return walk(body) as Json;
}

function salesLine(description: string, amount: number, item: { value: string; name: string }, qty = 1): Json {
	return {
		DetailType: 'SalesItemLineDetail',
		Amount: amount,
		Description: description,
		SalesItemLineDetail: { ItemRef: item, Qty: qty, UnitPrice: money(amount / qty), TaxCodeRef: { value: 'NON' } },
	};
}

function expenseLine(description: string, amount: number, account: { value: string; name: string }): Json {
	return {
		DetailType: 'AccountBasedExpenseLineDetail',
		Amount: amount,
		Description: description,
		AccountBasedExpenseLineDetail: { AccountRef: account, BillableStatus: 'NotBillable', TaxCodeRef: { value: 'NON' } },
	};
}

/** A small landscaping company, in the spirit of the QuickBooks sandbox. */
export function demoData(): SeedData {
	const gardening = { value: '6', name: 'Gardening' };
	const design = { value: '4', name: 'Design' };
	const rocks = { value: '13', name: 'Rock Fountain' };
	const address = (line1: string, city: string, zip: string): Json => ({ Line1: line1, City: city, CountrySubDivisionCode: 'CA', PostalCode: zip });
	return {
		Customer: [
			{ DisplayName: "Amy's Bird Sanctuary", GivenName: 'Amy', FamilyName: 'Lauterbach', CompanyName: "Amy's Bird Sanctuary", PrimaryEmailAddr: { Address: 'Birds@Intuit.com' }, PrimaryPhone: { FreeFormNumber: '(650) 555-3311' }, BillAddr: address('4581 Finch St.', 'Bayshore', '94326'), Notes: 'Note here' },
			{ DisplayName: "Bill's Windsurf Shop", GivenName: 'Bill', FamilyName: 'Lucchini', CompanyName: "Bill's Windsurf Shop", PrimaryEmailAddr: { Address: 'Surf@Intuit.com' }, PrimaryPhone: { FreeFormNumber: '(415) 444-6538' }, BillAddr: address('12 Ocean Dr.', 'Half Moon Bay', '94213') },
			{ DisplayName: 'Cool Cars', GivenName: 'Grace', FamilyName: 'Pariente', CompanyName: 'Cool Cars', PrimaryEmailAddr: { Address: 'Cool_Cars@intuit.com' }, PrimaryPhone: { FreeFormNumber: '(415) 555-9933' }, BillAddr: address('65 Ocean Dr.', 'Half Moon Bay', '94213') },
			{ DisplayName: 'Diego Rodriguez', GivenName: 'Diego', FamilyName: 'Rodriguez', PrimaryEmailAddr: { Address: 'Diego@Rodriguez.com' }, PrimaryPhone: { FreeFormNumber: '(650) 555-4477' }, BillAddr: address('321 Channing', 'Palo Alto', '94303') },
			{ DisplayName: 'Dukes Basketball Camp', GivenName: 'Peter', FamilyName: 'Dukes', CompanyName: 'Dukes Basketball Camp', PrimaryEmailAddr: { Address: 'Dukes_bball@intuit.com' }, PrimaryPhone: { FreeFormNumber: '(520) 420-5638' }, BillAddr: address('25 Court St.', 'Tucson', '85719') },
		],
		Invoice: [
			{ CustomerRef: { value: '$customer:0', name: "Amy's Bird Sanctuary" }, Line: [salesLine('Weekly Gardening Service', 140, gardening, 4), salesLine('Custom Design', 75, design)], BillEmail: { Address: 'Birds@Intuit.com' }, CustomerMemo: { value: 'Thank you for your business and have a great day!' } },
			{ CustomerRef: { value: '$customer:1', name: "Bill's Windsurf Shop" }, Line: [salesLine('Rock Fountain', 275, rocks)], BillEmail: { Address: 'Surf@Intuit.com' } },
			{ CustomerRef: { value: '$customer:2', name: 'Cool Cars' }, Line: [salesLine('Custom Design', 337.5, design, 4.5), salesLine('Weekly Gardening Service', 105, gardening, 3)], PrivateNote: 'Quarterly design review' },
			{ CustomerRef: { value: '$customer:4', name: 'Dukes Basketball Camp' }, Line: [salesLine('Weekly Gardening Service', 70, gardening, 2)] },
		],
		Bill: [
			{ VendorRef: { value: '41', name: "Hall Properties" }, Line: [expenseLine('Monthly rent', 900, { value: '77', name: 'Rent or Lease' })], DocNumber: 'RENT-0425' },
			{ VendorRef: { value: '56', name: 'Bob\'s Burger Joint' }, Line: [expenseLine('Crew lunch', 18.97, { value: '13', name: 'Meals and Entertainment' })] },
			{ VendorRef: { value: '30', name: 'Norton Lumber and Building Materials' }, Line: [expenseLine('Lumber for deck', 205.75, { value: '11', name: 'Job Materials' }), expenseLine('Fasteners', 46.12, { value: '11', name: 'Job Materials' })], DocNumber: '4423' },
		],
		Payment: [
			{ CustomerRef: { value: '$customer:1', name: "Bill's Windsurf Shop" }, TotalAmt: 175, PaymentRefNum: '1099', Line: [{ Amount: 175, LinkedTxn: [{ TxnId: '$invoice:1', TxnType: 'Invoice' }] }] },
			{ CustomerRef: { value: '$customer:3', name: 'Diego Rodriguez' }, TotalAmt: 50, PaymentRefNum: '5421' },
		],
	};
}
