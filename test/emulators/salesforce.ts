/**
 * A small Salesforce emulator (node:http) that jsforce talks to in tests. It implements the
 * endpoints the adapter uses with the real API's semantics:
 *
 * - REST sObjects under `/services/data/vXX.X/`: basic info `GET sobjects/<Obj>`, `describe`,
 *   `GET sobjects/<Obj>/<id>?fields=…`, `POST sobjects/<Obj>/` → 201 `{id, success, errors}`,
 *   `PATCH` → 204 (honouring `If-Unmodified-Since` → 412 `PRECONDITION_FAILED`), `DELETE` → 204
 *   into the recycle bin, `GET limits`. Errors are JSON arrays `[{message, errorCode}]`.
 * - SOQL `GET query?q=…` (and `queryAll`, which includes deleted records): `SELECT f, … | COUNT() FROM Obj
 *   [WHERE …] [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], …] [LIMIT n] [OFFSET n]` with =, !=, <, <=, >, >=,
 *   [NOT] IN, LIKE, NOT, AND/OR and parentheses; values quoted text, numbers, true/false, null and unquoted
 *   dates/datetimes, checked against the field's type. Text compares case-insensitively; `!=` matches nulls.
 *   Answers `{totalSize, done: true, records}` with only the selected fields; errors MALFORMED_QUERY,
 *   INVALID_TYPE, INVALID_FIELD with Salesforce's `ERROR at Row:1:Column:n` text. Not emulated: relationship
 *   fields and subqueries, aggregates other than COUNT(), date literals (TODAY, LAST_N_DAYS:n), query locators.
 * - SOAP Partner API `POST /services/Soap/u/XX.X` with `undelete` (what jsforce's `conn.soap.undelete` sends).
 * - OAuth `POST /services/oauth2/token` with the refresh_token grant: a new access token and a
 *   rotated refresh token (the old one stops working).
 *
 * Ids are 18 characters with the object's key prefix and Salesforce's case-safe checksum; 15-character
 * ids are accepted. Field names are case-insensitive. LastModifiedDate and SystemModstamp change on
 * every write (`2024-05-01T12:34:56.789+0000`).
 */
import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export type SfRecord = Record<string, unknown>;

interface ObjectDef {
	prefix: string;
	label: string;
	/** Writable fields (canonical spelling). */
	fields: string[];
	required: string[];
	/** Read-only fields besides the system ones. */
	computed?: string[];
}

const SYSTEM_FIELDS = ['Id', 'IsDeleted', 'CreatedDate', 'CreatedById', 'LastModifiedDate', 'LastModifiedById', 'SystemModstamp', 'OwnerId'];

const OBJECTS: Record<string, ObjectDef> = {
	Lead: {
		prefix: '00Q',
		label: 'Lead',
		fields: ['FirstName', 'LastName', 'Company', 'Title', 'Email', 'Phone', 'Status', 'LeadSource', 'Industry', 'Rating', 'City', 'Country', 'Description'],
		required: ['LastName', 'Company'],
		computed: ['Name'],
	},
	Contact: {
		prefix: '003',
		label: 'Contact',
		fields: ['FirstName', 'LastName', 'AccountId', 'Title', 'Email', 'Phone', 'MobilePhone', 'Department', 'MailingCity', 'MailingCountry', 'Description'],
		required: ['LastName'],
		computed: ['Name'],
	},
	Account: {
		prefix: '001',
		label: 'Account',
		fields: ['Name', 'Type', 'Industry', 'Phone', 'Website', 'BillingCity', 'BillingCountry', 'AnnualRevenue', 'NumberOfEmployees', 'Rating', 'Description'],
		required: ['Name'],
	},
	Opportunity: {
		prefix: '006',
		label: 'Opportunity',
		fields: ['Name', 'AccountId', 'StageName', 'Amount', 'Probability', 'CloseDate', 'Type', 'LeadSource', 'NextStep', 'Description'],
		required: ['Name', 'StageName', 'CloseDate'],
	},
	Case: {
		prefix: '500',
		label: 'Case',
		fields: ['Subject', 'Status', 'Priority', 'Origin', 'Reason', 'Type', 'ContactId', 'AccountId', 'Description'],
		required: [],
		computed: ['CaseNumber'],
	},
};

const AGENT_USER = '0058a00000AgEntA';
const HUMAN_USER = '0058a00000HuMaNb';
const ID_CHARS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const CHECKSUM_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** Salesforce's 15 → 18 character id suffix (one char per 5-char chunk, bit i set when char i is upper case). */
export function caseSafeId(id15: string): string {
	let suffix = '';
	for (let chunk = 0; chunk < 3; chunk++) {
		let bits = 0;
		for (let i = 0; i < 5; i++) {
			const c = id15.charAt(chunk * 5 + i);
			if (c >= 'A' && c <= 'Z') bits |= 1 << i;
		}
		suffix += CHECKSUM_CHARS.charAt(bits);
	}
	return id15 + suffix;
}

/** `2024-05-01T12:34:56.789+0000`, as Salesforce writes datetimes. */
export function sfDate(ms: number): string {
	return new Date(ms).toISOString().replace('Z', '+0000');
}

