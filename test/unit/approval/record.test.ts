import { actionDigest, batchDigest } from '../../../lib/approval/digest';
import { ApprovalInputError } from '../../../lib/approval/errors';
import {
	applyDecision,
	approvedBy,
	expireIfDue,
	MAX_COMMENT_LENGTH,
	newApprovalRecord,
	type ApprovalRecord,
	type NewApprovalInput,
} from '../../../lib/approval/record';

const T0 = Date.UTC(2026, 10, 1, 9, 0, 0);
const HOUR = 3_600_000;
const update = { system: 'salesforce', object: 'Lead', operation: 'update', recordId: '00Q1', fields: { Status: 'Qualified' } };
const create = { system: 'zendesk', object: 'ticket', operation: 'create', fields: { subject: 'Refund' } };

function request(overrides: Partial<NewApprovalInput> = {}): NewApprovalInput {
	return {
		agentId: 'sales-bot',
		executionId: '42',
		message: 'Please check',
		items: [{ action: update, before: { Status: 'Open' }, reason: 'Replied positively' }, { action: create, findings: [{ code: 'x', message: 'y' }] }],
		approvers: [{ name: 'Ada', address: 'ada@example.com' }, { name: 'Bob', address: '' }, { name: 'Cy' }],
		quorum: 2,
		createdAt: T0,
		expiresAt: T0 + HOUR,
		...overrides,
	};
}

function inputError(run: () => unknown): ApprovalInputError {
	try {
		run();
	} catch (error) {
		if (error instanceof ApprovalInputError) return error;
		throw error;
	}
	throw new Error('expected an ApprovalInputError');
}

function decided(record: ApprovalRecord, approver: number, decision: 'approve' | 'reject', at = T0 + 1000): ApprovalRecord {
	const result = applyDecision(record, approver, decision, undefined, at);
	if (!result.ok) throw new Error(result.message);
	return result.record;
}

