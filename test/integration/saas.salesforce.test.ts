import { SalesforceAdapter } from '../../lib/saas/salesforce';
import { SaasError } from '../../lib/saas/types';
import { Connection } from 'jsforce';
import { caseSafeId, SalesforceEmulator, sfDate } from '../emulators/salesforce';
import type { SfRecord } from '../emulators/salesforce';

const SF_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/;

async function failure(task: () => Promise<unknown>): Promise<{ error: SaasError; ms: number }> {
	const started = Date.now();
	try {
		await task();
	} catch (error) {
		if (!(error instanceof SaasError)) throw error;
		return { error, ms: Date.now() - started };
	}
	throw new Error('expected a SaasError');
}

describe('SalesforceEmulator + SalesforceAdapter (jsforce 3)', () => {
	const sf = new SalesforceEmulator();
	let adapter: SalesforceAdapter;

	beforeAll(async () => {
		await sf.start();
	});
	afterAll(async () => {
		await sf.stop();
	});
	beforeEach(() => {
		sf.reset();
		sf.issueAccessToken();
		adapter = new SalesforceAdapter({ baseUrl: sf.baseUrl, accessToken: sf.accessToken });
	});

	const objects: Array<[string, Record<string, unknown>, Record<string, unknown>, string]> = [
		['Lead', { FirstName: 'Ada', LastName: 'Lovelace', Company: 'Analytical Engines Ltd', Status: 'Open - Not Contacted' }, { Status: 'Working - Contacted', Title: 'Founder' }, '00Q'],
		['Contact', { FirstName: 'Grace', LastName: 'Hopper', Email: 'grace@navy.example' }, { Title: 'Rear Admiral', Phone: '(202) 555-0100' }, '003'],
		['Account', { Name: 'Initech', Industry: 'Technology' }, { Industry: 'Consulting', NumberOfEmployees: 42 }, '001'],
		['Opportunity', { Name: 'Initech - TPS rollout', StageName: 'Prospecting', CloseDate: '2027-01-31', Amount: 10000 }, { StageName: 'Closed Won', Amount: 12500 }, '006'],
		['Case', { Subject: 'Printer on fire', Priority: 'High', Status: 'New' }, { Status: 'Escalated', Priority: 'Medium' }, '500'],
	];

	test.each(objects)('%s: create, read, update, delete, restore round trip', async (object, initial, changes, prefix) => {
		const created = await adapter.create(object, initial);
		expect(created.id).toMatch(new RegExp(`^${prefix}[A-Za-z0-9]{15}$`));
		expect(caseSafeId(created.id.substring(0, 15))).toBe(created.id);
		expect(created.marker.LastModifiedDate).toMatch(SF_DATE);
		expect(created.marker.SystemModstamp).toMatch(SF_DATE);

		const names = Object.keys(changes);
		const before = await adapter.read(object, created.id, names);
		expect(Object.keys(before.fields)).toEqual(names);
		for (const name of names) expect(before.fields[name]).toBe(initial[name] ?? null);
		expect(before.marker).toEqual(created.marker);

		const updated = await adapter.update(object, created.id, changes, before.marker);
		expect(parseDate(updated.marker.LastModifiedDate)).toBeGreaterThan(parseDate(before.marker.LastModifiedDate));
		const after = await adapter.read(object, created.id, names);
		expect(after.fields).toEqual(changes);
		expect(after.marker).toEqual(updated.marker);

		// Reverse it: restore the before-image conditionally on the after-image marker.
		await adapter.update(object, created.id, before.fields, after.marker);
		expect((await adapter.read(object, created.id, names)).fields).toEqual(before.fields);

		await adapter.delete(object, created.id);
		expect(sf.isDeleted(created.id)).toBe(true);
		expect((await failure(() => adapter.read(object, created.id))).error).toMatchObject({ code: 'not_found', status: 404 });

		expect(await adapter.restore(object, created.id)).toEqual({ id: created.id, recreated: false });
		expect(sf.isDeleted(created.id)).toBe(false);
		const back = await adapter.read(object, created.id);
		expect(back.fields.Id).toBe(created.id);
		for (const [name, value] of Object.entries(before.fields)) expect(back.fields[name]).toEqual(value);
		// Restoring again is a no-op, not an error (a resumed reversal).
		expect(await adapter.restore(object, created.id)).toEqual({ id: created.id, recreated: false });
	});

	test('seeded demo data reads back with field names case-insensitive, 15-char ids and all fields by default', async () => {
		const ids = sf.seedDemo();
		const lead = await adapter.read('lead', ids.leads[0], ['company', 'EMAIL']);
		expect(lead.fields).toEqual({ company: 'Tailspin Toys', EMAIL: 'priya@tailspin.example' });
		expect(lead.marker.LastModifiedDate).toMatch(SF_DATE);
		const short = await adapter.read('Account', ids.accounts[0].substring(0, 15));
		expect(short.id).toBe(ids.accounts[0]);
		expect(short.fields).toMatchObject({ Name: 'Northwind Traders', Industry: 'Retail', IsDeleted: false });
		expect(short.fields).not.toHaveProperty('attributes');
		const kase = await adapter.read('Case', ids.cases[0], ['CaseNumber', 'ContactId']);
		expect(kase.fields).toEqual({ CaseNumber: expect.stringMatching(/^\d{8}$/), ContactId: ids.contacts[0] });
		const opp = await adapter.read('Opportunity', ids.opportunities[0], ['AccountId', 'Amount']);
		expect(opp.fields).toEqual({ AccountId: ids.accounts[0], Amount: 125000 });
	});

	test('every change moves LastModifiedDate and SystemModstamp; a system-only change moves SystemModstamp only', async () => {
		const { id, marker } = await adapter.create('Account', { Name: 'Umbrella Corp' });
		sf.humanEdit('Account', id, { Phone: '555-0000' });
		const edited = (await adapter.read('Account', id, ['Phone'])).marker;
		expect(parseDate(edited.LastModifiedDate)).toBeGreaterThan(parseDate(marker.LastModifiedDate));
		expect(edited.SystemModstamp).toBe(edited.LastModifiedDate);
		sf.systemTouch(id);
		const touched = (await adapter.read('Account', id, ['Phone'])).marker;
		expect(touched.LastModifiedDate).toBe(edited.LastModifiedDate);
		expect(parseDate(touched.SystemModstamp)).toBeGreaterThan(parseDate(edited.SystemModstamp));
	});

	describe('conflicts', () => {
		test('a human edit after the agent write → conflict (412) and the human value is kept', async () => {
			const { id } = await adapter.create('Lead', { LastName: 'Doe', Company: 'Acme', Status: 'Open - Not Contacted' });
			const agent = await adapter.update('Lead', id, { Status: 'Closed - Not Converted' });
			sf.humanEdit('Lead', id, { Status: 'Working - Contacted' });
			const { error } = await failure(() => adapter.update('Lead', id, { Status: 'Open - Not Contacted' }, agent.marker));
			expect(error).toMatchObject({ code: 'conflict', status: 412, retryable: false });
			expect(sf.get('Lead', id)?.Status).toBe('Working - Contacted');
		});

		test('the server-side If-Unmodified-Since guard: a human edit racing the PATCH → 412 → conflict', async () => {
			const twoDaysAgo = sfDate(Date.now() - 2 * 86_400_000);
			const [id] = sf.seed({ Contact: [{ LastName: 'Race', Title: 'Old', LastModifiedDate: twoDaysAgo, SystemModstamp: twoDaysAgo }] }).Contact;
			const { marker } = await adapter.read('Contact', id, ['Title']);
			expect(marker.LastModifiedDate).toBe(twoDaysAgo);
			sf.beforeNext('PATCH', () => sf.humanEdit('Contact', id, { Title: 'Human' }));
			const { error } = await failure(() => adapter.update('Contact', id, { Title: 'Agent' }, marker));
			expect(error).toMatchObject({ code: 'conflict', status: 412 });
			expect(error.message).toContain('PRECONDITION_FAILED');
			expect(sf.get('Contact', id)?.Title).toBe('Human');
			const patch = sf.requests.filter((r) => r.method === 'PATCH');
			expect(patch).toHaveLength(1);
			expect(patch[0].status).toBe(412);
			expect(patch[0].headers['if-unmodified-since']).toBe(new Date(Date.parse(twoDaysAgo.replace('+0000', 'Z'))).toUTCString());
		});

		test('an unchanged record passes the conditional update even within the same second', async () => {
			const { id, marker } = await adapter.create('Case', { Subject: 'Quick' });
			await expect(adapter.update('Case', id, { Status: 'Closed' }, marker)).resolves.toHaveProperty('marker');
		});

		test('a marker without LastModifiedDate is refused before any call', async () => {
			const { id } = await adapter.create('Case', { Subject: 'x' });
			const count = sf.requests.length;
			expect((await failure(() => adapter.update('Case', id, { Status: 'Closed' }, { SyncToken: '3' }))).error.code).toBe('invalid_request');
			expect(sf.requests.length).toBe(count);
		});
	});

	describe('bad input', () => {
		test('unknown object → unknown_object', async () => {
			const ids = sf.seedDemo();
			expect((await failure(() => adapter.read('Leed', ids.leads[0]))).error).toMatchObject({ code: 'unknown_object' });
			expect((await failure(() => adapter.create('Invoice__c', { Name: 'x' }))).error).toMatchObject({ code: 'unknown_object' });
			expect((await failure(() => adapter.update('Leed', ids.leads[0], { Status: 'x' }))).error.code).toBe('unknown_object');
		});

		test('a well-formed id that does not exist → not_found (not unknown_object)', async () => {
			const missing = caseSafeId('00Q8a0000ZZZZZZ');
			expect((await failure(() => adapter.read('Lead', missing))).error).toMatchObject({ code: 'not_found', status: 404 });
			expect((await failure(() => adapter.update('Lead', missing, { Status: 'x' }))).error.code).toBe('not_found');
			expect((await failure(() => adapter.delete('Lead', missing))).error.code).toBe('not_found');
			expect((await failure(() => adapter.restore('Lead', missing))).error.code).toBe('not_found');
		});

		test('unknown field → unknown_field (read, create, update)', async () => {
			const ids = sf.seedDemo();
			const read = (await failure(() => adapter.read('Lead', ids.leads[0], ['LastName', 'Shoe_Size__c']))).error;
			expect(read).toMatchObject({ code: 'unknown_field', status: 400 });
			expect(read.message).toContain('Shoe_Size__c');
			expect((await failure(() => adapter.create('Account', { Name: 'x', Colour: 'red' }))).error.code).toBe('unknown_field');
			expect((await failure(() => adapter.update('Contact', ids.contacts[0], { Nickname: 'Mo' }))).error.code).toBe('unknown_field');
		});

		test('ids, object and field names of the wrong shape → invalid_request before any call', async () => {
			const count = sf.requests.length;
			for (const id of ['', '123', '00Q8a000001', '00Q8a0000000001XYZW', '00Q8a00000000-1', '00Q8a0000000001/../x', "00Q'; DROP--xxxx"]) {
				expect((await failure(() => adapter.read('Lead', id))).error).toMatchObject({ code: 'invalid_request' });
				expect((await failure(() => adapter.delete('Lead', id))).error.code).toBe('invalid_request');
				expect((await failure(() => adapter.restore('Lead', id))).error.code).toBe('invalid_request');
			}
			expect((await failure(() => adapter.read('../limits', '00Q8a0000000001'))).error.code).toBe('invalid_request');
			expect((await failure(() => adapter.read('Lead', '00Q8a0000000001', ['Name,Email']))).error.code).toBe('invalid_request');
			expect((await failure(() => adapter.update('Lead', '00Q8a0000000001', { 'a b': 1 }))).error.code).toBe('invalid_request');
			expect(sf.requests.length).toBe(count);
		});

		test('a missing required field or a read-only field → invalid_request', async () => {
			expect((await failure(() => adapter.create('Lead', { LastName: 'NoCompany' }))).error).toMatchObject({ code: 'invalid_request', status: 400 });
			const { id } = await adapter.create('Account', { Name: 'RO' });
			expect((await failure(() => adapter.update('Account', id, { LastModifiedDate: '2020-01-01T00:00:00.000+0000' }))).error.code).toBe('invalid_request');
		});

		test('restore after the recycle bin was emptied → not_found', async () => {
			const { id } = await adapter.create('Lead', { LastName: 'Gone', Company: 'Nowhere' });
			await adapter.delete('Lead', id);
			sf.emptyRecycleBin(id);
			expect((await failure(() => adapter.restore('Lead', id))).error.code).toBe('not_found');
		});
	});

	describe('tokens', () => {
		test('an expired access token → unauthorized on every call, with no token text and no retry', async () => {
			const ids = sf.seedDemo();
			const token = sf.accessToken;
			sf.expireToken();
			const before = sf.requests.length;
			const calls: Array<() => Promise<unknown>> = [
				() => adapter.read('Lead', ids.leads[0], ['Status']),
				() => adapter.create('Lead', { LastName: 'x', Company: 'y' }),
				() => adapter.update('Lead', ids.leads[0], { Status: 'x' }),
				() => adapter.delete('Lead', ids.leads[0]),
				() => adapter.restore('Lead', ids.leads[0]),
				() => adapter.ping(),
			];
			for (const call of calls) {
				const { error } = await failure(call);
				expect(error).toMatchObject({ system: 'salesforce', code: 'unauthorized', status: 401, retryable: false });
				const everything = `${error.message} ${error.stack ?? ''} ${JSON.stringify(error)}`;
				expect(everything).not.toContain(token);
				expect(everything).not.toContain(token.substring(0, 20));
			}
			expect(sf.requests.length - before).toBe(calls.length);
			expect(sf.requests.slice(before).every((r) => r.status === 401 || (r.status === 500 && r.path.startsWith('/services/Soap/')))).toBe(true);
		});

		test('an error message that would echo the token is redacted', async () => {
			const token = sf.accessToken;
			sf.failNext(400, 'MALFORMED_QUERY', `bad request near Bearer ${token} and ${token}`);
			const { error } = await failure(() => adapter.ping());
			expect(error.code).toBe('invalid_request');
			expect(error.message).not.toContain(token);
			expect(error.message).toContain('[redacted]');
		});

		test('the refresh_token grant issues a new access token and rotates the refresh token', async () => {
			const post = (refreshToken: string): Promise<Response> =>
				fetch(`${sf.baseUrl}/services/oauth2/token`, {
					method: 'POST',
					headers: { 'content-type': 'application/x-www-form-urlencoded' },
					body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: sf.clientId, client_secret: sf.clientSecret }).toString(),
				});
			const oldAccess = sf.accessToken;
			const oldRefresh = sf.refreshToken;
			sf.expireToken();
			expect((await failure(() => adapter.ping())).error.code).toBe('unauthorized');

			const res = await post(oldRefresh);
			expect(res.status).toBe(200);
			const body = (await res.json()) as Record<string, string>;
			expect(body).toMatchObject({ token_type: 'Bearer', instance_url: sf.baseUrl });
			expect(body.access_token).not.toBe(oldAccess);
			expect(body.refresh_token).toBeTruthy();
			expect(body.refresh_token).not.toBe(oldRefresh);

			const again = await post(oldRefresh);
			expect(again.status).toBe(400);
			expect(await again.json()).toMatchObject({ error: 'invalid_grant' });

			await expect(new SalesforceAdapter({ baseUrl: sf.baseUrl, accessToken: body.access_token }).ping()).resolves.toBeUndefined();
			expect((await failure(() => adapter.ping())).error.code).toBe('unauthorized');

			const next = await post(body.refresh_token);
			expect(next.status).toBe(200);
		});
	});

	describe('a system that is down, slow or limiting fails fast and is never retried', () => {
		test('emulator stopped → system_unavailable in under 2 s for reads and writes', async () => {
			const ids = sf.seedDemo();
			const down = new SalesforceEmulator();
			const url = await down.start();
			await down.stop();
			const gone = new SalesforceAdapter({ baseUrl: url, accessToken: sf.accessToken });
			const calls: Array<() => Promise<unknown>> = [
				() => gone.read('Lead', ids.leads[0]),
				() => gone.create('Lead', { LastName: 'x', Company: 'y' }),
				() => gone.update('Lead', ids.leads[0], { Status: 'x' }),
				() => gone.delete('Lead', ids.leads[0]),
				() => gone.restore('Lead', ids.leads[0]),
				() => gone.ping(),
			];
			for (const call of calls) {
				const { error, ms } = await failure(call);
				expect(error).toMatchObject({ code: 'system_unavailable', retryable: true });
				expect(error.message).toContain('ECONNREFUSED');
				expect(error.message).not.toContain(sf.accessToken);
				expect(ms).toBeLessThan(2000);
			}
		});

		test('503 on a GET and on a DELETE: one request each, system_unavailable (jsforce would retry 5×)', async () => {
			const ids = sf.seedDemo();
			for (const call of [() => adapter.read('Lead', ids.leads[0]), () => adapter.delete('Lead', ids.leads[1])]) {
				const before = sf.requests.length;
				sf.failNext(503, 'SERVER_UNAVAILABLE', 'Server temporarily unavailable', 10);
				const { error, ms } = await failure(call);
				expect(error).toMatchObject({ code: 'system_unavailable', status: 503, retryable: true });
				expect(ms).toBeLessThan(2000);
				expect(sf.requests.length - before).toBe(1);
				sf.reset();
			}
		});

		test('a 500 on create is not retried (no duplicate record)', async () => {
			sf.failNext(500, 'UNKNOWN_EXCEPTION', 'An unexpected error occurred', 5);
			const { error } = await failure(() => adapter.create('Account', { Name: 'Once' }));
			expect(error).toMatchObject({ code: 'system_unavailable', status: 500, retryable: true });
			expect(sf.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
		});

		test('REQUEST_LIMIT_EXCEEDED (403) and 429 → rate_limited, retryable', async () => {
			sf.failNext(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
			expect((await failure(() => adapter.ping())).error).toMatchObject({ code: 'rate_limited', status: 403, retryable: true });
			sf.failNext(429, 'TOO_MANY_REQUESTS', 'Too many requests', 1, { 'Retry-After': '5' });
			const before = sf.requests.length;
			expect((await failure(() => adapter.ping())).error).toMatchObject({ code: 'rate_limited', status: 429, retryable: true });
			expect(sf.requests.length - before).toBe(1);
		});

		test('a response slower than timeoutMs → system_unavailable at about the timeout', async () => {
			const slow = new SalesforceAdapter({ baseUrl: sf.baseUrl, accessToken: sf.accessToken, timeoutMs: 200 });
			sf.setDelay(1500);
			const { error, ms } = await failure(() => slow.ping());
			expect(error).toMatchObject({ code: 'system_unavailable', retryable: true });
			expect(error.message).toContain('200 ms');
			expect(ms).toBeLessThan(1000);
			sf.setDelay(0);
		});
	});

	test('ping calls /limits', async () => {
		await expect(adapter.ping()).resolves.toBeUndefined();
		expect(sf.requests.at(-1)).toMatchObject({ method: 'GET', path: '/services/data/v59.0/limits', status: 200 });
		expect(sf.requests.at(-1)?.headers.authorization).toBe(`Bearer ${sf.accessToken}`);
	});

	test('construction refuses a bad base URL, version or empty token', () => {
		expect(() => new SalesforceAdapter({ baseUrl: 'ftp://x', accessToken: 't' })).toThrow(SaasError);
		expect(() => new SalesforceAdapter({ baseUrl: sf.baseUrl, accessToken: 't', apiVersion: '59' })).toThrow(SaasError);
		expect(() => new SalesforceAdapter({ baseUrl: sf.baseUrl, accessToken: '' })).toThrow(SaasError);
	});
});