export function parseSfDate(value: string): number {
	return Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

interface StoredRecord {
	object: string;
	fields: SfRecord;
	deleted: boolean;
}

export interface RequestLogEntry {
	method: string;
	path: string;
	status: number;
	headers: Record<string, string | string[] | undefined>;
}

interface Fault {
	status: number;
	errorCode: string;
	message: string;
	remaining: number;
	headers?: Record<string, string>;
}

export interface SalesforceDemoIds {
	accounts: string[];
	contacts: string[];
	leads: string[];
	opportunities: string[];
	cases: string[];
}

export class SalesforceEmulator {
	readonly clientId = 'emulator-client-id';
	readonly clientSecret = 'emulator-client-secret';
	/** Every request, newest last (the Authorization header is kept so tests can check what was sent). */
	readonly requests: RequestLogEntry[] = [];

	private server?: Server;
	private url = '';
	private readonly records = new Map<string, StoredRecord>();
	private readonly accessTokens = new Set<string>();
	private readonly refreshTokens = new Set<string>();
	private readonly faults: Fault[] = [];
	private counter = 0;
	private caseNumber = 1000;
	private lastStamp = 0;
	private apiCalls = 0;
	private delayMs = 0;
	private readonly hooks: Array<{ method: string; fn: () => void }> = [];
	/** The token pair tests start with. */
	accessToken: string;
	refreshToken: string;

	constructor() {
		this.accessToken = this.newToken('access');
		this.refreshToken = this.newToken('refresh');
		this.accessTokens.add(this.accessToken);
		this.refreshTokens.add(this.refreshToken);
	}

	get baseUrl(): string {
		return this.url;
	}

	get objects(): string[] {
		return Object.keys(OBJECTS);
	}

	async start(port = 0): Promise<string> {
		const server = createServer((req, res) => {
			void this.handle(req, res);
		});
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(port, '127.0.0.1', () => resolve());
		});
		this.server = server;
		this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		return this.url;
	}

	async stop(): Promise<void> {
		const server = this.server;
		this.server = undefined;
		if (!server) return;
		server.closeAllConnections();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	}

	/** Drops every record, fault and delay (tokens stay valid). */
	reset(): void {
		this.records.clear();
		this.faults.length = 0;
		this.requests.length = 0;
		this.delayMs = 0;
		this.apiCalls = 0;
		this.hooks.length = 0;
	}

	/** Inserts records as they are (system fields filled in; CreatedDate/LastModifiedDate/SystemModstamp kept when given); returns their ids per object, in order. */
	seed(objects: Record<string, SfRecord[]>): Record<string, string[]> {
		const ids: Record<string, string[]> = {};
		for (const [object, list] of Object.entries(objects)) {
			const name = this.objectName(object);
			if (!name) throw new Error(`unknown sObject ${object}`);
			ids[name] = list.map((fields) => this.insert(name, fields, AGENT_USER, true).Id as string);
		}
		return ids;
	}

	/** A few believable records of each object, linked together. */
	seedDemo(): SalesforceDemoIds {
		const accounts = this.seed({
			Account: [
				{ Name: 'Northwind Traders', Type: 'Customer - Direct', Industry: 'Retail', Phone: '(503) 555-0142', Website: 'https://northwind.example', BillingCity: 'Portland', BillingCountry: 'USA', AnnualRevenue: 18500000, NumberOfEmployees: 240 },
				{ Name: 'Contoso Pharmaceuticals', Type: 'Prospect', Industry: 'Healthcare', Phone: '+44 20 7946 0321', BillingCity: 'London', BillingCountry: 'United Kingdom', AnnualRevenue: 92000000, NumberOfEmployees: 1100 },
				{ Name: 'Fabrikam Logistics', Type: 'Customer - Channel', Industry: 'Transportation', Phone: '(312) 555-0199', BillingCity: 'Chicago', BillingCountry: 'USA', NumberOfEmployees: 75 },
			],
		}).Account;
		const contacts = this.seed({
			Contact: [
				{ FirstName: 'Maria', LastName: 'Anders', AccountId: accounts[0], Title: 'VP Operations', Email: 'maria.anders@northwind.example', Phone: '(503) 555-0143', MailingCity: 'Portland' },
				{ FirstName: 'Thomas', LastName: 'Hardy', AccountId: accounts[1], Title: 'Head of Procurement', Email: 't.hardy@contoso.example', MailingCity: 'London' },
				{ FirstName: 'Elena', LastName: 'Sokolova', AccountId: accounts[2], Title: 'Fleet Manager', Email: 'elena@fabrikam.example', MobilePhone: '(312) 555-0110' },
			],
		}).Contact;
		const leads = this.seed({
			Lead: [
				{ FirstName: 'Priya', LastName: 'Raman', Company: 'Tailspin Toys', Title: 'CTO', Email: 'priya@tailspin.example', Status: 'Open - Not Contacted', LeadSource: 'Web', Industry: 'Manufacturing' },
				{ FirstName: 'James', LastName: 'Okafor', Company: 'Litware Inc.', Email: 'jokafor@litware.example', Status: 'Working - Contacted', LeadSource: 'Trade Show', Rating: 'Warm' },
				{ LastName: 'Nguyen', Company: 'Adventure Works', Email: 'nguyen@adventure-works.example', Status: 'Open - Not Contacted', LeadSource: 'Partner Referral' },
			],
		}).Lead;
		const opportunities = this.seed({
			Opportunity: [
				{ Name: 'Northwind - 500 POS terminals', AccountId: accounts[0], StageName: 'Proposal/Price Quote', Amount: 125000, Probability: 60, CloseDate: '2026-12-15' },
				{ Name: 'Contoso - cold-chain pilot', AccountId: accounts[1], StageName: 'Qualification', Amount: 48000, Probability: 20, CloseDate: '2027-02-28' },
			],
		}).Opportunity;
		const cases = this.seed({
			Case: [
				{ Subject: 'Terminal firmware update fails', Status: 'New', Priority: 'High', Origin: 'Email', ContactId: contacts[0], AccountId: accounts[0], Description: 'Update to 4.2.1 stops at 80% on 12 terminals.' },
				{ Subject: 'Invoice shows wrong VAT rate', Status: 'Working', Priority: 'Medium', Origin: 'Phone', ContactId: contacts[1], AccountId: accounts[1] },
			],
		}).Case;
		return { accounts, contacts, leads, opportunities, cases };
	}

	/** A record as stored (canonical field names), or undefined; deleted records too. */
	get(object: string, id: string): SfRecord | undefined {
		const rec = this.find(id);
		if (!rec || rec.object !== this.objectName(object)) return undefined;
		return { ...rec.fields };
	}

	isDeleted(id: string): boolean {
		return this.find(id)?.deleted === true;
	}

	/** Every live record of an object (copies, oldest first): for the sandbox's record viewer. */
	list(object: string): SfRecord[] {
		const name = this.objectName(object);
		return [...this.records.values()].filter((r) => r.object === name && !r.deleted).map((r) => ({ ...r.fields }));
	}

	/** Changes a record as a person in the Salesforce UI would: new LastModifiedDate/SystemModstamp, LastModifiedById a human. */
	humanEdit(object: string, id: string, fields: SfRecord): SfRecord {
		const rec = this.find(id);
		if (!rec || rec.deleted || rec.object !== this.objectName(object)) throw new Error(`no live ${object} ${id}`);
		const def = OBJECTS[rec.object];
		for (const [name, value] of Object.entries(fields)) {
			const canonical = def.fields.find((f) => f.toLowerCase() === name.toLowerCase());
			if (!canonical) throw new Error(`no field ${name} on ${object}`);
			rec.fields[canonical] = value;
		}
		this.touch(rec, HUMAN_USER);
		return { ...rec.fields };
	}

	/** A background change that moves only SystemModstamp (e.g. a roll-up recalculation). */
	systemTouch(id: string): void {
		const rec = this.find(id);
		if (!rec) throw new Error(`no record ${id}`);
		rec.fields.SystemModstamp = sfDate(this.nextStamp());
	}

	/** Purges a record from the recycle bin (it can no longer be undeleted). */
	emptyRecycleBin(id: string): void {
		const rec = this.find(id);
		if (rec?.deleted) this.records.delete(this.key(id));
	}

	/** Makes every access token issued so far invalid (401 INVALID_SESSION_ID); refresh tokens keep working. */
	expireToken(token?: string): void {
		if (token) this.accessTokens.delete(token);
		else this.accessTokens.clear();
	}

	/** Issues a fresh access token (as after a login). */
	issueAccessToken(): string {
		const token = this.newToken('access');
		this.accessTokens.add(token);
		this.accessToken = token;
		return token;
	}

	/** The next `count` API requests get this error (e.g. 503 SERVER_UNAVAILABLE, 403 REQUEST_LIMIT_EXCEEDED). */
	failNext(status: number, errorCode: string, message: string, count = 1, headers?: Record<string, string>): void {
		this.faults.push({ status, errorCode, message, remaining: count, headers });
	}

	/** Runs `fn` just before the next request with this HTTP method is handled (e.g. a human edit racing a write). */
	beforeNext(method: string, fn: () => void): void {
		this.hooks.push({ method: method.toUpperCase(), fn });
	}

	/** Every response waits this long (to test timeouts). */
	setDelay(ms: number): void {
		this.delayMs = ms;
	}

	// ---------------------------------------------------------------- internals

	private newToken(kind: 'access' | 'refresh'): string {
		const body = randomBytes(24).toString('base64url');
		return kind === 'access' ? `00D8a000000EmUl!AQ${body}` : `5Aep861${body}`;
	}

	private objectName(name: string): string | undefined {
		return Object.keys(OBJECTS).find((o) => o.toLowerCase() === name.toLowerCase());
	}

	private key(id: string): string {
		return id.substring(0, 15);
	}

	private find(id: string): StoredRecord | undefined {
		if (!/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(id)) return undefined;
		if (id.length === 18 && caseSafeId(id.substring(0, 15)) !== id) return undefined;
		return this.records.get(this.key(id));
	}

	/** Strictly increasing milliseconds, so two writes never share a timestamp. */
	private nextStamp(): number {
		this.lastStamp = Math.max(Date.now(), this.lastStamp + 1);
		return this.lastStamp;
	}

	private newId(object: string): string {
		this.counter += 1;
		let n = this.counter * 7919 + 104729;
		let tail = '';
		for (let i = 0; i < 9; i++) {
			tail = ID_CHARS.charAt(n % 62) + tail;
			n = Math.floor(n / 62);
		}
		return caseSafeId(`${OBJECTS[object].prefix}8a0${tail}`);
	}

	private allFields(object: string): string[] {
		const def = OBJECTS[object];
		return [...SYSTEM_FIELDS, ...(def.computed ?? []), ...def.fields];
	}

	private computeDerived(rec: StoredRecord): void {
		if (rec.object === 'Lead' || rec.object === 'Contact') {
			const first = typeof rec.fields.FirstName === 'string' ? rec.fields.FirstName : '';
			rec.fields.Name = [first, rec.fields.LastName].filter((v) => typeof v === 'string' && v !== '').join(' ');
		}
	}

	private touch(rec: StoredRecord, user: string): void {
		const stamp = sfDate(this.nextStamp());
		rec.fields.LastModifiedDate = stamp;
		rec.fields.SystemModstamp = stamp;
		rec.fields.LastModifiedById = user;
		this.computeDerived(rec);
	}

	private insert(object: string, input: SfRecord, user: string, keepDates = false): SfRecord {
		const def = OBJECTS[object];
		const stamp = sfDate(this.nextStamp());
		const fields: SfRecord = {};
		for (const f of this.allFields(object)) fields[f] = null;
		for (const [name, value] of Object.entries(input)) {
			const canonical = def.fields.find((f) => f.toLowerCase() === name.toLowerCase());
			if (canonical) fields[canonical] = value;
		}
		Object.assign(fields, {
			Id: this.newId(object),
			IsDeleted: false,
			CreatedDate: stamp,
			CreatedById: user,
			LastModifiedDate: stamp,
			LastModifiedById: user,
			SystemModstamp: stamp,
			OwnerId: user,
		});
		if (keepDates) {
			// Seeding history: a record last changed long ago.
			for (const name of ['CreatedDate', 'LastModifiedDate', 'SystemModstamp']) {
				const value = input[name];
				if (typeof value === 'string' && !Number.isNaN(parseSfDate(value))) fields[name] = value;
			}
		}
		if (object === 'Case') {
			this.caseNumber += 1;
			fields.CaseNumber = String(this.caseNumber).padStart(8, '0');
		}
		const rec: StoredRecord = { object, fields, deleted: false };
		this.computeDerived(rec);
		this.records.set(this.key(fields.Id as string), rec);
		return fields;
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const body = Buffer.concat(chunks).toString('utf8');
		const url = new URL(req.url ?? '/', this.url);
		const method = (req.method ?? 'GET').toUpperCase();
		let status = 500;
		const send = (code: number, payload?: unknown, headers: Record<string, string> = {}, contentType = 'application/json;charset=UTF-8'): void => {
			status = code;
			const text = payload === undefined ? '' : typeof payload === 'string' ? payload : JSON.stringify(payload);
			const head: Record<string, string> = { ...headers };
			if (text !== '') head['Content-Type'] = contentType;
			res.writeHead(code, head);
			res.end(text);
		};
		const sendError = (code: number, errorCode: string, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): void =>
			send(code, [{ message, errorCode, ...extra }], headers);
		try {
			if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
			const hook = this.hooks.findIndex((h) => h.method === method);
			if (hook >= 0) this.hooks.splice(hook, 1)[0].fn();
			if (url.pathname === '/services/oauth2/token' && method === 'POST') {
				this.handleToken(body, send);
			} else if (/^\/services\/Soap\/u\/\d+\.\d+$/.test(url.pathname)) {
				this.handleSoap(method, body, send);
			} else if (url.pathname.startsWith('/services/data/')) {
				this.handleRest(req, url, method, body, send, sendError);
			} else {
				sendError(404, 'NOT_FOUND', 'The requested resource does not exist');
			}
		} catch (error) {
			if (!res.headersSent) sendError(500, 'UNKNOWN_EXCEPTION', `An unexpected error occurred: ${(error as Error).message}`);
		}
		this.requests.push({ method, path: url.pathname + url.search, status, headers: { ...req.headers } });
	}

	private takeFault(): Fault | undefined {
		const fault = this.faults[0];
		if (!fault) return undefined;
		fault.remaining -= 1;
		if (fault.remaining <= 0) this.faults.shift();
		return fault;
	}

	private handleToken(body: string, send: (code: number, payload?: unknown) => void): void {
		const form = new URLSearchParams(body);
		const grant = form.get('grant_type');
		if (grant !== 'refresh_token') {
			send(400, { error: 'unsupported_grant_type', error_description: 'grant type not supported' });
			return;
		}
		const clientId = form.get('client_id');
		if (clientId !== null && clientId !== this.clientId) {
			send(400, { error: 'invalid_client_id', error_description: 'client identifier invalid' });
			return;
		}
		const old = form.get('refresh_token') ?? '';
		if (!this.refreshTokens.has(old)) {
			send(400, { error: 'invalid_grant', error_description: 'expired access/refresh token' });
			return;
		}
		this.refreshTokens.delete(old);
		const refreshToken = this.newToken('refresh');
		this.refreshTokens.add(refreshToken);
		this.refreshToken = refreshToken;
		const accessToken = this.issueAccessToken();
		const issuedAt = String(Date.now());
		send(200, {
			access_token: accessToken,
			refresh_token: refreshToken,
			signature: randomBytes(32).toString('base64'),
			scope: 'refresh_token api',
			instance_url: this.url,
			id: `${this.url}/id/00D8a000000EmUlEAA/${AGENT_USER}`,
			token_type: 'Bearer',
			issued_at: issuedAt,
		});
	}

	private handleSoap(method: string, body: string, send: (code: number, payload?: unknown, headers?: Record<string, string>, contentType?: string) => void): void {
		const envelope = (inner: string): string =>
			'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
			`<soapenv:Body>${inner}</soapenv:Body></soapenv:Envelope>`;
		const fault = (code: string, message: string): void =>
			send(500, envelope(`<soapenv:Fault><faultcode>${code}</faultcode><faultstring>${message}</faultstring></soapenv:Fault>`), {}, 'text/xml;charset=UTF-8');
		if (method !== 'POST') {
			fault('soapenv:Client', 'No operation available for request');
			return;
		}
		const session = /<sessionId>([^<]*)<\/sessionId>/.exec(body)?.[1] ?? '';
		if (!this.accessTokens.has(unescapeXml(session))) {
			fault('sf:INVALID_SESSION_ID', 'INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session');
			return;
		}
		const injected = this.takeFault();
		if (injected) {
			fault(`sf:${injected.errorCode}`, `${injected.errorCode}: ${injected.message}`);
			return;
		}
		this.apiCalls += 1;
		const bodyPart = /<soapenv:Body[^>]*>([\s\S]*)<\/soapenv:Body>/.exec(body)?.[1] ?? '';
		const op = /^<([A-Za-z0-9_:]+)/.exec(bodyPart)?.[1]?.replace(/^.*:/, '');
		if (op !== 'undelete') {
			fault('soapenv:Client', `No operation available for request {urn:partner.soap.sforce.com}${op ?? ''}`);
			return;
		}
		const ids = [...bodyPart.matchAll(/<(?:[A-Za-z0-9]+:)?ids>([^<]*)<\/(?:[A-Za-z0-9]+:)?ids>/g)].map((m) => unescapeXml(m[1]));
		const results = ids.map((id) => {
			const rec = this.find(id);
			const failure = (code: string, message: string): string =>
				`<result><errors><message>${message}</message><statusCode>${code}</statusCode></errors><id xsi:nil="true"/><success>false</success></result>`;
			if (!rec) return failure('INVALID_ID_FIELD', 'invalid record id');
			if (!rec.deleted) return failure('UNDELETE_FAILED', 'Entity is not in the recycle bin');
			rec.deleted = false;
			rec.fields.IsDeleted = false;
			this.touch(rec, AGENT_USER);
			return `<result><id>${rec.fields.Id as string}</id><success>true</success></result>`;
		});
		send(200, envelope(`<undeleteResponse>${results.join('')}</undeleteResponse>`), {}, 'text/xml;charset=UTF-8');
	}

	private handleRest(
		req: IncomingMessage,
		url: URL,
		method: string,
		body: string,
		send: (code: number, payload?: unknown, headers?: Record<string, string>) => void,
		sendError: (code: number, errorCode: string, message: string, extra?: Record<string, unknown>, headers?: Record<string, string>) => void,
	): void {
		const auth = req.headers.authorization ?? '';
		const token = auth.startsWith('Bearer ') ? auth.substring(7) : auth.startsWith('OAuth ') ? auth.substring(6) : '';
		if (!this.accessTokens.has(token)) {
			sendError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
			return;
		}
		const injected = this.takeFault();
		if (injected) {
			sendError(injected.status, injected.errorCode, injected.message, {}, injected.headers);
			return;
		}
		this.apiCalls += 1;
		const limitHeader = { 'Sforce-Limit-Info': `api-usage=${this.apiCalls}/15000` };
		const m = /^\/services\/data\/v(\d+\.\d+)\/(.*)$/.exec(url.pathname);
		const parts = (m?.[2] ?? '').split('/').filter((p) => p !== '').map(decodeURIComponent);
		const version = m?.[1] ?? '59.0';
		const notFound = (): void => sendError(404, 'NOT_FOUND', 'The requested resource does not exist');

		if (parts.length === 1 && parts[0] === 'limits' && method === 'GET') {
			send(200, {
				DailyApiRequests: { Max: 15000, Remaining: 15000 - this.apiCalls },
				DailyAsyncApexExecutions: { Max: 250000, Remaining: 250000 },
				DataStorageMB: { Max: 5, Remaining: 5 },
				FileStorageMB: { Max: 20, Remaining: 20 },
			}, limitHeader);
			return;
		}
		if (parts.length === 1 && (parts[0] === 'query' || parts[0] === 'queryAll')) {
			if (method !== 'GET') {
				sendError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are GET,HEAD`);
				return;
			}
			const soql = url.searchParams.get('q') ?? '';
			if (soql.trim() === '') {
				sendError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
				return;
			}
			try {
				send(200, this.query(soql, parts[0] === 'queryAll', version), limitHeader);
			} catch (error) {
				if (!(error instanceof SoqlError)) throw error;
				sendError(400, error.errorCode, soqlErrorMessage(soql, error));
			}
			return;
		}
		if (parts[0] !== 'sobjects' || parts.length < 2) {
			notFound();
			return;
		}
		const object = this.objectName(parts[1]);
		if (!object) {
			notFound();
			return;
		}
		const def = OBJECTS[object];
		const recordUrl = (id: string): string => `/services/data/v${version}/sobjects/${object}/${id}`;

		if (parts.length === 2) {
			if (method === 'GET') {
				send(200, { objectDescribe: { name: object, label: def.label, keyPrefix: def.prefix, createable: true, updateable: true, deletable: true, undeletable: true, queryable: true }, recentItems: [] }, limitHeader);
				return;
			}
			if (method !== 'POST') {
				sendError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are GET,HEAD,POST`);
				return;
			}
			const input = this.parseBody(body, sendError);
			if (!input) return;
			if (!this.checkFields(object, input, sendError)) return;
			const given = new Set(Object.keys(input).filter((k) => input[k] !== null && input[k] !== '').map((k) => k.toLowerCase()));
			const missing = def.required.filter((f) => !given.has(f.toLowerCase()));
			if (missing.length > 0) {
				sendError(400, 'REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, { fields: missing });
				return;
			}
			const created = this.insert(object, input, AGENT_USER);
			send(201, { id: created.Id, success: true, errors: [] }, { ...limitHeader, Location: recordUrl(created.Id as string) });
			return;
		}
		if (parts.length === 3 && parts[2] === 'describe' && method === 'GET') {
			send(200, {
				name: object,
				label: def.label,
				keyPrefix: def.prefix,
				fields: this.allFields(object).map((name) => ({ name, updateable: def.fields.includes(name), createable: def.fields.includes(name) })),
			}, limitHeader);
			return;
		}
		if (parts.length !== 3) {
			notFound();
			return;
		}
		const id = parts[2];
		const rec = this.find(id);
		if (!rec || rec.object !== object) {
			if (/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(id)) notFound();
			else sendError(404, 'NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${id}`);
			return;
		}
		if (rec.deleted) {
			sendError(404, 'ENTITY_IS_DELETED', 'entity is deleted');
			return;
		}
		if (method === 'GET') {
			const wanted = url.searchParams.get('fields');
			const all = this.allFields(object);
			let names = all;
			if (wanted !== null) {
				names = [];
				for (const raw of wanted.split(',').map((f) => f.trim()).filter((f) => f !== '')) {
					const canonical = all.find((f) => f.toLowerCase() === raw.toLowerCase());
					if (!canonical) {
						sendError(400, 'INVALID_FIELD', `No such column '${raw}' on entity '${object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`);
						return;
					}
					if (!names.includes(canonical)) names.push(canonical);
				}
				if (!names.includes('Id')) names.push('Id');
			}
			const out: SfRecord = { attributes: { type: object, url: recordUrl(rec.fields.Id as string) } };
			for (const name of names) out[name] = rec.fields[name] ?? null;
			send(200, out, limitHeader);
			return;
		}
		if (method === 'PATCH') {
			const input = this.parseBody(body, sendError);
			if (!input) return;
			if (!this.checkFields(object, input, sendError)) return;
			const condition = req.headers['if-unmodified-since'];
			if (typeof condition === 'string') {
				const since = Date.parse(condition);
				if (Number.isNaN(since)) {
					sendError(400, 'INVALID_HEADER_VALUE', `Invalid If-Unmodified-Since header: ${condition}`);
					return;
				}
				// HTTP dates have whole seconds: compare at that precision, as the real API does.
				const modified = Math.floor(parseSfDate(rec.fields.LastModifiedDate as string) / 1000) * 1000;
				if (modified > since) {
					sendError(412, 'PRECONDITION_FAILED', `The requested entity has been modified since ${condition}`);
					return;
				}
			}
			const next: SfRecord = { ...rec.fields };
			for (const [name, value] of Object.entries(input)) {
				const canonical = def.fields.find((f) => f.toLowerCase() === name.toLowerCase()) as string;
				next[canonical] = value;
			}
			const missing = def.required.filter((f) => next[f] === null || next[f] === '');
			if (missing.length > 0) {
				sendError(400, 'REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, { fields: missing });
				return;
			}
			rec.fields = next;
			this.touch(rec, AGENT_USER);
			send(204, undefined, limitHeader);
			return;
		}
		if (method === 'DELETE') {
			rec.deleted = true;
			rec.fields.IsDeleted = true;
			this.touch(rec, AGENT_USER);
			send(204, undefined, limitHeader);
			return;
		}
		sendError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are GET,HEAD,PATCH,DELETE`);
	}

	/** Runs a SOQL query (see SoqlParser for the subset); `all` (queryAll) includes deleted records. Throws SoqlError. */
	private query(soql: string, all: boolean, version: string): { totalSize: number; done: true; records: SfRecord[] } {
		const query = new SoqlParser(tokenizeSoql(soql)).parse();
		const object = this.objectName(query.object.name);
		if (!object) {
			throw new SoqlError('INVALID_TYPE', `sObject type '${query.object.name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`, query.object.pos);
		}
		const known = this.allFields(object);
		const field = (n: SoqlName): string => {
			if (n.name.includes('.')) {
				throw new SoqlError('INVALID_FIELD', `Didn't understand relationship '${n.name.split('.')[0]}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`, n.pos);
			}
			const canonical = known.find((f) => f.toLowerCase() === n.name.toLowerCase());
			if (!canonical) {
				throw new SoqlError('INVALID_FIELD', `No such column '${n.name}' on entity '${object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`, n.pos);
			}
			return canonical;
		};
		const selected: string[] = [];
		for (const n of query.fields) {
			const canonical = field(n);
			if (selected.includes(canonical)) throw new SoqlError('MALFORMED_QUERY', `duplicate field selected: ${canonical}`, n.pos);
			selected.push(canonical);
		}
		const matches = query.where ? soqlPredicate(query.where, field) : (): boolean => true;
		const order = query.orderBy.map((o) => ({ ...o, name: field(o.field) }));
		if ((query.offset ?? 0) > MAX_OFFSET) {
			throw new SoqlError('NUMBER_OUTSIDE_VALID_RANGE', `Maximum SOQL offset allowed is ${MAX_OFFSET}`, query.object.pos);
		}
		let rows = [...this.records.values()].filter((r) => r.object === object && (all || !r.deleted) && matches(r.fields)).map((r) => r.fields);
		if (order.length > 0) {
			rows.sort((a, b) => {
				for (const o of order) {
					const type = FIELD_TYPES[o.name] ?? 'string';
					const x = soqlKey(type, a[o.name]);
					const y = soqlKey(type, b[o.name]);
					if (x === undefined || y === undefined) {
						if (x !== y) return (x === undefined) === o.nullsLast ? 1 : -1;
						continue;
					}
					const c = compareKeys(x, y);
					if (c !== 0) return o.desc ? -c : c;
				}
				return 0;
			});
		}
		rows = rows.slice(query.offset ?? 0, query.limit === undefined ? undefined : (query.offset ?? 0) + query.limit);
		if (query.count) return { totalSize: rows.length, done: true, records: [] };
		const records = rows.map((fields) => {
			const out: SfRecord = { attributes: { type: object, url: `/services/data/v${version}/sobjects/${object}/${fields.Id as string}` } };
			for (const name of selected) out[name] = fields[name] ?? null;
			return out;
		});
		return { totalSize: records.length, done: true, records };
	}

	private parseBody(body: string, sendError: (code: number, errorCode: string, message: string) => void): SfRecord | undefined {
		try {
			const parsed: unknown = JSON.parse(body);
			if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as SfRecord;
		} catch {
			// fall through
		}
		sendError(400, 'JSON_PARSER_ERROR', 'Unexpected character: was expecting a JSON object');
		return undefined;
	}

	/** Unknown field → INVALID_FIELD; a read-only one → INVALID_FIELD_FOR_INSERT_UPDATE. */
	private checkFields(object: string, input: SfRecord, sendError: (code: number, errorCode: string, message: string, extra?: Record<string, unknown>) => void): boolean {
		const def = OBJECTS[object];
		const all = this.allFields(object);
		for (const name of Object.keys(input)) {
			if (name === 'attributes') continue;
			const lower = name.toLowerCase();
			if (!all.some((f) => f.toLowerCase() === lower)) {
				sendError(400, 'INVALID_FIELD', `No such column '${name}' on sobject of type ${object}`);
				return false;
			}
			if (!def.fields.some((f) => f.toLowerCase() === lower)) {
				sendError(400, 'INVALID_FIELD_FOR_INSERT_UPDATE', `Unable to create/update fields: ${name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`, { fields: [name] });
				return false;
			}
		}
		delete input.attributes;
		return true;
	}
}

