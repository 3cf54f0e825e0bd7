/**
 * QuickBooksAdapter (real node-quickbooks) against the local QuickBooks Online emulator.
 */
import * as net from 'node:net';
import QuickBooks from 'node-quickbooks';
import type { QueryCriteria } from 'node-quickbooks';
import { QuickBooksAdapter } from '../../lib/saas/quickbooks';
import { SaasError } from '../../lib/saas/types';
import type { SaasErrorCode } from '../../lib/saas/types';
import { QuickBooksEmulator } from '../emulators/quickbooks';
import type { SeedResult } from '../emulators/quickbooks';

const TOKEN = 'eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0..qbo-secret-token-7f3a9c';

let emu: QuickBooksEmulator;
let base: string;
let seeded: SeedResult;
let qbo: QuickBooksAdapter;

function adapter(overrides: { accessToken?: string; baseUrl?: string; timeoutMs?: number; realmId?: string } = {}): QuickBooksAdapter {
	return new QuickBooksAdapter({
		baseUrl: overrides.baseUrl ?? base,
		accessToken: overrides.accessToken ?? TOKEN,
		realmId: overrides.realmId ?? emu.realmId,
		timeoutMs: overrides.timeoutMs ?? 5000,
	});
}

async function failure(p: Promise<unknown>): Promise<SaasError> {
	try {
		await p;
	} catch (err) {
		if (err instanceof SaasError) return err;
		throw err;
	}
	throw new Error('expected a SaasError');
}

async function expectCode(p: Promise<unknown>, code: SaasErrorCode): Promise<SaasError> {
	const err = await failure(p);
	expect(err.system).toBe('quickbooks');
	expect({ code: err.code, message: err.message }).toEqual({ code, message: expect.any(String) });
	expect(err.message).not.toContain(TOKEN);
	return err;
}

beforeEach(async () => {
	emu = new QuickBooksEmulator({ accessToken: TOKEN });
	base = await emu.start();
	seeded = emu.seed();
	qbo = adapter();
});

afterEach(async () => {
	await emu.stop();
});

describe('emulator', () => {
	it('serves seeded data the way node-quickbooks asks for it (minorversion, format=json)', async () => {
		const img = await qbo.read('Invoice', seeded.Invoice[0]);
		expect(img.fields.Line).toHaveLength(2);
		expect(img.fields.TotalAmt).toBe(215);
		const get = emu.requests.find((r) => r.method === 'GET');
		expect(get?.path).toBe(`/v3/company/${emu.realmId}/invoice/${seeded.Invoice[0]}`);
		expect(get?.query).toMatchObject({ minorversion: '75', format: 'json' });
		expect(seeded.Customer).toHaveLength(5);
		expect(seeded.Bill.length).toBeGreaterThan(0);
		expect(seeded.Payment.length).toBeGreaterThan(0);
		// the seeded payment was applied to invoice #2: its balance went down and its SyncToken moved
		const paid = await qbo.read('Invoice', seeded.Invoice[1], ['Balance', 'TotalAmt']);
		expect(paid.fields).toEqual({ Balance: 100, TotalAmt: 275 });
		expect(paid.marker).toEqual({ SyncToken: '1' });
	});
});