describe('SalesforceEmulator SOQL query endpoint (jsforce conn.query and raw HTTP)', () => {
	const sf = new SalesforceEmulator();
	let conn: Connection;
	let leads: string[];
	const DAY = 86_400_000;
	const ago = (days: number): SfRecord => {
		const at = sfDate(Date.now() - days * DAY);
		return { CreatedDate: at, LastModifiedDate: at, SystemModstamp: at };
	};
	const TEMPLATE_SOQL = "SELECT Id, FirstName, LastName, Company, Title, Email, Status, Rating, LeadSource, Industry, Description FROM Lead WHERE Status = 'Open - Not Contacted' ORDER BY CreatedDate DESC LIMIT 10";
	/** The raw response, for the error shapes jsforce turns into exceptions. */
	const get = async (soql: string | undefined, token = sf.accessToken, resource = 'query'): Promise<{ status: number; body: unknown }> => {
		const query = soql === undefined ? '' : `?q=${encodeURIComponent(soql)}`;
		const res = await fetch(`${sf.baseUrl}/services/data/v59.0/${resource}${query}`, { headers: { authorization: `Bearer ${token}` } });
		return { status: res.status, body: await res.json() };
	};

	beforeAll(async () => {
		await sf.start();
	});
	afterAll(async () => {
		await sf.stop();
	});
	beforeEach(() => {
		sf.reset();
		sf.issueAccessToken();
		conn = new Connection({ instanceUrl: sf.baseUrl, accessToken: sf.accessToken, version: '59.0' });
		leads = sf.seed({
			Lead: [
				{ FirstName: 'Priya', LastName: 'Raman', Company: 'Tailspin Toys', Title: 'COO', Email: 'priya@tailspin.example', Status: 'Open - Not Contacted', LeadSource: 'Web', Industry: 'Retail', Description: 'Wants 12 robots', ...ago(2) },
				{ FirstName: 'Lukas', LastName: 'Novak', Company: 'Adventure Works', Status: 'Open - Not Contacted', LeadSource: 'Trade Show', Industry: 'Manufacturing', ...ago(3) },
				{ FirstName: 'Daniel', LastName: 'Kim', Company: 'Wide World Importers', Status: 'Working - Contacted', Rating: 'Warm', LeadSource: 'Web', ...ago(12) },
				{ LastName: 'Marino', Company: 'Coho Winery', Email: 'sofia@cohowinery.example', Status: 'Open - Not Contacted', LeadSource: 'Web', ...ago(0) },
			],
		}).Lead;
	});

	test('the template lead query returns the open leads newest first, only the selected fields in canonical casing, empty fields as null', async () => {
		const result = await conn.query<SfRecord>(TEMPLATE_SOQL);
		expect(result).toMatchObject({ totalSize: 3, done: true });
		expect(result.records.map((r) => r.Id)).toEqual([leads[3], leads[0], leads[1]]);
		expect(result.records[1]).toEqual({
			attributes: { type: 'Lead', url: `/services/data/v59.0/sobjects/Lead/${leads[0]}` },
			Id: leads[0],
			FirstName: 'Priya',
			LastName: 'Raman',
			Company: 'Tailspin Toys',
			Title: 'COO',
			Email: 'priya@tailspin.example',
			Status: 'Open - Not Contacted',
			Rating: null,
			LeadSource: 'Web',
			Industry: 'Retail',
			Description: 'Wants 12 robots',
		});
		expect(result.records[0]).toMatchObject({ FirstName: null, Title: null, Industry: null });
		const sent = new URL(String(sf.requests.at(-1)?.path), sf.baseUrl);
		expect([sent.pathname, sent.searchParams.get('q'), sf.requests.at(-1)?.status]).toEqual(['/services/data/v59.0/query', TEMPLATE_SOQL, 200]);
	});

	test('keywords, object and field names are case-insensitive; text compares case-insensitively; records keep canonical names', async () => {
		const result = await conn.query<SfRecord>("select id, lastname, createddate from LEAD where STATUS = 'open - not contacted' and leadsource = 'WEB' order by lastname");
		expect(result.records.map((r) => Object.keys(r))).toEqual([
			['attributes', 'Id', 'LastName', 'CreatedDate'],
			['attributes', 'Id', 'LastName', 'CreatedDate'],
		]);
		expect(result.records.map((r) => r.LastName)).toEqual(['Marino', 'Raman']);
		expect(result.records[0].CreatedDate).toMatch(SF_DATE);
	});

	test('WHERE supports !=, <>, IN, NOT IN, LIKE, NOT, = null / != null, and AND/OR inside parentheses; != also matches null', async () => {
		const lastNames = async (where: string): Promise<string[]> => (await conn.query<SfRecord>(`SELECT LastName FROM Lead WHERE ${where} ORDER BY LastName`)).records.map((r) => String(r.LastName));
		expect(await lastNames("Rating != 'Warm'")).toEqual(['Marino', 'Novak', 'Raman']);
		expect(await lastNames("Rating <> 'Warm'")).toEqual(['Marino', 'Novak', 'Raman']);
		expect(await lastNames('Rating = null')).toEqual(['Marino', 'Novak', 'Raman']);
		expect(await lastNames('Rating != null')).toEqual(['Kim']);
		expect(await lastNames("LeadSource IN ('Trade Show', 'web') AND Email != null")).toEqual(['Marino', 'Raman']);
		expect(await lastNames("LeadSource NOT IN ('Web')")).toEqual(['Novak']);
		expect(await lastNames("Company LIKE '%works%'")).toEqual(['Novak']);
		expect(await lastNames("Company LIKE 'Coh_ W%'")).toEqual(['Marino']);
		expect(await lastNames("NOT Company LIKE 'T%'")).toEqual(['Kim', 'Marino', 'Novak']);
		expect(await lastNames("(Status = 'Working - Contacted' OR LeadSource = 'Trade Show') AND LastName != 'Kim'")).toEqual(['Novak']);
		expect(await lastNames("Status = 'Working - Contacted' OR (LeadSource = 'Web' AND Title = 'COO')")).toEqual(['Kim', 'Raman']);
		expect(await lastNames("Description = 'It\\'s' OR LastName = 'Kim'")).toEqual(['Kim']);
	});

	test('numbers, booleans and unquoted dates/datetimes compare by type', async () => {
		sf.seed({
			Opportunity: [
				{ Name: 'Big', StageName: 'Prospecting', CloseDate: '2027-03-01', Amount: 250000 },
				{ Name: 'Small', StageName: 'Prospecting', CloseDate: '2026-11-15', Amount: 9000.5 },
				{ Name: 'Unpriced', StageName: 'Qualification', CloseDate: '2026-12-01' },
			],
		});
		const names = async (soql: string): Promise<string[]> => (await conn.query<SfRecord>(soql)).records.map((r) => String(r.Name));
		expect(await names('SELECT Name FROM Opportunity WHERE Amount > 9000 ORDER BY Amount')).toEqual(['Small', 'Big']);
		expect(await names('SELECT Name FROM Opportunity WHERE Amount <= 9000.5')).toEqual(['Small']);
		expect(await names('SELECT Name FROM Opportunity WHERE CloseDate >= 2026-12-01 ORDER BY CloseDate DESC')).toEqual(['Big', 'Unpriced']);
		expect(await names('SELECT Name FROM Opportunity WHERE IsDeleted = false AND Amount = null')).toEqual(['Unpriced']);
		const since = sfDate(Date.now() - 2.5 * DAY).replace('+0000', 'Z');
		const recent = await conn.query<SfRecord>(`SELECT LastName FROM Lead WHERE CreatedDate > ${since} ORDER BY CreatedDate`);
		expect(recent.records.map((r) => r.LastName)).toEqual(['Raman', 'Marino']);
	});

	test('ORDER BY puts nulls first ascending and last descending (or as NULLS FIRST/LAST says); LIMIT and OFFSET page', async () => {
		const order = async (clause: string): Promise<unknown[]> => (await conn.query<SfRecord>(`SELECT Rating, LastName FROM Lead ORDER BY ${clause}`)).records.map((r) => r.LastName);
		expect(await order('Rating, LastName')).toEqual(['Marino', 'Novak', 'Raman', 'Kim']);
		expect(await order('Rating DESC, LastName DESC')).toEqual(['Kim', 'Raman', 'Novak', 'Marino']);
		expect(await order('Rating ASC NULLS LAST, LastName')).toEqual(['Kim', 'Marino', 'Novak', 'Raman']);
		expect(await order('CreatedDate LIMIT 2')).toEqual(['Kim', 'Novak']);
		expect(await order('CreatedDate LIMIT 2 OFFSET 2')).toEqual(['Raman', 'Marino']);
		const page = await conn.query<SfRecord>('SELECT Id FROM Lead ORDER BY CreatedDate LIMIT 2 OFFSET 3');
		expect(page).toMatchObject({ totalSize: 1, done: true });
	});

	test('SELECT COUNT() answers totalSize with no records', async () => {
		expect(await conn.query("SELECT COUNT() FROM Lead WHERE Status = 'Open - Not Contacted'")).toEqual({ totalSize: 3, done: true, records: [] });
		expect((await get('select count() from Case')).body).toEqual({ totalSize: 0, done: true, records: [] });
	});

	test('a deleted record is left out of query but returned by queryAll with IsDeleted true', async () => {
		const adapter = new SalesforceAdapter({ baseUrl: sf.baseUrl, accessToken: sf.accessToken });
		await adapter.delete('Lead', leads[0]);
		const live = await conn.query<SfRecord>('SELECT Id FROM Lead');
		expect(live.records.map((r) => r.Id)).not.toContain(leads[0]);
		const all = await conn.query<SfRecord>(`SELECT Id, IsDeleted FROM Lead WHERE Id = '${leads[0]}'`, { scanAll: true });
		expect(all.records).toEqual([{ attributes: { type: 'Lead', url: `/services/data/v59.0/sobjects/Lead/${leads[0]}` }, Id: leads[0], IsDeleted: true }]);
		expect(sf.requests.at(-1)?.path).toMatch(/^\/services\/data\/v59\.0\/queryAll\?q=/);
	});

	test('an unknown field → 400 INVALID_FIELD naming the column and the entity, with the row and column of the error', async () => {
		const { status, body } = await get('SELECT Id, Nmae FROM Lead');
		expect(status).toBe(400);
		expect(body).toEqual([
			{
				errorCode: 'INVALID_FIELD',
				message: "\nSELECT Id, Nmae FROM Lead\n           ^\nERROR at Row:1:Column:12\nNo such column 'Nmae' on entity 'Lead'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
			},
		]);
		expect((await get("SELECT Id FROM Lead WHERE Stauts = 'x'")).body).toEqual([expect.objectContaining({ errorCode: 'INVALID_FIELD', message: expect.stringContaining("No such column 'Stauts' on entity 'Lead'") })]);
		expect((await get('SELECT Id FROM Lead ORDER BY Foo')).body).toEqual([expect.objectContaining({ errorCode: 'INVALID_FIELD' })]);
		expect((await get('SELECT Account.Name FROM Contact')).body).toEqual([expect.objectContaining({ errorCode: 'INVALID_FIELD', message: expect.stringContaining("Didn't understand relationship 'Account'") })]);
		await expect(conn.query('SELECT Nmae FROM Lead')).rejects.toMatchObject({ errorCode: 'INVALID_FIELD' });
	});

	test('a value of the wrong type for its field → 400 INVALID_FIELD', async () => {
		expect((await get("SELECT Id FROM Opportunity WHERE Amount > '5'")).body).toEqual([expect.objectContaining({ errorCode: 'INVALID_FIELD', message: expect.stringContaining("value of filter criterion for field 'Amount' must be of type double and should not be enclosed in quotes") })]);
		expect((await get('SELECT Id FROM Lead WHERE LastName = 5')).body).toEqual([expect.objectContaining({ errorCode: 'INVALID_FIELD', message: expect.stringContaining('must be of type string and should be enclosed in quotes') })]);
		expect((await get("SELECT Id FROM Lead WHERE CreatedDate > '2024-01-01'")).body).toEqual([expect.objectContaining({ errorCode: 'INVALID_FIELD' })]);
	});

	test('an unknown object → 400 INVALID_TYPE', async () => {
		const { status, body } = await get('SELECT Id FROM Leads');
		expect(status).toBe(400);
		expect(body).toEqual([{ errorCode: 'INVALID_TYPE', message: expect.stringContaining("ERROR at Row:1:Column:16\nsObject type 'Leads' is not supported.") }]);
		await expect(conn.query('SELECT Id FROM Widget__c')).rejects.toMatchObject({ errorCode: 'INVALID_TYPE' });
	});

	test.each([
		['SELECT Id Lead', "unexpected token: 'Lead'"],
		['SELECT Id FROM Lead WHERE', "unexpected token: '<EOF>'"],
		["SELECT Id FROM Lead WHERE Status = 'a' AND Rating = 'b' OR Title = 'c'", "unexpected token: 'OR'"],
		['SELECT Id FROM Lead LIMIT ten', "unexpected token: 'ten'"],
		["SELECT Id FROM Lead WHERE Status = 'open", 'expecting'],
		['SELECT Id, Id FROM Lead', 'duplicate field selected: Id'],
		['DELETE FROM Lead', "unexpected token: 'DELETE'"],
	])('%s → 400 MALFORMED_QUERY', async (soql, message) => {
		const { status, body } = await get(soql);
		expect(status).toBe(400);
		expect(body).toEqual([{ errorCode: 'MALFORMED_QUERY', message: expect.stringContaining(message) }]);
	});

	test('no q → 400 MALFORMED_QUERY; OFFSET above 2000 → NUMBER_OUTSIDE_VALID_RANGE', async () => {
		expect(await get(undefined)).toEqual({ status: 400, body: [{ errorCode: 'MALFORMED_QUERY', message: 'A query string has to be specified' }] });
		expect((await get('SELECT Id FROM Lead OFFSET 2001')).body).toEqual([expect.objectContaining({ errorCode: 'NUMBER_OUTSIDE_VALID_RANGE' })]);
	});

	test('an invalid or expired token → 401 INVALID_SESSION_ID, for query and queryAll', async () => {
		expect(await get('SELECT Id FROM Lead', 'not-a-token')).toEqual({ status: 401, body: [{ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' }] });
		sf.expireToken();
		expect((await get('SELECT Id FROM Lead', sf.accessToken, 'queryAll')).status).toBe(401);
		await expect(conn.query('SELECT Id FROM Lead')).rejects.toMatchObject({ errorCode: 'INVALID_SESSION_ID' });
	});
});

function parseDate(value: string | undefined): number {
	return Date.parse(String(value).replace('+0000', 'Z'));
}