function unescapeXml(value: string): string {
	return value.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

// ---------------------------------------------------------------- SOQL (a subset)

/** SOQL's types for the fields that are not text (same name → same type on every object here). */
type SoqlType = 'string' | 'double' | 'int' | 'boolean' | 'date' | 'dateTime';
const FIELD_TYPES: Record<string, SoqlType> = {
	IsDeleted: 'boolean',
	CreatedDate: 'dateTime',
	LastModifiedDate: 'dateTime',
	SystemModstamp: 'dateTime',
	CloseDate: 'date',
	AnnualRevenue: 'double',
	Amount: 'double',
	Probability: 'double',
	NumberOfEmployees: 'int',
};
const SOQL_RESERVED = new Set(['select', 'from', 'where', 'and', 'or', 'not', 'order', 'by', 'limit', 'offset', 'like', 'in', 'null', 'true', 'false']);
const MAX_OFFSET = 2000;

/** A query error: errorCode as Salesforce names it, and where in the query it is (for the `ERROR at Row:…` text). */
class SoqlError extends Error {
	constructor(
		readonly errorCode: string,
		message: string,
		readonly pos: number,
	) {
		super(message);
	}
}

interface SoqlToken {
	/** `literal`: an unquoted number, date or datetime. */
	kind: 'word' | 'string' | 'literal' | 'op' | 'punct' | 'eof';
	text: string;
	/** Strings: the unescaped content (`\%` and `\_` kept for LIKE); otherwise the text. */
	value: string;
	pos: number;
}

interface SoqlName {
	name: string;
	pos: number;
}

interface SoqlLiteral {
	kind: 'string' | 'number' | 'boolean' | 'null' | 'date' | 'dateTime';
	value: string;
	pos: number;
}

type SoqlCondition =
	| { kind: 'and' | 'or'; parts: SoqlCondition[] }
	| { kind: 'not'; part: SoqlCondition }
	| { kind: 'compare'; field: SoqlName; op: string; values: SoqlLiteral[] };

interface SoqlQuery {
	count: boolean;
	fields: SoqlName[];
	object: SoqlName;
	where?: SoqlCondition;
	orderBy: Array<{ field: SoqlName; desc: boolean; nullsLast: boolean }>;
	limit?: number;
	offset?: number;
}

const isWordStart = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isWordChar = (c: string): boolean => isWordStart(c) || isDigit(c) || c === '.';
/** Characters of an unquoted number, date (`2024-05-01`) or datetime (`2024-05-01T12:00:00.000+0000`). */
const isLiteralChar = (c: string): boolean => isDigit(c) || c === '-' || c === '+' || c === ':' || c === '.' || c === 'T' || c === 'Z';
const SOQL_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '"': '"', "'": "'", '\\': '\\', '%': '\\%', _: '\\_' };

