import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../lib/audit/canonical';
import { actionDigest, batchDigest } from '../../../lib/approval/digest';
import { ApprovalInputError } from '../../../lib/approval/errors';

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
const action = { system: 'salesforce', object: 'Lead', operation: 'update', recordId: '00Q5g00000AbCdE', fields: { Status: 'Qualified' } };

function inputError(run: () => unknown): ApprovalInputError {
	try {
		run();
	} catch (error) {
		if (error instanceof ApprovalInputError) return error;
		throw error;
	}
	throw new Error('expected an ApprovalInputError');
}

describe('actionDigest', () => {
	test('is sha256 of the canonical JSON of { action } or { action, before }', () => {
		expect(actionDigest(action)).toBe(sha256(canonicalJson({ action })));
		const before = { Status: 'Open', Name: 'Ada' };
		expect(actionDigest(action, before)).toBe(sha256(canonicalJson({ action, before })));
	});

	test('does not depend on key order, and changes with any value or with the before-image', () => {
		const reordered = { fields: { Status: 'Qualified' }, recordId: '00Q5g00000AbCdE', operation: 'update', object: 'Lead', system: 'salesforce' };
		expect(actionDigest(reordered)).toBe(actionDigest(action));
		expect(actionDigest({ ...action, fields: { Status: 'Qualified ' } })).not.toBe(actionDigest(action));
		expect(actionDigest(action, { Status: 'Open' })).not.toBe(actionDigest(action));
		expect(actionDigest(action, { Status: 'Open' })).not.toBe(actionDigest(action, { Status: 'Closed' }));
	});

	test('refuses anything but a JSON object and names the field', () => {
		for (const bad of [null, undefined, [], ['x'], 'update', 5, true]) {
			const error = inputError(() => actionDigest(bad));
			expect(error.field).toBe('action');
		}
		expect(inputError(() => actionDigest({ fields: { amount: Number.NaN } })).message).toMatch(/NaN/);
		expect(inputError(() => actionDigest({ fields: { amount: Number.POSITIVE_INFINITY } })).field).toBe('action');
		expect(inputError(() => actionDigest({ f: () => 1 })).field).toBe('action');
		expect(inputError(() => actionDigest(action, null)).field).toBe('before');
		expect(inputError(() => actionDigest(action, [1])).field).toBe('before');
		expect(inputError(() => actionDigest(action, { x: Number.NEGATIVE_INFINITY })).field).toBe('before');
	});
});

describe('batchDigest', () => {
	test('is sha256 of the canonical JSON array of item digests, in order', () => {
		const a = actionDigest(action);
		const b = actionDigest({ ...action, recordId: 'other' });
		expect(batchDigest([a, b])).toBe(sha256(JSON.stringify([a, b])));
		expect(batchDigest([a, b])).not.toBe(batchDigest([b, a]));
	});

	test('refuses an empty list and anything that is not a digest', () => {
		expect(inputError(() => batchDigest([])).field).toBe('items');
		expect(inputError(() => batchDigest(['abc'])).field).toBe('items');
		expect(inputError(() => batchDigest([actionDigest(action).toUpperCase()])).field).toBe('items');
	});
});
