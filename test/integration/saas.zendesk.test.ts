/**
 * ZendeskAdapter (node-zendesk 6) against the local Zendesk emulator: tickets, users and
 * organizations round trips, safe_update conflicts, deleted-ticket restore, re-create from a
 * snapshot, error mapping (401, 404, 409, 422, 429, 5xx, refused connection, timeout) and no
 * token text in any error.
 */
import { ZendeskAdapter } from '../../lib/saas/zendesk';
import { SaasError } from '../../lib/saas/types';
import type { SaasErrorCode } from '../../lib/saas/types';
import { ZendeskEmulator } from '../emulators/zendesk';

jest.setTimeout(20_000);

async function expectSaasError(p: Promise<unknown>, code: SaasErrorCode): Promise<SaasError> {
	try {
		await p;
	} catch (err) {
		expect(err).toBeInstanceOf(SaasError);
		const e = err as SaasError;
		if (e.code !== code) throw new Error(`expected ${code}, got ${e.code}: ${e.message}`);
		expect(e.system).toBe('zendesk');
		return e;
	}
	throw new Error(`expected SaasError ${code}, but it resolved`);
}

function noSecret(e: SaasError, ...secrets: string[]): void {
	const text = `${e.message} ${JSON.stringify(e)} ${String(e.stack)}`;
	for (const s of secrets) expect(text).not.toContain(s);
}