function tokenizeSoql(q: string): SoqlToken[] {
	const tokens: SoqlToken[] = [];
	let i = 0;
	const push = (kind: SoqlToken['kind'], start: number, value = q.slice(start, i)): void => {
		tokens.push({ kind, text: q.slice(start, i), value, pos: start });
	};
	while (i < q.length) {
		const c = q[i];
		const start = i;
		if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
			i++;
		} else if (isWordStart(c)) {
			while (i < q.length && isWordChar(q[i])) i++;
			push('word', start);
		} else if (isDigit(c) || ((c === '-' || c === '+') && isDigit(q.charAt(i + 1)))) {
			i++;
			while (i < q.length && isLiteralChar(q[i])) i++;
			push('literal', start);
		} else if (c === "'") {
			let value = '';
			i++;
			for (;;) {
				if (i >= q.length) throw new SoqlError('MALFORMED_QUERY', `line 1:${start} mismatched character '<EOF>' expecting '''`, start);
				const ch = q[i];
				if (ch === "'") break;
				if (ch === '\\') {
					const escaped = SOQL_ESCAPES[q.charAt(i + 1)];
					if (escaped === undefined) throw new SoqlError('MALFORMED_QUERY', `Invalid string literal '${q.slice(start, i + 2)}'. Illegal character sequence '\\${q.charAt(i + 1)}' in string literal.`, i);
					value += escaped;
					i += 2;
				} else {
					value += ch;
					i++;
				}
			}
			i++;
			push('string', start, value);
		} else if (c === '!' || c === '<' || c === '>' || c === '=') {
			const two = q.slice(i, i + 2);
			i += two === '!=' || two === '<>' || two === '<=' || two === '>=' ? 2 : 1;
			const text = q.slice(start, i);
			if (text === '!') throw new SoqlError('MALFORMED_QUERY', "unexpected token: '!'", start);
			push('op', start, text === '<>' ? '!=' : text);
		} else if (c === '(' || c === ')' || c === ',') {
			i++;
			push('punct', start);
		} else {
			throw new SoqlError('MALFORMED_QUERY', `line 1:${start} no viable alternative at character '${c}'`, start);
		}
	}
	tokens.push({ kind: 'eof', text: '<EOF>', value: '', pos: q.length });
	return tokens;
}