describe.each([
	{ entity: 'Invoice', change: { PrivateNote: 'agent was here', DueDate: '2031-01-31' } },
	{ entity: 'Customer', change: { Notes: 'VIP, call before delivery', CompanyName: 'Amy Bird Sanctuary LLC' } },
	{ entity: 'Bill', change: { PrivateNote: 'approved by agent', DueDate: '2031-02-28' } },
	{ entity: 'Payment', change: { PrivateNote: 'matched to bank feed', PaymentRefNum: 'R-77' } },
] as const)('$entity', ({ entity, change }) => {
	const fields = Object.keys(change);
	const pick = (): string => seeded[entity][0];

	function newRecord(): Record<string, unknown> {
		switch (entity) {
			case 'Invoice':
				return { CustomerRef: { value: seeded.Customer[2] }, Line: [{ DetailType: 'SalesItemLineDetail', Amount: 99.5, SalesItemLineDetail: { ItemRef: { value: '6' } } }] };
			case 'Customer':
				return { DisplayName: `Agent Test Customer ${Date.now()}`, PrimaryEmailAddr: { Address: 'agent@example.com' } };
			case 'Bill':
				return { VendorRef: { value: '41' }, Line: [{ DetailType: 'AccountBasedExpenseLineDetail', Amount: 12.3, AccountBasedExpenseLineDetail: { AccountRef: { value: '77' } } }] };
			case 'Payment':
				return { CustomerRef: { value: seeded.Customer[3] }, TotalAmt: 42 };
		}
	}

	it('round trip: read named fields, update with marker, read back', async () => {
		const id = pick();
		const before = await qbo.read(entity.toLowerCase(), id, fields);
		expect(Object.keys(before.fields).sort()).toEqual([...fields].sort());
		expect(before.marker).toEqual({ SyncToken: expect.stringMatching(/^\d+$/) });

		const arg = { ...change };
		const { marker } = await qbo.update(entity, id, arg, before.marker);
		expect(arg).toEqual(change); // the library mutates its argument; the adapter copies
		expect(Number(marker.SyncToken)).toBe(Number(before.marker.SyncToken) + 1);

		const after = await qbo.read(entity, id, fields);
		expect(after.fields).toEqual(change);
		expect(after.marker).toEqual(marker);
		const stored = emu.get(entity, id);
		expect(stored?.SyncToken).toBe(marker.SyncToken);
		expect((stored?.MetaData as { LastUpdatedTime: string }).LastUpdatedTime).toEqual(expect.any(String));

		// the update was sparse: fields not named are kept
		const whole = await qbo.read(entity, id);
		expect(whole.fields.Id).toBe(id);
		expect(whole.fields.MetaData).toBeDefined();
		const update = emu.requests.find((r) => r.query.operation === 'update');
		expect(update?.body).toMatchObject({ ...change, Id: id, SyncToken: before.marker.SyncToken, sparse: true });
	});

	it('update without a marker reads the current SyncToken first', async () => {
		const id = pick();
		emu.humanEdit(entity, id, { PrivateNote: 'human touch' });
		const current = emu.get(entity, id)?.SyncToken;
		const { marker } = await qbo.update(entity, id, change);
		expect(marker.SyncToken).toBe(String(Number(current) + 1));
	});

	it('create, read, then field names are case-insensitive', async () => {
		const { id, marker } = await qbo.create(entity, newRecord());
		expect(id).toMatch(/^\d+$/);
		expect(marker).toEqual({ SyncToken: '0' });
		const lowerName = fields[0].toLowerCase();
		const img = await qbo.read(entity, id, [lowerName]);
		expect(Object.keys(img.fields)).toEqual([lowerName]);
		expect(img.fields[lowerName]).toBeNull();
		const upd = await qbo.update(entity, id, { [lowerName]: change[fields[0] as keyof typeof change] }, marker);
		expect(upd.marker).toEqual({ SyncToken: '1' });
	});

	it('a human edit after our read → conflict (stale SyncToken, Fault 5010), nothing written', async () => {
		const id = pick();
		const before = await qbo.read(entity, id, fields);
		emu.humanEdit(entity, id, { PrivateNote: 'edited in the QuickBooks UI' });
		const err = await expectCode(qbo.update(entity, id, change, before.marker), 'conflict');
		expect(err.status).toBe(400);
		expect(err.message).toMatch(/5010|Stale/);
		expect(emu.get(entity, id)?.PrivateNote).toBe('edited in the QuickBooks UI');
		for (const f of fields) {
			if (f !== 'PrivateNote') expect(emu.get(entity, id)?.[f]).not.toEqual(change[f as keyof typeof change]);
		}
	});

	it('delete then restore', async () => {
		const id = pick();
		const snapshot = (await qbo.read(entity, id)).fields;
		await qbo.delete(entity, id);
		if (entity === 'Customer') {
			// QuickBooks cannot delete customers: they are made inactive, and restore reactivates the same record
			expect(emu.get('Customer', id)?.Active).toBe(false);
			const restored = await qbo.restore(entity, id, snapshot);
			expect(restored).toEqual({ id, recreated: false });
			expect(emu.get('Customer', id)?.Active).toBe(true);
			return;
		}
		expect(emu.isDeleted(entity, id)).toBe(true);
		await expectCode(qbo.read(entity, id), 'not_found');
		await expectCode(qbo.restore(entity, id), 'invalid_request'); // cannot undelete without a snapshot
		const restored = await qbo.restore(entity, id, snapshot);
		expect(restored.recreated).toBe(true);
		expect(restored.id).toMatch(/^\d+$/);
		expect(restored.id).not.toBe(id);
		const again = await qbo.read(entity, restored.id);
		for (const key of ['Line', 'PrivateNote', 'DocNumber', 'CustomerRef', 'VendorRef', 'TotalAmt']) {
			if (snapshot[key] !== undefined) expect(again.fields[key]).toEqual(snapshot[key]);
		}
		expect(again.marker).toEqual({ SyncToken: '0' });
		// restoring something that exists is a no-op
		await expect(qbo.restore(entity, restored.id, snapshot)).resolves.toEqual({ id: restored.id, recreated: false });
	});

	it('delete with a stale record in between still deletes the current version (reads its SyncToken)', async () => {
		if (entity === 'Customer') return;
		const id = pick();
		const token = emu.humanEdit(entity, id, { PrivateNote: 'x' }).SyncToken;
		await qbo.delete(entity, id);
		expect(emu.isDeleted(entity, id)).toBe(true);
		const del = emu.requests.find((r) => r.query.operation === 'delete');
		expect(del?.body).toEqual({ Id: id, SyncToken: token });
	});

	it('unknown field → unknown_field before anything is sent', async () => {
		const id = pick();
		const n = emu.requests.length;
		await expectCode(qbo.read(entity, id, ['NoSuchField']), 'unknown_field');
		await expectCode(qbo.update(entity, id, { Bogus__c: 1 }), 'unknown_field');
		await expectCode(qbo.create(entity, { ...newRecord(), Nope: true }), 'unknown_field');
		expect(emu.requests.length).toBe(n);
	});

	it('server-owned fields cannot be written', async () => {
		await expectCode(qbo.update(entity, pick(), { SyncToken: '99' }), 'invalid_request');
		await expectCode(qbo.create(entity, { ...newRecord(), Id: '5' }), 'invalid_request');
	});
});