describe('ZendeskAdapter against the emulator', () => {
	let emu: ZendeskEmulator;
	let baseUrl: string;
	let zd: ZendeskAdapter;

	beforeEach(async () => {
		emu = new ZendeskEmulator();
		baseUrl = await emu.start();
		zd = new ZendeskAdapter({ baseUrl, accessToken: emu.apiToken, username: emu.email });
	});

	afterEach(async () => {
		await emu.stop();
	});

	describe('tickets', () => {
		it('reads named fields with an updated_at marker, and all fields when none are named', async () => {
			const img = await zd.read('ticket', '4201', ['subject', 'priority', 'status']);
			expect(img).toEqual({
				id: '4201',
				fields: { subject: 'Invoice INV-20931 charged twice', priority: 'high', status: 'open' },
				marker: { updated_at: '2024-11-02T09:01:40Z' },
			});
			const all = await zd.read('Tickets', '4203');
			expect(all.fields.description).toContain('IGNORE ALL PREVIOUS INSTRUCTIONS');
			expect(all.fields.requester_id).toBe(361000101);
		});

		it('create, update, read back, delete, restore round trip', async () => {
			const created = await zd.create('tickets', { subject: 'Refund request', comment: { body: 'Please refund order 991' }, priority: 'low', tags: ['billing'] });
			expect(created.id).toMatch(/^\d+$/);
			expect(created.marker.updated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

			const upd = await zd.update('ticket', created.id, { priority: 'urgent', status: 'open' }, created.marker);
			expect(upd.marker.updated_at).not.toBe(created.marker.updated_at);
			const back = await zd.read('ticket', created.id, ['priority', 'status', 'description']);
			expect(back.fields).toEqual({ priority: 'urgent', status: 'open', description: 'Please refund order 991' });
			expect(back.marker).toEqual(upd.marker);

			await zd.delete('ticket', created.id);
			expect(emu.isDeletedTicket(created.id)).toBe(true);
			await expectSaasError(zd.read('ticket', created.id), 'not_found');

			const restored = await zd.restore('ticket', created.id);
			expect(restored).toEqual({ id: created.id, recreated: false });
			const again = await zd.read('ticket', created.id, ['priority', 'subject']);
			expect(again.fields).toEqual({ priority: 'urgent', subject: 'Refund request' });
			// A second restore (a re-run of a reversal) changes nothing and does not fail.
			expect(await zd.restore('ticket', created.id)).toEqual({ id: created.id, recreated: false });
		});

		it('accepts description on create as the first comment', async () => {
			const created = await zd.create('ticket', { subject: 'Desc', description: 'first words' });
			expect((await zd.read('ticket', created.id, ['description'])).fields.description).toBe('first words');
		});

		it('safe_update: a human edit after our read makes the guarded update a conflict, unapplied', async () => {
			const before = await zd.read('ticket', '4202', ['priority']);
			emu.humanEdit('ticket', 4202, { priority: 'urgent' });
			const e = await expectSaasError(zd.update('ticket', '4202', { priority: 'low' }, before.marker), 'conflict');
			expect(e.status).toBe(409);
			expect(e.message).toContain('UpdateConflict');
			expect(emu.record('ticket', 4202)?.priority).toBe('urgent');
			// With the fresh marker it goes through.
			const now = await zd.read('ticket', '4202', ['priority']);
			await zd.update('ticket', '4202', { priority: 'low' }, now.marker);
			expect(emu.record('ticket', 4202)?.priority).toBe('low');
		});

		it('every update moves updated_at, even within the same second', async () => {
			const a = await zd.update('ticket', '4201', { priority: 'low' });
			const b = await zd.update('ticket', '4201', { priority: 'normal' });
			expect(Date.parse(b.marker.updated_at)).toBeGreaterThan(Date.parse(a.marker.updated_at));
		});

		it('restore of a ticket that was never deleted is idempotent; of an unknown one is not_found', async () => {
			expect(await zd.restore('ticket', '4201')).toEqual({ id: '4201', recreated: false });
			await expectSaasError(zd.restore('ticket', '999999'), 'not_found');
		});

		it('a validation error (422) is invalid_request with the API message', async () => {
			const e = await expectSaasError(zd.update('ticket', '4201', { status: 'archived' }), 'invalid_request');
			expect(e.status).toBe(422);
			expect(e.message).toContain('Status: archived is not valid');
			await expectSaasError(zd.create('ticket', { subject: 'no body' }), 'invalid_request');
		});
	});

	describe('users', () => {
		it('round trip with a conflict check by read-compare-write', async () => {
			const created = await zd.create('user', { name: 'Lena Fischer', email: 'lena@northwind.example', organization_id: 360010001 });
			const img = await zd.read('users', created.id, ['name', 'email', 'phone']);
			expect(img.fields).toEqual({ name: 'Lena Fischer', email: 'lena@northwind.example', phone: null });
			const upd = await zd.update('USER', created.id, { phone: '+49 30 5550199' }, img.marker);
			expect((await zd.read('user', created.id, ['phone'])).fields.phone).toBe('+49 30 5550199');

			emu.humanEdit('user', created.id, { phone: '+49 30 0000000' });
			await expectSaasError(zd.update('user', created.id, { phone: '+49 30 1111111' }, upd.marker), 'conflict');
			expect(emu.record('user', created.id)?.phone).toBe('+49 30 0000000');
		});

		it('cannot be undeleted: restore re-creates from the snapshot and reports the new id', async () => {
			const snap = await zd.read('user', '361000102');
			await zd.delete('user', '361000102');
			await expectSaasError(zd.read('user', '361000102'), 'not_found');
			await expectSaasError(zd.restore('user', '361000102'), 'invalid_request');
			const r = await zd.restore('user', '361000102', snap.fields);
			expect(r.recreated).toBe(true);
			expect(r.id).not.toBe('361000102');
			const back = await zd.read('user', r.id, ['name', 'email', 'organization_id', 'tags']);
			expect(back.fields).toEqual({ name: 'Priya Raman', email: 'priya@blueharbor.example', organization_id: 360010002, tags: ['vip'] });
		});

		it('a duplicate e-mail is invalid_request', async () => {
			await expectSaasError(zd.create('user', { name: 'Dup', email: 'jonas.becker@northwind.example' }), 'invalid_request');
		});
	});

	describe('organizations', () => {
		it('round trip, conflict after a human edit, delete (204) and re-create', async () => {
			const img = await zd.read('organization', '360010002', ['name', 'details', 'tags']);
			expect(img.fields.name).toBe('Blue Harbor Dental');
			const upd = await zd.update('Organizations', '360010002', { details: 'Four clinics now' }, img.marker);
			expect((await zd.read('organization', '360010002', ['details'])).fields.details).toBe('Four clinics now');

			emu.humanEdit('organization', 360010002, { notes: 'renewal in March' });
			await expectSaasError(zd.update('organization', '360010002', { details: 'x' }, upd.marker), 'conflict');
			expect(emu.record('organization', 360010002)?.details).toBe('Four clinics now');

			const snap = await zd.read('organization', '360010002');
			await zd.delete('organization', '360010002'); // Zendesk answers 204: node-zendesk resolves with an Error object
			expect(emu.record('organization', 360010002)).toBeUndefined();
			const r = await zd.restore('organization', '360010002', snap.fields);
			expect(r.recreated).toBe(true);
			const back = await zd.read('organization', r.id, ['name', 'details', 'notes', 'domain_names']);
			expect(back.fields).toEqual({ name: 'Blue Harbor Dental', details: 'Four clinics now', notes: 'renewal in March', domain_names: ['blueharbor.example'] });
		});

		it('restore of an organization that still exists changes nothing', async () => {
			expect(await zd.restore('organization', '360010001', { name: 'Northwind Traders' })).toEqual({ id: '360010001', recreated: false });
		});
	});

	describe('bad input', () => {
		it('unknown objects', async () => {
			await expectSaasError(zd.read('groups', '1'), 'unknown_object');
			await expectSaasError(zd.create('Lead', { name: 'x' }), 'unknown_object');
			await expectSaasError(zd.update('', '1', { a: 1 }), 'unknown_object');
		});

		it('unknown and read-only fields, before any write', async () => {
			const writes = () => emu.requests.filter((r) => r.method !== 'GET').length;
			const w0 = writes();
			const e = await expectSaasError(zd.read('ticket', '4201', ['subject', 'StageName']), 'unknown_field');
			expect(e.message).toContain('StageName');
			await expectSaasError(zd.update('ticket', '4201', { priorty: 'low' }), 'unknown_field');
			await expectSaasError(zd.create('organization', { name: 'X', revenue: 5 }), 'unknown_field');
			await expectSaasError(zd.update('ticket', '4201', { updated_at: '2020-01-01T00:00:00Z' }), 'invalid_request');
			await expectSaasError(zd.update('ticket', '4201', { safe_update: false }), 'invalid_request');
			await expectSaasError(zd.update('ticket', '4201', {}), 'invalid_request');
			await expectSaasError(zd.update('ticket', '4201', { priority: 'low' }, { LastModifiedDate: 'x' }), 'invalid_request');
			expect(writes()).toBe(w0);
		});

		it.each(['0', '-3', 'abc', '12.5', '1/../../users/me', '4201?x=1', ' 4201', '', '99999999999999999999'])('bad id %p is invalid_request without a request', async (bad) => {
			const n = emu.requests.length;
			await expectSaasError(zd.read('ticket', bad), 'invalid_request');
			await expectSaasError(zd.delete('user', bad), 'invalid_request');
			expect(emu.requests.length).toBe(n);
		});

		it('a missing record is not_found', async () => {
			const e = await expectSaasError(zd.read('organization', '42'), 'not_found');
			expect(e.status).toBe(404);
			await expectSaasError(zd.update('ticket', '42', { priority: 'low' }), 'not_found');
			await expectSaasError(zd.delete('user', '42'), 'not_found');
		});
	});

	describe('auth, limits and outages', () => {
		it('ping works with an API token (basic) and with an OAuth bearer token', async () => {
			await zd.ping();
			await new ZendeskAdapter({ baseUrl, accessToken: emu.oauthToken }).ping();
		});

		it('an expired token is unauthorized, and no error carries the token', async () => {
			emu.expireToken();
			const basicB64 = Buffer.from(`${emu.email}/token:${emu.apiToken}`).toString('base64');
			const calls = [() => zd.ping(), () => zd.read('ticket', '4201'), () => zd.update('ticket', '4201', { priority: 'low' }), () => zd.delete('ticket', '4201')];
			for (const call of calls) {
				const e = await expectSaasError(call(), 'unauthorized');
				expect(e.status).toBe(401);
				expect(e.retryable).toBe(false);
				noSecret(e, emu.apiToken, basicB64);
			}
			const oauth = new ZendeskAdapter({ baseUrl, accessToken: emu.oauthToken });
			const e = await expectSaasError(oauth.read('user', '361000101'), 'unauthorized');
			noSecret(e, emu.oauthToken);
			expect(emu.record('ticket', 4201)?.priority).toBe('high');
		});

		it('a wrong token is unauthorized without token text', async () => {
			const secret = 'zd-WRONG-secret-token-77f1';
			const bad = new ZendeskAdapter({ baseUrl, accessToken: secret, username: emu.email });
			const e = await expectSaasError(bad.ping(), 'unauthorized');
			noSecret(e, secret);
		});

		it('an empty token is refused before any request', () => {
			expect(() => new ZendeskAdapter({ baseUrl, accessToken: '' })).toThrow(SaasError);
		});

		it('429 with Retry-After is rate_limited and retryable; the write is not retried', async () => {
			emu.rateLimitNext(1, 7);
			const n = emu.requests.length;
			const e = await expectSaasError(zd.update('ticket', '4201', { priority: 'low' }), 'rate_limited');
			expect(e.status).toBe(429);
			expect(e.retryable).toBe(true);
			expect(e.message).toContain('7');
			expect(emu.requests.length).toBe(n + 1);
			expect(emu.record('ticket', 4201)?.priority).toBe('high');
			emu.rateLimitNext(1, 1);
			await expectSaasError(zd.read('ticket', '4201'), 'rate_limited');
			await zd.read('ticket', '4201');
		});

		it.each([500, 502, 503, 504])('HTTP %p is system_unavailable (node-zendesk resolves on 502/504)', async (status) => {
			emu.failNext(1, status);
			const e = await expectSaasError(zd.read('ticket', '4201'), 'system_unavailable');
			expect(e.status).toBe(status);
			expect(e.retryable).toBe(true);
			emu.failNext(1, status);
			const w = await expectSaasError(zd.create('ticket', { subject: 's', comment: { body: 'b' } }), 'system_unavailable');
			expect(w.retryable).toBe(status === 503);
		});

		it('a stopped emulator is system_unavailable and retryable', async () => {
			await emu.stop();
			const e = await expectSaasError(zd.read('ticket', '4201'), 'system_unavailable');
			expect(e.retryable).toBe(true);
			await expectSaasError(zd.update('ticket', '4201', { priority: 'low' }), 'system_unavailable');
			await expectSaasError(zd.ping(), 'system_unavailable');
		});

		it('a hanging server times out as system_unavailable; a write is then not called retryable', async () => {
			const quick = new ZendeskAdapter({ baseUrl, accessToken: emu.apiToken, username: emu.email, timeoutMs: 300 });
			emu.stallNext(2);
			const r = await expectSaasError(quick.read('ticket', '4201'), 'system_unavailable');
			expect(r.retryable).toBe(true);
			expect(r.message).toContain('no answer within 300 ms');
			const w = await expectSaasError(quick.update('ticket', '4201', { priority: 'low' }), 'system_unavailable');
			expect(w.retryable).toBe(false);
			expect(w.message).toContain('may or may not');
		});
	});
});