/**
 * `SELECT f, … | COUNT() FROM Obj [WHERE …] [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], …] [LIMIT n] [OFFSET n]`.
 * Conditions: `f op value` (=, !=, <>, <, <=, >, >=), `f [NOT] IN (…)`, `f LIKE '…'`, `NOT …`, parentheses;
 * AND and OR may not be mixed without parentheses (as in SOQL).
 */
class SoqlParser {
	private i = 0;

	constructor(private readonly tokens: SoqlToken[]) {}

	parse(): SoqlQuery {
		this.expectWord('select');
		let count = false;
		const fields: SoqlName[] = [];
		if (this.isWord('count') && this.tokens[this.i + 1]?.text === '(') {
			this.i++;
			this.expectPunct('(');
			this.expectPunct(')');
			count = true;
		} else {
			do fields.push(this.name());
			while (this.acceptPunct(','));
		}
		this.expectWord('from');
		const object = this.name();
		const query: SoqlQuery = { count, fields, object, orderBy: [] };
		if (this.acceptWord('where')) query.where = this.condition();
		if (this.acceptWord('order')) {
			this.expectWord('by');
			do {
				const field = this.name();
				const desc = this.acceptWord('desc') ? true : (this.acceptWord('asc'), false);
				let nullsLast = desc;
				if (this.acceptWord('nulls')) {
					if (this.acceptWord('last')) nullsLast = true;
					else {
						this.expectWord('first');
						nullsLast = false;
					}
				}
				query.orderBy.push({ field, desc, nullsLast });
			} while (this.acceptPunct(','));
		}
		if (this.acceptWord('limit')) query.limit = this.integer();
		if (this.acceptWord('offset')) query.offset = this.integer();
		if (this.peek().kind !== 'eof') throw this.unexpected();
		return query;
	}

