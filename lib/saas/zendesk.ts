/**
 * Zendesk Support adapter over node-zendesk 6 (the only module that imports it).
 *
 * node-zendesk traps handled here (measured, see PLATFORM-NOTES "Client libraries"):
 * - the base URL option is `endpointUri` (`remoteUri` is silently ignored);
 * - it RESOLVES instead of throwing on any response carrying `Retry-After` (429, some 503s), on
 *   502/504/412 and other statuses outside its table, and on 204 (the "result" is then an Error
 *   object): every reply's HTTP status is checked here, never the promise alone;
 * - bodies must be wrapped (`{ ticket: {...} }`); results come back unwrapped;
 * - no timeout of its own: requests go through our transport with an AbortSignal;
 * - resource ids are pasted into the URL path unescaped: only positive integers get through.
 *
 * Concurrency control: tickets use Zendesk's own `safe_update` + `updated_stamp` (409 on a stale
 * stamp). Users and organizations have no such check in the API, so `ifUnchangedSince` there is a
 * read-compare-write (a narrow race remains between the read and the write).
 */
import { createClient } from 'node-zendesk';
import { SaasError } from './types';
import type { ChangeMarker, RecordImage, SaasAdapter, SaasConnection, SaasErrorCode } from './types';

type ZendeskObject = 'tickets' | 'users' | 'organizations';

interface ZdHttpResponse {
	status: number;
	headers: { get(name: string): string | null };
}

interface ZdReply {
	response: ZdHttpResponse;
	result: unknown;
}

/** The slice of node-zendesk's resource clients used here (its own typings say `Promise<NodeModule>`). */
interface ZdResource {
	show(id: string): Promise<unknown>;
	create(body: Record<string, unknown>): Promise<unknown>;
	update(id: string, body: Record<string, unknown>): Promise<unknown>;
	delete(id: string): Promise<unknown>;
	put(resource: string[], body?: Record<string, unknown>): Promise<unknown>;
}

interface ZdClient {
	tickets: ZdResource;
	users: ZdResource & { me(): Promise<unknown> };
	organizations: ZdResource;
}

/** What our transport hands node-zendesk: the body is read fully inside the timeout. */
interface FetchedResponse {
	status: number;
	statusText: string;
	headers: Headers;
	text: string;
}

const OBJECTS: Record<string, ZendeskObject> = {
	ticket: 'tickets',
	tickets: 'tickets',
	user: 'users',
	users: 'users',
	organization: 'organizations',
	organizations: 'organizations',
	organisation: 'organizations',
	organisations: 'organizations',
};

const WRAPPER: Record<ZendeskObject, string> = { tickets: 'ticket', users: 'user', organizations: 'organization' };

/** Attributes the API accepts on create/update. Zendesk silently ignores anything else, so an
 * unknown name is refused here rather than "written" without effect. */
const WRITABLE: Record<ZendeskObject, ReadonlySet<string>> = {
	tickets: new Set([
		'subject', 'raw_subject', 'comment', 'priority', 'status', 'type', 'tags', 'additional_tags', 'remove_tags', 'assignee_id', 'assignee_email',
		'group_id', 'requester_id', 'requester', 'submitter_id', 'organization_id', 'external_id', 'due_at', 'custom_fields', 'collaborator_ids',
		'collaborators', 'follower_ids', 'followers', 'email_cc_ids', 'email_ccs', 'problem_id', 'brand_id', 'ticket_form_id', 'recipient',
		'custom_status_id', 'metadata', 'macro_ids', 'attribute_value_ids', 'via_followup_source_id', 'sharing_agreement_ids',
	]),
	users: new Set([
		'name', 'email', 'alias', 'details', 'notes', 'phone', 'external_id', 'locale', 'locale_id', 'organization_id', 'organization', 'role',
		'custom_role_id', 'default_group_id', 'moderator', 'only_private_comments', 'restricted_agent', 'signature', 'suspended', 'tags',
		'ticket_restriction', 'time_zone', 'user_fields', 'verified', 'identities', 'skip_verify_email', 'remote_photo_url', 'photo',
	]),
	organizations: new Set([
		'name', 'details', 'notes', 'domain_names', 'external_id', 'group_id', 'organization_fields', 'shared_comments', 'shared_tickets', 'tags',
	]),
};

