import { APPROVAL_DOC, checkLink, decide, LINK_KEY, saveNewApproval, sweepExpired } from '../../lib/approval/gate';
import { newApprovalRecord } from '../../lib/approval/record';
import { signApproverToken } from '../../lib/approval/token';
import { GuardStore } from '../../lib/store/types';
import { storeFactories } from '../helpers/stores';

const action = { system: 'zendesk', object: 'ticket', operation: 'update', recordId: '42', fields: { status: 'solved' } };
const record = (approvers: number, quorum: number, expiresIn = 60_000) =>
	newApprovalRecord({
		agentId: 'triage-bot',
		items: [{ action }],
		approvers: Array.from({ length: approvers }, (_, i) => ({ name: `Approver ${i}` })),
		quorum,
		createdAt: Date.now(),
		expiresAt: Date.now() + expiresIn,
	});

describe.each(storeFactories())('approval records in the store: $name', (factory) => {
	const opened: GuardStore[] = [];
	afterEach(async () => Promise.all(opened.splice(0).map((s) => s.close())));
	const open = async () => {
		const s = await factory.open();
		opened.push(s);
		return s;
	};

	test('10 approvers deciding at once: every decision is kept, and exactly one of them completes the quorum', async () => {
		const store = await open();
		const r = record(10, 10);
		await saveNewApproval(store, { record: r, items: [{ action }] });
		const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => decide(store, r.id, i, 'approve', undefined, Date.now())));
		expect(outcomes.filter((o) => o.ok && o.final)).toHaveLength(1);
		const doc = await store.getDoc(APPROVAL_DOC, r.id);
		const saved = JSON.parse(doc!.body) as { record: { status: string; decisions: unknown[] } };
		expect(saved.record).toMatchObject({ status: 'approved' });
		expect(saved.record.decisions).toHaveLength(10);
	});

	test('a link is single use per approver, and a link for another request or payload is refused as tampered', async () => {
		const store = await open();
		const r = record(2, 2);
		await saveNewApproval(store, { record: r, items: [{ action }] });
		const key = store.deriveKey(LINK_KEY);
		const token = signApproverToken(key, { approvalId: r.id, approver: 0, digest: r.digest, expiresAt: r.expiresAt });
		expect(await checkLink(store, token, Date.now())).toMatchObject({ ok: true, approver: 0 });
		expect((await decide(store, r.id, 0, 'approve', undefined, Date.now())).ok).toBe(true);
		expect(await decide(store, r.id, 0, 'reject', undefined, Date.now())).toMatchObject({ ok: false, code: 'already_decided' });
		const otherPayload = signApproverToken(key, { approvalId: r.id, approver: 1, digest: 'f'.repeat(64), expiresAt: r.expiresAt });
		expect(await checkLink(store, otherPayload, Date.now())).toMatchObject({ ok: false, code: 'tampered' });
		const forged = signApproverToken('not-this-installation-not-this-installation', { approvalId: r.id, approver: 1, digest: r.digest, expiresAt: r.expiresAt });
		expect(await checkLink(store, forged, Date.now())).toMatchObject({ ok: false, code: 'forged' });
	});

	test('requests past their expiry are closed as expired by the next sweep, once', async () => {
		const store = await open();
		const r = record(1, 1, 50);
		await saveNewApproval(store, { record: r, items: [{ action }] });
		await new Promise((res) => setTimeout(res, 80));
		const first = await sweepExpired(store, Date.now());
		expect(first.map((s) => [s.record.id, s.record.status])).toEqual([[r.id, 'expired']]);
		expect(await sweepExpired(store, Date.now())).toEqual([]);
		expect(await decide(store, r.id, 0, 'approve', undefined, Date.now())).toMatchObject({ ok: false });
	});
});