	private peek(): SoqlToken {
		return this.tokens[this.i];
	}

	private unexpected(token = this.peek()): SoqlError {
		return new SoqlError('MALFORMED_QUERY', `unexpected token: '${token.text}'`, token.pos);
	}

	private isWord(word: string): boolean {
		const t = this.peek();
		return t.kind === 'word' && t.value.toLowerCase() === word;
	}

	private acceptWord(word: string): boolean {
		if (!this.isWord(word)) return false;
		this.i++;
		return true;
	}

	private expectWord(word: string): void {
		if (!this.acceptWord(word)) throw this.unexpected();
	}

	private acceptPunct(p: string): boolean {
		const t = this.peek();
		if (t.kind !== 'punct' || t.text !== p) return false;
		this.i++;
		return true;
	}

	private expectPunct(p: string): void {
		if (!this.acceptPunct(p)) throw this.unexpected();
	}

	private name(): SoqlName {
		const t = this.peek();
		if (t.kind !== 'word' || SOQL_RESERVED.has(t.value.toLowerCase())) throw this.unexpected();
		this.i++;
		return { name: t.value, pos: t.pos };
	}

	private integer(): number {
		const t = this.peek();
		if (t.kind !== 'literal' || !/^\d{1,9}$/.test(t.text)) throw this.unexpected();
		this.i++;
		return Number(t.text);
	}