describe('errors', () => {
	it('unknown entity → unknown_object', async () => {
		await expectCode(qbo.read('Vendorz', '1'), 'unknown_object');
		await expectCode(qbo.create('Account', {}), 'unknown_object');
		await expectCode(qbo.update('Opportunity', '1', { Name: 'x' }), 'unknown_object');
		await expectCode(qbo.delete('ticket', '1'), 'unknown_object');
	});

	it('ids that are not digit strings → invalid_request, nothing sent', async () => {
		const n = emu.requests.length;
		for (const bad of ['abc', '12a', '', '../companyinfo/1', '1 OR 1=1', '0013000000XyZ12AAB', ' 5']) {
			await expectCode(qbo.read('Invoice', bad), 'invalid_request');
			await expectCode(qbo.update('Customer', bad, { Notes: 'x' }), 'invalid_request');
			await expectCode(qbo.delete('Bill', bad), 'invalid_request');
		}
		await expectCode(qbo.read('Invoice', 12 as unknown as string), 'invalid_request');
		expect(emu.requests.length).toBe(n);
	});

	it('a missing record → not_found (Fault 610)', async () => {
		const err = await expectCode(qbo.read('Invoice', '987654'), 'not_found');
		expect(err.status).toBe(400);
		await expectCode(qbo.update('Customer', '987654', { Notes: 'x' }), 'not_found');
		await expectCode(qbo.delete('Payment', '987654'), 'not_found');
	});

	it('a marker without a SyncToken → invalid_request', async () => {
		await expectCode(qbo.update('Invoice', seeded.Invoice[0], { PrivateNote: 'x' }, { LastModifiedDate: '2020-01-01' }), 'invalid_request');
	});

	it('validation faults from QuickBooks → invalid_request (missing required, bad reference, duplicate name)', async () => {
		await expectCode(qbo.create('Invoice', { CustomerRef: { value: seeded.Customer[0] } }), 'invalid_request');
		await expectCode(qbo.create('Invoice', { CustomerRef: { value: '999999' }, Line: [{ Amount: 1, DetailType: 'SalesItemLineDetail', SalesItemLineDetail: {} }] }), 'invalid_request');
		const dup = await expectCode(qbo.create('customer', { DisplayName: 'Cool Cars' }), 'invalid_request');
		expect(dup.message).toMatch(/Duplicate Name/);
	});

	it('expired token → unauthorized (401, Fault 3200) and the token is never in the message', async () => {
		emu.expireToken();
		for (const p of [qbo.read('Invoice', seeded.Invoice[0]), qbo.update('Customer', seeded.Customer[0], { Notes: 'x' }), qbo.ping()]) {
			const err = await expectCode(p, 'unauthorized');
			expect(err.status).toBe(401);
			expect(err.retryable).toBe(false);
			expect(err.message).not.toContain(TOKEN);
			expect(err.message).not.toMatch(/Bearer\s+\S{8,}/);
			expect(JSON.stringify(err)).not.toContain(TOKEN);
			expect(String(err.stack)).not.toContain(TOKEN);
		}
		const fresh = emu.issueToken();
		await expect(adapter({ accessToken: fresh }).ping()).resolves.toBeUndefined();
	});

	it('a wrong token → unauthorized; a wrong realm → unauthorized; a bad realm id is refused up front', async () => {
		await expectCode(adapter({ accessToken: 'not-the-token' }).ping(), 'unauthorized');
		await expectCode(adapter({ realmId: '123' }).read('Invoice', seeded.Invoice[0]), 'unauthorized');
		expect(() => adapter({ realmId: 'abc' })).toThrow(SaasError);
	});

	it('ping reads companyinfo/<realm>', async () => {
		await qbo.ping();
		expect(emu.requests.at(-1)?.path).toBe(`/v3/company/${emu.realmId}/companyinfo/${emu.realmId}`);
	});

	it('throttling → rate_limited (retryable); a 503 → system_unavailable (retryable)', async () => {
		emu.failNext(429);
		const limited = await expectCode(qbo.read('Invoice', seeded.Invoice[0]), 'rate_limited');
		expect(limited.retryable).toBe(true);
		expect(limited.status).toBe(429);
		emu.failNext(503);
		const down = await expectCode(qbo.ping(), 'system_unavailable');
		expect(down.retryable).toBe(true);
		await expect(qbo.ping()).resolves.toBeUndefined();
	});

	it('emulator stopped → system_unavailable, retryable', async () => {
		await emu.stop();
		const err = await expectCode(qbo.read('Invoice', seeded.Invoice[0]), 'system_unavailable');
		expect(err.retryable).toBe(true);
		expect(err.message).toMatch(/ECONNREFUSED|unreachable/);
		await expectCode(qbo.update('Invoice', seeded.Invoice[0], { PrivateNote: 'x' }, { SyncToken: '0' }), 'system_unavailable');
	});

	it('a server that never answers → system_unavailable after timeoutMs (node-quickbooks has no timeout of its own)', async () => {
		const sockets = new Set<net.Socket>();
		let closedByClient = 0;
		const silent = net.createServer((s) => {
			// accepts, never replies
			sockets.add(s);
			s.resume(); // read, so that the client's hang-up is seen
			s.on('close', () => {
				closedByClient += 1;
			});
		});
		await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
		const port = (silent.address() as net.AddressInfo).port;
		try {
			const slow = adapter({ baseUrl: `http://127.0.0.1:${port}/v3/company/`, timeoutMs: 300 });
			const err = await expectCode(slow.read('Invoice', '1'), 'system_unavailable');
			expect(err.message).toMatch(/300 ms/);
			const w = await expectCode(slow.update('Invoice', '1', { PrivateNote: 'x' }, { SyncToken: '0' }), 'system_unavailable');
			expect(w.retryable).toBe(false);
			expect(w.message).toMatch(/may or may not/);
			// the adapter aborted the abandoned requests: their sockets were closed by the client
			for (let i = 0; i < 40 && closedByClient < 2; i++) await new Promise((r) => setTimeout(r, 50));
			expect(closedByClient).toBe(2);
		} finally {
			for (const s of sockets) s.destroy();
			await new Promise<void>((r) => silent.close(() => r()));
		}
	});

	it('a slow emulator past the timeout → system_unavailable', async () => {
		emu.setLatency(1000);
		await expectCode(adapter({ timeoutMs: 200 }).ping(), 'system_unavailable');
		emu.setLatency(0);
	});
});