/** Server-managed attributes: known, readable, never written. */
const READ_ONLY: Record<ZendeskObject, ReadonlySet<string>> = {
	tickets: new Set([
		'id', 'url', 'created_at', 'updated_at', 'description', 'via', 'is_public', 'has_incidents', 'satisfaction_rating', 'generated_timestamp',
		'forum_topic_id', 'fields', 'followup_ids', 'allow_channelback', 'allow_attachments', 'from_messaging_channel', 'encoded_id',
		'safe_update', 'updated_stamp',
	]),
	users: new Set([
		'id', 'url', 'created_at', 'updated_at', 'active', 'last_login_at', 'role_type', 'shared', 'shared_agent', 'shared_phone_number',
		'two_factor_auth_enabled', 'report_csv', 'iana_time_zone', 'chat_only',
	]),
	organizations: new Set(['id', 'url', 'created_at', 'updated_at', 'deleted_at']),
};

/** Ticket fields the API takes on writes but never returns: `comment` adds a comment; the tag lists change `tags`. */
const TICKET_WRITE_ONLY: ReadonlySet<string> = new Set(['comment', 'additional_tags', 'remove_tags']);
const NO_FIELDS: ReadonlySet<string> = new Set();
const ID_PATTERN = /^[1-9]\d{0,15}$/;
const DEFAULT_TIMEOUT_MS = 15_000;

export class ZendeskAdapter implements SaasAdapter {
	readonly system = 'zendesk' as const;
	private readonly client: ZdClient;
	private readonly secrets: string[];
	private readonly timeoutMs: number;