	/** Terms joined by one kind of operator; the other one needs parentheses. */
	private condition(): SoqlCondition {
		const first = this.term();
		const op = this.isWord('and') ? 'and' : this.isWord('or') ? 'or' : undefined;
		if (!op) return first;
		const parts = [first];
		while (this.acceptWord(op)) parts.push(this.term());
		if (this.isWord(op === 'and' ? 'or' : 'and')) throw this.unexpected();
		return { kind: op, parts };
	}

	private term(): SoqlCondition {
		if (this.acceptWord('not')) return { kind: 'not', part: this.term() };
		if (this.acceptPunct('(')) {
			const inner = this.condition();
			this.expectPunct(')');
			return inner;
		}
		const field = this.name();
		if (this.acceptWord('like')) return { kind: 'compare', field, op: 'like', values: [this.literal()] };
		if (this.acceptWord('in')) return { kind: 'compare', field, op: 'in', values: this.list() };
		if (this.isWord('not') && this.tokens[this.i + 1]?.kind === 'word' && this.tokens[this.i + 1].value.toLowerCase() === 'in') {
			this.i += 2;
			return { kind: 'compare', field, op: 'not in', values: this.list() };
		}
		const t = this.peek();
		if (t.kind !== 'op') throw this.unexpected();
		this.i++;
		return { kind: 'compare', field, op: t.value, values: [this.literal()] };
	}