describe('requestid idempotency in the emulator', () => {
	it('a repeated requestid returns the first response', async () => {
		const url = `${base}${emu.realmId}/customer?requestid=abc-1&minorversion=75`;
		const post = (): Promise<Record<string, { Id: string }>> =>
			fetch(url, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ DisplayName: 'Once Only' }) }).then((r) => r.json() as Promise<Record<string, { Id: string }>>);
		const a = await post();
		const b = await post();
		expect(b.Customer.Id).toBe(a.Customer.Id);
	});
});

describe('query endpoint (node-quickbooks find* and raw HTTP)', () => {
	type QueryBody = { QueryResponse: Record<string, unknown>; time: string };
	const TEMPLATE_QUERY = "select * from Invoice where Balance > '0' maxresults 20";
	const queryUrl = (q: string): string => `${base}${emu.realmId}/query?query=${encodeURIComponent(q)}&minorversion=75`;
	const raw = async (q: string, token = TOKEN): Promise<{ status: number; body: QueryBody & { Fault?: { Error: Array<Record<string, string>>; type: string } } }> => {
		const res = await fetch(queryUrl(q), { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } });
		return { status: res.status, body: (await res.json()) as QueryBody };
	};
	/** node-quickbooks' findInvoices / findCustomers: criteria become a `select * from … where …` GET. */
	const find = (entity: 'Invoice' | 'Customer', criteria: QueryCriteria | QueryCriteria[]): Promise<QueryBody> => {
		const client = new QuickBooks('', '', TOKEN, false, emu.realmId, false, false, null, '2.0', null);
		client.endpoint = base;
		return new Promise((resolve, reject) => {
			const done = (err: unknown, data?: unknown): void => (err ? reject(err instanceof Error ? err : new Error(JSON.stringify(err))) : resolve(data as QueryBody));
			if (entity === 'Invoice') client.findInvoices(criteria as QueryCriteria, done);
			else client.findCustomers(criteria as QueryCriteria, done);
		});
	};
	const ids = (body: QueryBody, entity = 'Invoice'): string[] => ((body.QueryResponse[entity] ?? []) as Array<{ Id: string }>).map((r) => r.Id);
	const lastQuery = (): string => emu.requests.filter((r) => r.path.endsWith('/query')).at(-1)?.query.query ?? '';

	it('the template query compares a quoted number numerically and answers { QueryResponse: { Invoice, startPosition, maxResults }, time }', async () => {
		// Pay invoice 3 in full: it drops out of "Balance > '0'".
		emu.seed({ Payment: [{ CustomerRef: { value: seeded.Customer[4] }, TotalAmt: 70, Line: [{ Amount: 70, LinkedTxn: [{ TxnId: seeded.Invoice[3], TxnType: 'Invoice' }] }] }] });
		const { status, body } = await raw(TEMPLATE_QUERY);
		expect(status).toBe(200);
		expect(body).toEqual({ QueryResponse: { Invoice: expect.any(Array), startPosition: 1, maxResults: 3 }, time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) });
		expect(ids(body)).toEqual(seeded.Invoice.slice(0, 3));
		expect(body.QueryResponse.Invoice).toEqual(seeded.Invoice.slice(0, 3).map((id) => emu.get('Invoice', id)));
		// Balances 215, 100, 442.5: as text '100' < '99' would hold; as numbers it does not.
		expect(ids((await raw("select * from Invoice where Balance > '99'")).body)).toEqual(seeded.Invoice.slice(0, 3));
		expect(ids((await raw("select * from Invoice where Balance > '100'")).body)).toEqual([seeded.Invoice[0], seeded.Invoice[2]]);
	});

	it('findInvoices / findCustomers criteria: = on a reference, > on a number, IN, LIKE with an escaped quote', async () => {
		expect(ids(await find('Invoice', { CustomerRef: seeded.Customer[2] }))).toEqual([seeded.Invoice[2]]);
		expect(lastQuery()).toBe(`select * from invoice where CustomerRef = '${seeded.Customer[2]}' startposition 1 maxresults 1000`);
		expect(ids(await find('Invoice', [{ field: 'TotalAmt', value: 250, operator: '>' }]))).toEqual([seeded.Invoice[1], seeded.Invoice[2]]);
		expect(ids(await find('Invoice', [{ field: 'DocNumber', value: ['1001', '1004'], operator: 'IN' }]))).toEqual([seeded.Invoice[0], seeded.Invoice[3]]);
		const customers = await find('Customer', [{ field: 'DisplayName', value: "bill's%", operator: 'LIKE' }]);
		expect(lastQuery()).toContain("DisplayName LIKE 'bill\\'s%'");
		expect(ids(customers, 'Customer')).toEqual([seeded.Customer[1]]);
	});

	it('orderby, startposition and maxresults page the results; node-quickbooks fetchAll follows the pages', async () => {
		const top = await find('Invoice', { desc: 'TotalAmt', limit: 2 });
		expect(ids(top)).toEqual([seeded.Invoice[2], seeded.Invoice[1]]);
		expect(top.QueryResponse).toMatchObject({ startPosition: 1, maxResults: 2 });
		const second = await raw('select * from Invoice orderby Id startposition 3 maxresults 2');
		expect(ids(second.body)).toEqual(seeded.Invoice.slice(2, 4));
		expect(second.body.QueryResponse).toMatchObject({ startPosition: 3, maxResults: 2 });
		const before = emu.requests.length;
		const all = await find('Invoice', [{ field: 'fetchAll', value: true }, { field: 'limit', value: 3 }, { field: 'asc', value: 'Id' }]);
		expect(ids(all)).toEqual(seeded.Invoice);
		expect(emu.requests.length - before).toBe(2);
	});

	it('count(*) answers totalCount; no match answers an empty QueryResponse; keywords and entity names are case-insensitive', async () => {
		expect((await find('Invoice', { count: true })).QueryResponse).toEqual({ totalCount: 4 });
		expect((await raw("SELECT COUNT(*) FROM invoice WHERE Balance > '150'")).body.QueryResponse).toEqual({ totalCount: 2 });
		const none = await raw("Select * From INVOICE Where DocNumber = 'no-such' MaxResults 5");
		expect(none).toEqual({ status: 200, body: { QueryResponse: {}, time: expect.any(String) } });
	});

	it('a query POSTed as an application/text body is answered like the GET', async () => {
		const res = await fetch(`${base}${emu.realmId}/query?minorversion=75`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/text', Accept: 'application/json' },
			body: TEMPLATE_QUERY,
		});
		expect(res.status).toBe(200);
		const posted = (await res.json()) as QueryBody;
		expect(ids(posted)).toEqual(seeded.Invoice);
		expect(posted).toEqual({ ...(await raw(TEMPLATE_QUERY)).body, time: expect.any(String) });
	});

	it('inactive customers are left out unless the query names Active', async () => {
		emu.humanEdit('Customer', seeded.Customer[3], { Active: false });
		expect(ids(await find('Customer', {}), 'Customer')).toEqual(seeded.Customer.filter((_, i) => i !== 3));
		expect(ids((await raw('select * from Customer where Active = false')).body, 'Customer')).toEqual([seeded.Customer[3]]);
		expect(ids((await raw('select * from Customer where Active in (true, false)')).body, 'Customer')).toEqual(seeded.Customer);
	});

	it('dates compare as instants, including MetaData.LastUpdatedTime', async () => {
		const since = new Date().toISOString();
		await new Promise((r) => setTimeout(r, 5));
		emu.humanEdit('Invoice', seeded.Invoice[1], { PrivateNote: 'edited' });
		expect(ids((await raw(`select * from Invoice where MetaData.LastUpdatedTime > '${since}'`)).body)).toEqual([seeded.Invoice[1]]);
		expect((await raw(`select count(*) from Invoice where TxnDate <= '${new Date().toISOString().slice(0, 10)}'`)).body.QueryResponse).toEqual({ totalCount: 4 });
	});

	it.each([
		["select * from Invoice where Balance > '0' or Balance < '0'", 'Encountered " <IDENTIFIER> "or "" at line 1, column 43.'],
		['select * from Invoice where', 'Encountered "<EOF>" at line 1, column 28.'],
		["select * from Invoice where Balance != '0'", 'Encountered " <UNKNOWN> "! "" at line 1, column 37.'],
		['select * from Invoice maxresults many', 'Encountered " <IDENTIFIER> "many "" at line 1, column 34.'],
		["select * from Invoice where DocNumber = '1001", 'Encountered "<EOF>" at line 1, column 46.'],
		['delete from Invoice', 'Encountered " <IDENTIFIER> "delete "" at line 1, column 1.'],
	])('%s → 400 Fault 4000 QueryParserError', async (q, detail) => {
		const { status, body } = await raw(q);
		expect(status).toBe(400);
		expect(body.Fault).toEqual({ Error: [{ Message: 'Error parsing query', Detail: `QueryParserError: ${detail}`, code: '4000', element: '' }], type: 'ValidationFault' });
	});

	it('an unknown property or entity → 400 Fault 4001 QueryValidationError', async () => {
		const property = await raw("select * from Invoice where Balanse > '0'");
		expect(property.status).toBe(400);
		expect(property.body.Fault?.Error[0]).toMatchObject({ Message: 'Invalid query', Detail: "QueryValidationError: property 'Balanse' is not queryable", code: '4001' });
		expect((await raw('select * from Invoice orderby Nope')).body.Fault?.Error[0].code).toBe('4001');
		expect((await raw('select * from Invoices')).body.Fault?.Error[0]).toMatchObject({ code: '4001', Detail: expect.stringContaining('Invoices') });
	});

	it('a wrong or expired token → 401 Fault 3200, as on every other endpoint', async () => {
		const wrong = await raw(TEMPLATE_QUERY, 'not-the-token');
		expect(wrong.status).toBe(401);
		expect(wrong.body.Fault).toMatchObject({ Error: [{ code: '3200' }], type: 'AUTHENTICATION' });
		emu.expireToken();
		expect((await raw(TEMPLATE_QUERY)).status).toBe(401);
		await expect(find('Invoice', {})).rejects.toThrow();
	});
});