	constructor(connection: SaasConnection) {
		if (!connection.accessToken) throw new SaasError('zendesk', 'unauthorized', 'zendesk: no API token or OAuth access token configured');
		let base: URL;
		try {
			base = new URL(connection.baseUrl);
		} catch {
			throw new SaasError('zendesk', 'invalid_request', 'zendesk: baseUrl is not a valid URL');
		}
		if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new SaasError('zendesk', 'invalid_request', 'zendesk: baseUrl must be http(s)');
		let endpointUri = `${base.origin}${base.pathname}`.replace(/\/+$/, '');
		if (!endpointUri.endsWith('/api/v2')) endpointUri += '/api/v2';
		this.timeoutMs = connection.timeoutMs && connection.timeoutMs > 0 ? connection.timeoutMs : DEFAULT_TIMEOUT_MS;
		const token = connection.accessToken;
		this.secrets = [token, encodeURIComponent(token)];
		if (connection.username) this.secrets.push(Buffer.from(`${connection.username}/token:${token}`).toString('base64'));
		const timeoutMs = this.timeoutMs;
		const client = createClient({
			endpointUri,
			token,
			...(connection.username ? { username: connection.username } : { oauth: true, useOAuth: true }),
			throwOriginalException: true,
			debug: false,
			transportConfig: {
				async transportFn(uri: string, init: { method?: string; headers?: Record<string, string>; body?: string }): Promise<FetchedResponse> {
					const res = await fetch(uri, { method: init.method, headers: init.headers, body: init.body, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
					const text = await res.text();
					return { status: res.status, statusText: res.statusText, headers: res.headers, text };
				},
				responseAdapter(res: FetchedResponse) {
					return {
						status: res.status,
						statusText: res.statusText,
						headers: { get: (name: string) => res.headers.get(name) },
						json: async (): Promise<unknown> => {
							if (!res.text.trim()) return {};
							try {
								return JSON.parse(res.text) as unknown;
							} catch {
								return {};
							}
						},
					};
				},
			},
		});
		this.client = client as unknown as ZdClient;
	}

	async read(object: string, id: string, fields?: string[]): Promise<RecordImage> {
		const obj = this.object(object);
		const rid = this.id(id, obj);
		const rec = await this.fetchRecord(obj, rid, 'read');
		let picked: Record<string, unknown> = rec;
		if (fields && fields.length > 0) {
			picked = {};
			const unknown = fields.filter((f) => typeof f !== 'string' || !Object.prototype.hasOwnProperty.call(rec, f));
			if (unknown.length > 0) {
				throw new SaasError('zendesk', 'unknown_field', `zendesk read ${WRAPPER[obj]}: unknown field(s) ${unknown.map((f) => JSON.stringify(f)).join(', ')}`);
			}
			for (const f of fields) picked[f] = rec[f];
		}
		return { id: rid, fields: picked, marker: this.marker(rec, obj, 'read') };
	}

	async create(object: string, fields: Record<string, unknown>): Promise<{ id: string; marker: ChangeMarker }> {
		const obj = this.object(object);
		const body: Record<string, unknown> = { ...fields };
		if (obj === 'tickets' && typeof body.description === 'string' && body.comment === undefined) {
			// The API takes the first comment as the description.
			body.comment = { body: body.description };
			delete body.description;
		}
		this.checkWritable(obj, body, 'create');
		const reply = await this.call('create', obj, undefined, true, () => this.resource(obj).create({ [WRAPPER[obj]]: body }));
		const rec = this.recordOf(reply, obj, 'create');
		const newId = rec.id;
		if (typeof newId !== 'number' || !Number.isSafeInteger(newId) || newId <= 0) {
			throw new SaasError('zendesk', 'error', `zendesk create ${WRAPPER[obj]}: the reply carried no record id`, reply.response.status);
		}
		return { id: String(newId), marker: this.marker(rec, obj, 'create') };
	}

	async update(object: string, id: string, fields: Record<string, unknown>, ifUnchangedSince?: ChangeMarker): Promise<{ marker: ChangeMarker }> {
		const obj = this.object(object);
		const rid = this.id(id, obj);
		if (!fields || typeof fields !== 'object' || Object.keys(fields).length === 0) {
			throw new SaasError('zendesk', 'invalid_request', `zendesk update ${WRAPPER[obj]} ${rid}: no fields to change`);
		}
		this.checkWritable(obj, fields, 'update');
		const body: Record<string, unknown> = { ...fields };
		if (ifUnchangedSince) {
			const stamp = ifUnchangedSince.updated_at;
			if (typeof stamp !== 'string' || Number.isNaN(Date.parse(stamp))) {
				throw new SaasError('zendesk', 'invalid_request', `zendesk update ${WRAPPER[obj]} ${rid}: ifUnchangedSince needs an updated_at timestamp`);
			}
			if (obj === 'tickets') {
				body.safe_update = true;
				body.updated_stamp = stamp;
			} else {
				const current = await this.fetchRecord(obj, rid, 'update');
				const now = current.updated_at;
				if (typeof now !== 'string' || Date.parse(now) !== Date.parse(stamp)) {
					throw new SaasError('zendesk', 'conflict', `zendesk update ${WRAPPER[obj]} ${rid}: the record changed since ${stamp} (now ${String(now)})`, 409);
				}
			}
		}
		const reply = await this.call('update', obj, rid, true, () => this.resource(obj).update(rid, { [WRAPPER[obj]]: body }));
		const rec = this.recordOf(reply, obj, 'update');
		return { marker: this.marker(rec, obj, 'update') };
	}

	async delete(object: string, id: string): Promise<void> {
		const obj = this.object(object);
		const rid = this.id(id, obj);
		await this.call('delete', obj, rid, true, () => this.resource(obj).delete(rid));
	}

	async restore(object: string, id: string, snapshot?: Record<string, unknown>): Promise<{ id: string; recreated: boolean }> {
		const obj = this.object(object);
		const rid = this.id(id, obj);
		if (obj === 'tickets') {
			try {
				await this.call('restore', obj, rid, true, () => this.client.tickets.put(['deleted_tickets', rid, 'restore']));
			} catch (err) {
				// Not among deleted tickets: already restored (a re-run) if it is live again.
				if (err instanceof SaasError && err.code === 'not_found' && (await this.exists(obj, rid))) return { id: rid, recreated: false };
				if (err instanceof SaasError && err.code === 'not_found') {
					throw new SaasError('zendesk', 'not_found', `zendesk restore ticket ${rid}: not among deleted tickets (purged, or never deleted)`, 404);
				}
				throw err;
			}
			return { id: rid, recreated: false };
		}
		// Users and organizations have no undelete in the API: re-create from the snapshot.
		if (await this.exists(obj, rid)) return { id: rid, recreated: false };
		if (!snapshot || typeof snapshot !== 'object' || Object.keys(snapshot).length === 0) {
			throw new SaasError('zendesk', 'invalid_request', `zendesk restore ${WRAPPER[obj]} ${rid}: cannot be undeleted and no snapshot was given to re-create it`);
		}
		const fields: Record<string, unknown> = {};
		for (const [k, v] of Object.entries(snapshot)) {
			if (WRITABLE[obj].has(k) && v !== undefined) fields[k] = v;
		}
		const created = await this.create(obj, fields);
		return { id: created.id, recreated: true };
	}

	writeOnlyFields(object: string): ReadonlySet<string> {
		return this.object(object) === 'tickets' ? TICKET_WRITE_ONLY : NO_FIELDS;
	}

	async ping(): Promise<void> {
		const reply = await this.call('ping', 'users', undefined, false, () => this.client.users.me());
		const me = reply.result;
		// Without credentials Zendesk answers users/me with the anonymous user (id null).
		if (!isRecord(me) || typeof me.id !== 'number') {
			throw new SaasError('zendesk', 'unauthorized', 'zendesk ping: the credentials were not accepted (anonymous user)', reply.response.status);
		}
	}

	// ---------------------------------------------------------------- internals

	private object(object: string): ZendeskObject {
		const obj = typeof object === 'string' ? OBJECTS[object.trim().toLowerCase()] : undefined;
		if (!obj) throw new SaasError('zendesk', 'unknown_object', `zendesk: unknown object ${JSON.stringify(String(object)).slice(0, 80)} (tickets, users or organizations)`);
		return obj;
	}

	private id(id: string, obj: ZendeskObject): string {
		const s = typeof id === 'number' ? String(id) : id;
		if (typeof s !== 'string' || !ID_PATTERN.test(s) || !Number.isSafeInteger(Number(s))) {
			throw new SaasError('zendesk', 'invalid_request', `zendesk ${WRAPPER[obj]}: id must be a positive integer, got ${JSON.stringify(String(id)).slice(0, 40)}`);
		}
		return s;
	}

	private resource(obj: ZendeskObject): ZdResource {
		return this.client[obj];
	}

	private checkWritable(obj: ZendeskObject, fields: Record<string, unknown>, op: string): void {
		const readOnly = Object.keys(fields).filter((k) => READ_ONLY[obj].has(k));
		if (readOnly.length > 0) {
			throw new SaasError('zendesk', 'invalid_request', `zendesk ${op} ${WRAPPER[obj]}: read-only field(s) ${readOnly.join(', ')}`);
		}
		const unknown = Object.keys(fields).filter((k) => !WRITABLE[obj].has(k));
		if (unknown.length > 0) {
			throw new SaasError('zendesk', 'unknown_field', `zendesk ${op} ${WRAPPER[obj]}: unknown field(s) ${unknown.map((k) => JSON.stringify(k).slice(0, 60)).join(', ')}`);
		}
	}

	private async fetchRecord(obj: ZendeskObject, rid: string, op: string): Promise<Record<string, unknown>> {
		const reply = await this.call(op, obj, rid, false, () => this.resource(obj).show(rid));
		return this.recordOf(reply, obj, op);
	}

	private async exists(obj: ZendeskObject, rid: string): Promise<boolean> {
		try {
			await this.fetchRecord(obj, rid, 'restore');
			return true;
		} catch (err) {
			if (err instanceof SaasError && err.code === 'not_found') return false;
			throw err;
		}
	}

	private recordOf(reply: ZdReply, obj: ZendeskObject, op: string): Record<string, unknown> {
		const rec = reply.result;
		if (!isRecord(rec) || rec instanceof Error || typeof rec.id !== 'number') {
			throw new SaasError('zendesk', 'error', `zendesk ${op} ${WRAPPER[obj]}: unexpected reply (HTTP ${reply.response.status}) without a ${WRAPPER[obj]} record`, reply.response.status);
		}
		return rec;
	}

	private marker(rec: Record<string, unknown>, obj: ZendeskObject, op: string): ChangeMarker {
		if (typeof rec.updated_at !== 'string') {
			throw new SaasError('zendesk', 'error', `zendesk ${op} ${WRAPPER[obj]}: the record carries no updated_at`);
		}
		return { updated_at: rec.updated_at };
	}

	/**
	 * Runs one library call and checks its HTTP status whatever the promise did. `write` marks
	 * non-idempotent-or-state-changing calls: an outage after the request may have been applied,
	 * so those are reported as not safely retryable.
	 */
	private async call(op: string, obj: ZendeskObject, rid: string | undefined, write: boolean, fn: () => Promise<unknown>): Promise<ZdReply> {
		const what = `zendesk ${op} ${WRAPPER[obj]}${rid ? ` ${rid}` : ''}`;
		let raw: unknown;
		try {
			raw = await fn();
		} catch (err) {
			throw this.fromThrown(what, write, err);
		}
		if (!isRecord(raw) || !isRecord(raw.response) || typeof raw.response.status !== 'number') {
			throw new SaasError('zendesk', 'error', `${what}: the client returned no HTTP response`);
		}
		const reply = raw as unknown as ZdReply;
		const status = reply.response.status;
		if (status >= 200 && status < 300) return reply;
		const body = reply.result instanceof Error ? (reply.result as Error & { result?: unknown }).result : reply.result;
		throw this.fromStatus(what, write, status, body, reply.response.headers.get('retry-after'));
	}

	private fromThrown(what: string, write: boolean, err: unknown): SaasError {
		if (err instanceof SaasError) return err;
		const e = err as { statusCode?: unknown; result?: unknown; name?: unknown; message?: unknown; cause?: unknown };
		if (typeof e?.statusCode === 'number' && e.statusCode >= 300) {
			return this.fromStatus(what, write, e.statusCode, e.result, null);
		}
		const name = typeof e?.name === 'string' ? e.name : '';
		const cause = e?.cause as { code?: unknown; name?: unknown } | undefined;
		const code = typeof cause?.code === 'string' ? cause.code : '';
		if (name === 'TimeoutError' || name === 'AbortError' || cause?.name === 'TimeoutError') {
			return new SaasError('zendesk', 'system_unavailable', this.scrub(`${what}: no answer within ${this.timeoutMs} ms${write ? ' (the write may or may not have been applied: check before retrying)' : ''}`), undefined, !write);
		}
		if (code || name === 'TypeError') {
			const notSent = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
			return new SaasError('zendesk', 'system_unavailable', this.scrub(`${what}: Zendesk unreachable (${code || String(e?.message ?? 'network error')})`), undefined, notSent || !write);
		}
		const message = typeof e?.message === 'string' ? e.message : String(err);
		return new SaasError('zendesk', 'error', this.scrub(`${what}: ${message}`.slice(0, 500)));
	}

	private fromStatus(what: string, write: boolean, status: number, body: unknown, retryAfter: string | null): SaasError {
		const detail = this.scrub(describe(body));
		const suffix = detail ? `: ${detail}` : '';
		let code: SaasErrorCode;
		let retryable = false;
		let message: string;
		if (status === 401 || status === 403) {
			code = 'unauthorized';
			message = `${what}: ${status === 401 ? 'token rejected (expired, revoked or invalid)' : 'forbidden for this token'}${suffix}`;
		} else if (status === 404) {
			code = 'not_found';
			message = `${what}: not found${suffix}`;
		} else if (status === 409 || status === 412) {
			code = 'conflict';
			message = `${what}: the record changed since it was read${suffix}`;
		} else if (status === 429) {
			code = 'rate_limited';
			retryable = true;
			message = `${what}: rate limited${retryAfter ? `, retry after ${retryAfter.slice(0, 12)} s` : ''}${suffix}`;
		} else if (status >= 500) {
			code = 'system_unavailable';
			retryable = !write || status === 503;
			message = `${what}: Zendesk unavailable (HTTP ${status})${suffix}`;
		} else if (status === 400 || status === 422) {
			code = 'invalid_request';
			message = `${what}: rejected (HTTP ${status})${suffix}`;
		} else {
			code = 'error';
			message = `${what}: unexpected HTTP ${status}${suffix}`;
		}
		return new SaasError('zendesk', code, this.scrub(message), status, retryable);
	}

	private scrub(text: string): string {
		let out = text;
		for (const s of this.secrets) if (s && s.length >= 4) out = out.split(s).join('[redacted]');
		return out;
	}
}

function isRecord(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Zendesk error bodies: `{error, description, details: {field: [{description}]}}`, or `{error: {title, message}}`. */
function describe(body: unknown): string {
	if (!isRecord(body)) return '';
	const parts: string[] = [];
	const err = body.error;
	if (typeof err === 'string') parts.push(err);
	else if (isRecord(err)) parts.push([err.title, err.message].filter((x) => typeof x === 'string').join(': '));
	if (typeof body.description === 'string') parts.push(body.description);
	if (typeof body.error_description === 'string') parts.push(body.error_description);
	if (isRecord(body.details)) {
		for (const [field, list] of Object.entries(body.details)) {
			const msgs = Array.isArray(list) ? list.map((d) => (isRecord(d) && typeof d.description === 'string' ? d.description : '')).filter(Boolean) : [];
			parts.push(msgs.length > 0 ? msgs.join('; ') : field);
		}
	}
	return parts.filter(Boolean).join(' - ').replace(/\s+/g, ' ').slice(0, 300);
}
