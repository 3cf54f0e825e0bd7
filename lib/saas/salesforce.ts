/**
 * Salesforce over jsforce 3 (the only file that imports it).
 *
 * jsforce traps handled here (see PLATFORM-NOTES "Client libraries"):
 * - It retries GET/PUT/DELETE up to 5 times on 5xx and on network errors (~15 s of back-off), and
 *   its default per-request timeout is 30 minutes. Every call here passes `retry: { maxRetries: 0 }`
 *   and our own timeout, so a system that is down fails in milliseconds with a retryable
 *   `system_unavailable`; the caller decides whether to try again (never blindly for writes).
 * - Without `oauth2.clientId` or `refreshFn` it has no refresh delegate: a 401 is reported as
 *   `unauthorized` (n8n owns the OAuth token and its refresh).
 * - Its errors carry `errorCode` but no HTTP status: a status-recording transport is passed per call.
 * - `conn.soap.undelete` would use the 30-minute default timeout: the SOAP endpoint is built here with
 *   the same options as the REST calls.
 * - It reads `http(s)_proxy` once at load and ignores `NO_PROXY`: the proxy is chosen per call here,
 *   honouring `NO_PROXY` and never proxying loopback addresses.
 * - Salesforce answers `NOT_FOUND` both for an unknown record and an unknown sObject: the object's
 *   basic-info resource tells them apart.
 * - `If-Unmodified-Since` is an HTTP date (whole seconds), so a change within the same second as the
 *   marker would slip through: a conditional update first compares the record's LastModifiedDate with
 *   the marker at millisecond precision, then sends the header as the server-side guard.
 */
import { Connection } from 'jsforce';
import type { HttpRequest, HttpRequestOptions, HttpResponse } from 'jsforce';
import { SOAP } from 'jsforce/lib/soap';
import { Transport } from 'jsforce/lib/transport';
import type { StreamPromise } from 'jsforce/lib/util/promise';
import { ChangeMarker, RecordImage, SaasAdapter, SaasConnection, SaasError, SaasErrorCode } from './types';

const NO_FIELDS: ReadonlySet<string> = new Set();
const DEFAULT_VERSION = '59.0';
const DEFAULT_TIMEOUT_MS = 15_000;
const ID_PATTERN = /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/;
const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;
const MARKER_FIELDS = ['LastModifiedDate', 'SystemModstamp'];
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ENETDOWN', 'ENETUNREACH', 'EHOSTDOWN', 'EHOSTUNREACH', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED']);

type SfRecord = Record<string, unknown>;

/** Records the HTTP status of the response, which jsforce's errors do not carry. */
class StatusTransport extends Transport {
	status?: number;

	override httpRequest(req: HttpRequest, options?: HttpRequestOptions): StreamPromise<HttpResponse> {
		const pending = super.httpRequest(req, options);
		pending.then(
			(res) => {
				this.status = res.statusCode;
			},
			() => undefined,
		);
		return pending;
	}
}