	private list(): SoqlLiteral[] {
		this.expectPunct('(');
		const values = [this.literal()];
		while (this.acceptPunct(',')) values.push(this.literal());
		this.expectPunct(')');
		return values;
	}

	private literal(): SoqlLiteral {
		const t = this.peek();
		let kind: SoqlLiteral['kind'] | undefined;
		if (t.kind === 'string') kind = 'string';
		else if (t.kind === 'word') {
			const word = t.value.toLowerCase();
			kind = word === 'null' ? 'null' : word === 'true' || word === 'false' ? 'boolean' : undefined;
		} else if (t.kind === 'literal') {
			if (/^[+-]?\d+(\.\d+)?$/.test(t.text)) kind = 'number';
			else if (/^\d{4}-\d{2}-\d{2}$/.test(t.text)) kind = 'date';
			else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})$/.test(t.text)) kind = 'dateTime';
		}
		if (!kind) throw this.unexpected();
		this.i++;
		return { kind, value: kind === 'boolean' ? t.value.toLowerCase() : t.value, pos: t.pos };
	}
}

/** A value made comparable for its SOQL type (text compares case-insensitively, as in Salesforce); undefined for null. */
function soqlKey(type: SoqlType, value: unknown): string | number | undefined {
	if (value === null || value === undefined) return undefined;
	switch (type) {
		case 'string':
			return String(value).toLowerCase();
		case 'double':
		case 'int':
			return Number(value);
		case 'boolean':
			return value === true || value === 'true' ? 1 : 0;
		case 'date':
		case 'dateTime':
			return parseSfDate(String(value));
	}
}

function compareKeys(a: string | number, b: string | number): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * SQL LIKE, case-insensitive: `%` any run, `_` (when `single`) one character, a backslash escapes the next
 * character. Greedy matching with one backtrack point: O(text × pattern), never exponential.
 */
export function likeMatch(text: string, pattern: string, single = true): boolean {
	const parts: Array<{ any: true } | { one: true } | { char: string }> = [];
	for (let i = 0; i < pattern.length; i++) {
		const c = pattern[i];
		if (c === '\\' && i + 1 < pattern.length) parts.push({ char: pattern[++i].toLowerCase() });
		else if (c === '%') parts.push({ any: true });
		else if (c === '_' && single) parts.push({ one: true });
		else parts.push({ char: c.toLowerCase() });
	}
	const s = text.toLowerCase();
	let t = 0;
	let p = 0;
	let star = -1;
	let resume = 0;
	while (t < s.length) {
		const part = parts[p];
		if (part && 'any' in part) {
			star = p++;
			resume = t;
		} else if (part && ('one' in part || part.char === s[t])) {
			p++;
			t++;
		} else if (star >= 0) {
			p = star + 1;
			t = ++resume;
		} else {
			return false;
		}
	}
	while (p < parts.length && 'any' in parts[p]) p++;
	return p === parts.length;
}

/** Salesforce's error text: the query line, a caret under the position, `ERROR at Row:r:Column:c`, then the message. */
function soqlErrorMessage(soql: string, error: SoqlError): string {
	const before = soql.slice(0, error.pos).split('\n');
	const row = before.length;
	const column = before[before.length - 1].length;
	const line = soql.split('\n')[row - 1] ?? '';
	return `\n${line}\n${' '.repeat(column)}^\nERROR at Row:${row}:Column:${column + 1}\n${error.message}`;
}

/** A WHERE clause as a test on a record's fields, its values checked against the fields' types first (as Salesforce does). */
function soqlPredicate(condition: SoqlCondition, field: (n: SoqlName) => string): (fields: SfRecord) => boolean {
	switch (condition.kind) {
		case 'and':
		case 'or': {
			const parts = condition.parts.map((p) => soqlPredicate(p, field));
			return condition.kind === 'and' ? (r) => parts.every((p) => p(r)) : (r) => parts.some((p) => p(r));
		}
		case 'not': {
			const inner = soqlPredicate(condition.part, field);
			return (r) => !inner(r);
		}
		case 'compare':
			return soqlComparison(condition, field);
	}
}

type SoqlKey = string | number | undefined;
const LITERAL_TYPES: Record<SoqlLiteral['kind'], SoqlType[]> = { string: ['string'], number: ['double', 'int'], boolean: ['boolean'], date: ['date'], dateTime: ['dateTime'], null: [] };

function soqlComparison(condition: { field: SoqlName; op: string; values: SoqlLiteral[] }, field: (n: SoqlName) => string): (fields: SfRecord) => boolean {
	const name = field(condition.field);
	const type = FIELD_TYPES[name] ?? 'string';
	const keys = condition.values.map((v): SoqlKey => {
		if (v.kind === 'null') return undefined;
		if (!LITERAL_TYPES[v.kind].includes(type)) {
			const quotes = type === 'string' ? 'should be enclosed in quotes' : 'should not be enclosed in quotes';
			throw new SoqlError('INVALID_FIELD', `value of filter criterion for field '${name}' must be of type ${type} and ${quotes}`, v.pos);
		}
		return soqlKey(type, v.value);
	});
	const value = (r: SfRecord): SoqlKey => soqlKey(type, r[name]);
	// Null equals only null; `!=` and NOT IN include records whose field is null (SOQL, unlike SQL).
	const equal = (x: SoqlKey, y: SoqlKey): boolean => (x === undefined || y === undefined ? x === y : compareKeys(x, y) === 0);
	switch (condition.op) {
		case 'like': {
			if (type !== 'string') throw new SoqlError('INVALID_FIELD', `invalid operator on field '${name}': LIKE needs a text field`, condition.field.pos);
			const pattern = condition.values[0].value;
			return (r) => r[name] !== null && r[name] !== undefined && likeMatch(String(r[name]), pattern);
		}
		case '=':
			return (r) => equal(value(r), keys[0]);
		case '!=':
			return (r) => !equal(value(r), keys[0]);
		case 'in':
			return (r) => keys.some((k) => equal(value(r), k));
		case 'not in':
			return (r) => !keys.some((k) => equal(value(r), k));
		default: {
			const op = condition.op;
			const y = keys[0];
			return (r) => {
				const x = value(r);
				if (x === undefined || y === undefined) return false;
				const c = compareKeys(x, y);
				return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
			};
		}
	}
}