describe('newApprovalRecord', () => {
	test('opens a pending record with item digests, a batch digest and a random id', () => {
		const record = newApprovalRecord(request());
		expect(record).toMatchObject({ version: 1, agentId: 'sales-bot', executionId: '42', message: 'Please check', quorum: 2, status: 'pending', decisions: [] });
		expect(record.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
		expect(newApprovalRecord(request()).id).not.toBe(record.id);
		expect(record.items.map((i) => i.index)).toEqual([0, 1]);
		expect(record.items[0].digest).toBe(actionDigest(update, { Status: 'Open' }));
		expect(record.items[1].digest).toBe(actionDigest(create));
		expect(record.digest).toBe(batchDigest([record.items[0].digest, record.items[1].digest]));
		expect(record.items[0]).toMatchObject({ before: { Status: 'Open' }, reason: 'Replied positively' });
		expect(record.items[1].findings).toEqual([{ code: 'x', message: 'y' }]);
		expect(record.approvers).toEqual([{ name: 'Ada', address: 'ada@example.com' }, { name: 'Bob', address: '' }, { name: 'Cy' }]);
	});

	test('keeps its own copy of the actions', () => {
		const action = { operation: 'update', fields: { Status: 'Qualified' } };
		const record = newApprovalRecord(request({ items: [{ action }] }));
		action.fields.Status = 'Lost';
		expect(record.items[0].action).toEqual({ operation: 'update', fields: { Status: 'Qualified' } });
		expect(record.items[0].digest).toBe(actionDigest(record.items[0].action));
	});

	test('refuses what cannot be approved, naming the field', () => {
		const cases: Array<[Partial<NewApprovalInput>, string]> = [
			[{ approvers: [] }, 'approvers'],
			[{ approvers: [{ name: '  ' }] }, 'approvers[0].name'],
			[{ approvers: [{ name: 'Ada' }, { name: 'ada ' }] }, 'approvers[1].name'],
			[{ approvers: [{ name: 'Ada', address: 'ada@example.com\r\nBcc: evil@x.com' }] }, 'approvers[0].address'],
			[{ quorum: 0 }, 'quorum'],
			[{ quorum: 4 }, 'quorum'],
			[{ quorum: 1.5 }, 'quorum'],
			[{ expiresAt: T0 }, 'expiresAt'],
			[{ expiresAt: T0 - 1 }, 'expiresAt'],
			[{ createdAt: Number.NaN }, 'createdAt'],
			[{ items: [] }, 'items'],
			[{ items: [{ action: null }] }, 'items[0].action'],
			[{ items: [{ action: update }, { action: ['x'] }] }, 'items[1].action'],
			[{ items: [{ action: { fields: { n: Number.POSITIVE_INFINITY } } }] }, 'items[0].action'],
			[{ items: [{ action: update, before: 'old' }] }, 'items[0].before'],
			[{ items: [{ action: update, findings: 'bad' as unknown as unknown[] }] }, 'items[0].findings'],
			[{ agentId: 'sales bot' }, 'agentId'],
			[{ message: 'x'.repeat(10_001) }, 'message'],
		];
		for (const [overrides, field] of cases) expect(inputError(() => newApprovalRecord(request(overrides))).field).toBe(field);
	});
});

describe('applyDecision', () => {
	test('the quorum-th approval approves; earlier ones leave it pending', () => {
		const record = newApprovalRecord(request());
		const first = applyDecision(record, 0, 'approve', '  looks right  ', T0 + 1000);
		expect(first).toMatchObject({ ok: true, final: false, record: { version: 2, status: 'pending', decisions: [{ approver: 0, decision: 'approve', comment: 'looks right', at: T0 + 1000 }] } });
		expect(record).toMatchObject({ version: 1, decisions: [] });
		if (!first.ok) throw new Error('unreachable');
		const second = applyDecision(first.record, 2, 'approve', '', T0 + 2000);
		expect(second).toMatchObject({ ok: true, final: true, record: { version: 3, status: 'approved', decidedAt: T0 + 2000 } });
		if (!second.ok) throw new Error('unreachable');
		expect(second.record.decisions[1]).toEqual({ approver: 2, decision: 'approve', at: T0 + 2000 });
		expect(approvedBy(second.record)).toEqual(['Ada', 'Cy']);
	});

	test('any rejection rejects at once, even after approvals', () => {
		const once = decided(newApprovalRecord(request()), 0, 'approve');
		expect(applyDecision(once, 1, 'reject', 'no', T0 + 5000)).toMatchObject({ ok: true, final: true, record: { status: 'rejected', decidedAt: T0 + 5000 } });
		expect(applyDecision(newApprovalRecord(request({ quorum: 1 })), 2, 'reject', undefined, T0)).toMatchObject({ ok: true, record: { status: 'rejected' } });
	});

	test('an approver decides once', () => {
		const once = decided(newApprovalRecord(request()), 1, 'approve');
		const again = applyDecision(once, 1, 'reject', undefined, T0 + 2000);
		expect(again).toMatchObject({ ok: false, code: 'already_decided', changed: false });
		expect(again.record).toBe(once);
	});

	test('after a final decision the others are told it is closed', () => {
		const rejected = decided(newApprovalRecord(request()), 0, 'reject');
		expect(applyDecision(rejected, 1, 'approve', undefined, T0 + 2000)).toMatchObject({ ok: false, code: 'closed', changed: false });
		expect(applyDecision(rejected, 0, 'approve', undefined, T0 + 2000)).toMatchObject({ ok: false, code: 'already_decided' });
	});

	test('unknown approvers are refused', () => {
		const record = newApprovalRecord(request());
		for (const index of [-1, 3, 1.5, Number.NaN]) {
			expect(applyDecision(record, index, 'approve', undefined, T0)).toMatchObject({ ok: false, code: 'unknown_approver', record, changed: false });
		}
	});

	test('from the expiry instant on, a decision expires the record instead', () => {
		const record = decided(newApprovalRecord(request()), 0, 'approve');
		expect(applyDecision(record, 1, 'approve', undefined, T0 + HOUR - 1)).toMatchObject({ ok: true, record: { status: 'approved' } });
		const late = applyDecision(record, 1, 'approve', undefined, T0 + HOUR);
		expect(late).toMatchObject({ ok: false, code: 'expired', changed: true, record: { status: 'expired', version: record.version + 1, decidedAt: T0 + HOUR } });
		expect(late.record.decisions).toHaveLength(1);
		expect(applyDecision(late.record, 2, 'approve', undefined, T0 + 2 * HOUR)).toMatchObject({ ok: false, code: 'expired', changed: false });
	});

	test('expireIfDue changes only a pending record whose time has come', () => {
		const record = newApprovalRecord(request());
		expect(expireIfDue(record, T0 + HOUR - 1)).toBe(record);
		expect(expireIfDue(record, T0 + HOUR)).toMatchObject({ status: 'expired', version: 2, decidedAt: T0 + HOUR });
		const approved = decided(newApprovalRecord(request({ quorum: 1 })), 0, 'approve');
		expect(expireIfDue(approved, T0 + 5 * HOUR)).toBe(approved);
	});

	test('comments are trimmed, bounded to 2,000 characters and never split a surrogate pair', () => {
		const record = newApprovalRecord(request());
		const long = applyDecision(record, 0, 'approve', `  ${'x'.repeat(3000)}  `, T0);
		expect(long.ok && long.record.decisions[0].comment).toBe('x'.repeat(MAX_COMMENT_LENGTH));
		const emoji = applyDecision(record, 0, 'approve', `${'x'.repeat(1999)}😀tail`, T0);
		expect(emoji.ok && emoji.record.decisions[0].comment).toBe('x'.repeat(1999));
		const blank = applyDecision(record, 0, 'approve', '   ', T0);
		expect(blank.ok && 'comment' in blank.record.decisions[0]).toBe(false);
	});

	test('a decision other than approve or reject, or a bad clock, is an input error', () => {
		const record = newApprovalRecord(request());
		expect(inputError(() => applyDecision(record, 0, 'maybe' as 'approve', undefined, T0)).field).toBe('decision');
		expect(inputError(() => applyDecision(record, 0, 'approve', undefined, Number.NaN)).field).toBe('nowMs');
	});
});