interface CallOptions extends HttpRequestOptions {
	transport: StatusTransport;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringProp(value: unknown, key: string): string | undefined {
	if (!isRecord(value)) return undefined;
	const v = value[key];
	return typeof v === 'string' ? v : undefined;
}

/** Salesforce datetimes end in `+0000`; make them parseable everywhere. */
function parseSfDate(value: string): number {
	return Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

/** The proxy jsforce would use, but honouring NO_PROXY and never for loopback hosts. */
function proxyFor(baseUrl: string): string | undefined {
	const env = process.env;
	const proxy = env.https_proxy ?? env.http_proxy ?? env.HTTPS_PROXY ?? env.HTTP_PROXY;
	if (!proxy) return undefined;
	let host: string;
	try {
		host = new URL(baseUrl).hostname.toLowerCase().replace(/^\[|\]$/g, '');
	} catch {
		return undefined;
	}
	if (host === 'localhost' || host === '::1' || /^127\./.test(host)) return undefined;
	const noProxy = (env.no_proxy ?? env.NO_PROXY ?? '')
		.split(',')
		.map((s) => s.trim().toLowerCase().replace(/:\d+$/, ''))
		.filter((s) => s !== '');
	for (const entry of noProxy) {
		if (entry === '*') return undefined;
		const suffix = entry.startsWith('*.') ? entry.substring(1) : entry.startsWith('.') ? entry : `.${entry}`;
		if (host === entry.replace(/^\*?\./, '') || host.endsWith(suffix)) return undefined;
	}
	return proxy;
}

export class SalesforceAdapter implements SaasAdapter {
	readonly system = 'salesforce' as const;
	private readonly conn: Connection;
	private readonly instanceUrl: string;
	private readonly version: string;
	private readonly accessToken: string;
	private readonly timeoutMs: number;
	private readonly proxy?: string;
	private readonly knownObjects = new Map<string, boolean>();

	constructor(connection: SaasConnection) {
		this.instanceUrl = connection.baseUrl.replace(/\/+$/, '');
		this.version = (connection.apiVersion ?? DEFAULT_VERSION).replace(/^v/, '');
		this.accessToken = connection.accessToken;
		this.timeoutMs = connection.timeoutMs ?? DEFAULT_TIMEOUT_MS;
		if (!/^https?:\/\//.test(this.instanceUrl)) throw new SaasError('salesforce', 'invalid_request', 'Salesforce instance URL must start with http:// or https://');
		if (!/^\d+\.\d$/.test(this.version)) throw new SaasError('salesforce', 'invalid_request', `Salesforce API version must look like 59.0 (got ${this.version})`);
		if (!this.accessToken) throw new SaasError('salesforce', 'unauthorized', 'Salesforce access token is missing', 401);
		this.proxy = proxyFor(this.instanceUrl);
		// No oauth2 client and no refreshFn: jsforce has no refresh delegate, so a 401 surfaces as an error.
		this.conn = new Connection({ instanceUrl: this.instanceUrl, accessToken: this.accessToken, version: this.version });
	}

	async read(object: string, id: string, fields?: string[]): Promise<RecordImage> {
		this.checkObject(object);
		this.checkId(id);
		const named = fields && fields.length > 0 ? fields : undefined;
		named?.forEach((f) => this.checkField(f));
		const body = await this.getRecord(object, id, named ? [...named, ...MARKER_FIELDS] : undefined, 'read');
		const out: Record<string, unknown> = {};
		if (named) {
			for (const name of named) out[name] = pick(body, name);
		} else {
			for (const [key, value] of Object.entries(body)) if (key !== 'attributes') out[key] = value;
		}
		return { id: stringProp(body, 'Id') ?? id, fields: out, marker: markerOf(body) };
	}

	async create(object: string, fields: Record<string, unknown>): Promise<{ id: string; marker: ChangeMarker }> {
		this.checkObject(object);
		Object.keys(fields).forEach((f) => this.checkField(f));
		const result = await this.call<unknown>({ method: 'POST', url: this.url('sobjects', object), body: JSON.stringify(fields), headers: { 'content-type': 'application/json' } }, `create ${object}`, object);
		const id = stringProp(result, 'id');
		if (!id || (isRecord(result) && result.success === false)) {
			throw new SaasError('salesforce', 'error', `create ${object}: Salesforce did not return a record id`);
		}
		return { id, marker: await this.markerAfterWrite(object, id) };
	}

	async update(object: string, id: string, fields: Record<string, unknown>, ifUnchangedSince?: ChangeMarker): Promise<{ marker: ChangeMarker }> {
		this.checkObject(object);
		this.checkId(id);
		Object.keys(fields).forEach((f) => this.checkField(f));
		const headers: Record<string, string> = { 'content-type': 'application/json' };
		if (ifUnchangedSince) {
			const expected = ifUnchangedSince.LastModifiedDate;
			const expectedMs = expected ? parseSfDate(expected) : NaN;
			if (Number.isNaN(expectedMs)) {
				throw new SaasError('salesforce', 'invalid_request', 'Salesforce conflict check needs the marker\'s LastModifiedDate');
			}
			// Millisecond check first: If-Unmodified-Since only has whole seconds.
			const current = markerOf(await this.getRecord(object, id, MARKER_FIELDS, `update ${object} ${id}`));
			const currentMs = current.LastModifiedDate ? parseSfDate(current.LastModifiedDate) : NaN;
			if (currentMs !== expectedMs) {
				throw new SaasError('salesforce', 'conflict', `${object} ${id} changed since ${expected} (LastModifiedDate is now ${current.LastModifiedDate ?? 'unknown'})`, 412);
			}
			headers['If-Unmodified-Since'] = new Date(expectedMs).toUTCString();
		}
		await this.call<unknown>({ method: 'PATCH', url: this.url('sobjects', object, id), body: JSON.stringify(fields), headers }, `update ${object} ${id}`, object);
		return { marker: await this.markerAfterWrite(object, id) };
	}

	async delete(object: string, id: string): Promise<void> {
		this.checkObject(object);
		this.checkId(id);
		await this.call<unknown>({ method: 'DELETE', url: this.url('sobjects', object, id) }, `delete ${object} ${id}`, object);
	}

	/** Undelete from the recycle bin (SOAP `undelete`, as jsforce's `conn.soap.undelete`). Restoring a live record succeeds and changes nothing. */
	async restore(object: string, id: string): Promise<{ id: string; recreated: boolean }> {
		this.checkObject(object);
		this.checkId(id);
		const what = `restore ${object} ${id}`;
		const transport = new StatusTransport();
		let response: unknown;
		try {
			const options = { endpointUrl: `${this.instanceUrl}/services/Soap/u/${this.version}`, xmlns: 'urn:partner.soap.sforce.com', ...this.options(transport) };
			const soap = new SOAP(this.conn, options);
			response = await soap.invoke('undelete', {
				'@xmlns': 'urn:partner.soap.sforce.com',
				'@xmlns:ns1': 'sobject.partner.soap.sforce.com',
				'ns1:ids': [id],
			});
		} catch (error) {
			throw this.toSaasError(error, transport.status, what);
		}
		const result = isRecord(response) ? (Array.isArray(response.result) ? (response.result[0] as unknown) : response.result) : undefined;
		if (isRecord(result) && result.success === 'true') return { id: stringProp(result, 'id') ?? id, recreated: false };
		const errors = isRecord(result) ? (Array.isArray(result.errors) ? (result.errors[0] as unknown) : result.errors) : undefined;
		const statusCode = stringProp(errors, 'statusCode') ?? 'UNKNOWN';
		const message = stringProp(errors, 'message') ?? 'undelete failed';
		if (statusCode === 'UNDELETE_FAILED') {
			// Not in the recycle bin: either already restored (then this is a no-op) or purged.
			try {
				await this.getRecord(object, id, MARKER_FIELDS, what);
				return { id, recreated: false };
			} catch (error) {
				if (!(error instanceof SaasError) || error.code !== 'not_found') throw error;
			}
			throw new SaasError('salesforce', 'not_found', `${what}: ${this.redact(message)} (it may have been purged from the recycle bin)`, 404);
		}
		const code: SaasErrorCode = ['INVALID_ID_FIELD', 'ENTITY_IS_DELETED', 'INVALID_CROSS_REFERENCE_KEY', 'NOT_FOUND'].includes(statusCode) ? 'not_found' : 'error';
		throw new SaasError('salesforce', code, `${what}: ${statusCode}: ${this.redact(message)}`, code === 'not_found' ? 404 : undefined);
	}

	writeOnlyFields(): ReadonlySet<string> {
		return NO_FIELDS;
	}

	async ping(): Promise<void> {
		await this.call<unknown>({ method: 'GET', url: this.url('limits') }, 'ping');
	}

	// ---------------------------------------------------------------- internals

	private url(...parts: string[]): string {
		return [this.instanceUrl, 'services/data', `v${this.version}`, ...parts.map(encodeURIComponent)].join('/');
	}

	private options(transport: StatusTransport): CallOptions {
		return { transport, timeout: this.timeoutMs, retry: { maxRetries: 0 }, httpProxy: this.proxy };
	}

	private async call<T>(request: HttpRequest, what: string, object?: string): Promise<T> {
		const transport = new StatusTransport();
		try {
			return await this.conn.request<T>(request, this.options(transport));
		} catch (error) {
			const mapped = this.toSaasError(error, transport.status, what);
			if (object && errorCodeOf(error) === 'NOT_FOUND' && !(await this.objectExists(object))) {
				throw new SaasError('salesforce', 'unknown_object', `${what}: unknown sObject '${object}'`, 404);
			}
			throw mapped;
		}
	}

	private async getRecord(object: string, id: string, fields: string[] | undefined, what: string): Promise<SfRecord> {
		let url = this.url('sobjects', object, id);
		if (fields) url += `?fields=${[...new Set(fields)].map(encodeURIComponent).join(',')}`;
		const body = await this.call<unknown>({ method: 'GET', url }, what, object);
		if (!isRecord(body)) throw new SaasError('salesforce', 'error', `${what}: unexpected response from Salesforce`);
		return body;
	}

	/** The marker after a write that succeeded; if reading it fails, the write still stands (empty marker, no error). */
	private async markerAfterWrite(object: string, id: string): Promise<ChangeMarker> {
		try {
			return markerOf(await this.getRecord(object, id, MARKER_FIELDS, `read ${object} ${id}`));
		} catch {
			return {};
		}
	}

	private async objectExists(object: string): Promise<boolean> {
		const known = this.knownObjects.get(object.toLowerCase());
		if (known !== undefined) return known;
		try {
			await this.conn.request<unknown>({ method: 'GET', url: this.url('sobjects', object) }, this.options(new StatusTransport()));
			this.knownObjects.set(object.toLowerCase(), true);
			return true;
		} catch (error) {
			const code = errorCodeOf(error);
			const exists = code !== 'NOT_FOUND' && code !== 'INVALID_TYPE';
			if (!exists) this.knownObjects.set(object.toLowerCase(), false);
			return exists;
		}
	}

	private checkId(id: string): void {
		if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
			throw new SaasError('salesforce', 'invalid_request', `Salesforce record id must be 15 or 18 letters and digits (got ${JSON.stringify(String(id).slice(0, 40))})`);
		}
	}

	private checkObject(object: string): void {
		if (typeof object !== 'string' || !NAME_PATTERN.test(object)) {
			throw new SaasError('salesforce', 'invalid_request', `Salesforce object must be an API name such as Lead or Invoice__c (got ${JSON.stringify(String(object).slice(0, 80))})`);
		}
	}

	private checkField(field: string): void {
		if (typeof field !== 'string' || !NAME_PATTERN.test(field)) {
			throw new SaasError('salesforce', 'invalid_request', `Salesforce field must be an API name such as LastName or Score__c (got ${JSON.stringify(String(field).slice(0, 80))})`);
		}
	}

	private redact(text: string): string {
		let out = text.split(this.accessToken).join('[redacted]');
		out = out.replace(/Bearer\s+\S+/gi, 'Bearer [redacted]');
		out = out.replace(/00D[A-Za-z0-9]{12,15}![A-Za-z0-9._-]+/g, '[redacted]');
		return out;
	}

	private toSaasError(error: unknown, status: number | undefined, what: string): SaasError {
		const fail = (code: SaasErrorCode, message: string, httpStatus?: number, retryable = false): SaasError =>
			new SaasError('salesforce', code, this.redact(`${what}: ${message}`), httpStatus, retryable);
		if (error instanceof SaasError) return error;
		const name = isRecord(error) || error instanceof Error ? (error as { name?: unknown }).name : undefined;
		const rawMessage = error instanceof Error ? error.message : String(error);
		const errno = isRecord(error) || error instanceof Error ? (error as { code?: unknown }).code : undefined;
		if (name === 'AbortError' || rawMessage === 'Request Timeout') {
			return fail('system_unavailable', `Salesforce did not answer within ${this.timeoutMs} ms`, undefined, true);
		}
		if (typeof errno === 'string' && NETWORK_CODES.has(errno)) {
			return fail('system_unavailable', `Salesforce is unreachable (${errno})`, undefined, true);
		}
		const errorCode = errorCodeOf(error);
		const fromCode = errorCode ? /^ERROR_HTTP_(\d{3})$/.exec(errorCode) : null;
		const httpStatus = status ?? (fromCode ? Number(fromCode[1]) : undefined);
		const detail = errorCode && !fromCode ? `${errorCode}: ${rawMessage}` : `HTTP ${httpStatus ?? '?'}`;
		if (name === 'FetchError' || (!errorCode && httpStatus === undefined)) {
			return fail('system_unavailable', `Salesforce request failed (${rawMessage.replace(/^request to \S+ failed, reason: /, '')})`, undefined, true);
		}
		switch (errorCode) {
			case 'INVALID_SESSION_ID':
			case 'INVALID_AUTH_HEADER':
			case 'INVALID_OPERATION_WITH_EXPIRED_PASSWORD':
				// The SOAP API reports it as HTTP 500: normalise to 401.
				return fail('unauthorized', `${errorCode}: the access token was rejected (expired or revoked); reconnect the credential`, 401);
			case 'NOT_FOUND':
			case 'ENTITY_IS_DELETED':
			case 'INVALID_ID_FIELD':
				return fail('not_found', detail, httpStatus ?? 404);
			case 'INVALID_TYPE':
				return fail('unknown_object', detail, httpStatus ?? 400);
			case 'INVALID_FIELD':
				return fail('unknown_field', detail, httpStatus ?? 400);
			case 'PRECONDITION_FAILED':
				return fail('conflict', `the record changed since the given marker (${detail})`, httpStatus ?? 412);
			case 'REQUEST_LIMIT_EXCEEDED':
			case 'TXN_SECURITY_RATE_LIMIT':
				return fail('rate_limited', detail, httpStatus ?? 403, true);
			case 'SERVER_UNAVAILABLE':
			case 'UNABLE_TO_LOCK_ROW':
				return fail('system_unavailable', detail, httpStatus ?? 503, true);
			case 'MALFORMED_ID':
			case 'JSON_PARSER_ERROR':
			case 'REQUIRED_FIELD_MISSING':
			case 'INVALID_FIELD_FOR_INSERT_UPDATE':
			case 'FIELD_CUSTOM_VALIDATION_EXCEPTION':
			case 'FIELD_INTEGRITY_EXCEPTION':
			case 'INVALID_TYPE_ON_FIELD_IN_RECORD':
			case 'STRING_TOO_LONG':
			case 'INVALID_CROSS_REFERENCE_KEY':
			case 'INVALID_HEADER_VALUE':
			case 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST':
			case 'DUPLICATES_DETECTED':
				return fail('invalid_request', detail, httpStatus ?? 400);
			default:
				break;
		}
		if (httpStatus === 401) return fail('unauthorized', 'the access token was rejected (expired or revoked); reconnect the credential', 401);
		if (httpStatus === 404) return fail('not_found', detail, 404);
		if (httpStatus === 412) return fail('conflict', `the record changed since the given marker (${detail})`, 412);
		if (httpStatus === 429 || httpStatus === 420) return fail('rate_limited', detail, httpStatus, true);
		if (httpStatus !== undefined && httpStatus >= 500) return fail('system_unavailable', detail, httpStatus, true);
		if (httpStatus === 400) return fail('invalid_request', detail, 400);
		return fail('error', detail, httpStatus);
	}
}

/** jsforce's `errorCode` (REST) or SOAP fault code, without the `sf:` prefix. */
function errorCodeOf(error: unknown): string | undefined {
	const code = isRecord(error) || error instanceof Error ? (error as { errorCode?: unknown }).errorCode : undefined;
	return typeof code === 'string' ? code.replace(/^(sf|soapenv):/, '') : undefined;
}

function pick(body: SfRecord, name: string): unknown {
	if (name in body) return body[name];
	const lower = name.toLowerCase();
	const key = Object.keys(body).find((k) => k.toLowerCase() === lower);
	return key === undefined ? null : body[key];
}

function markerOf(body: SfRecord): ChangeMarker {
	const marker: ChangeMarker = {};
	for (const name of MARKER_FIELDS) {
		const value = pick(body, name);
		if (typeof value === 'string') marker[name] = value;
	}
	return marker;
}
