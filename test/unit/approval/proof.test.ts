import { createHmac } from 'node:crypto';
import { canonicalJson } from '../../../lib/audit/canonical';
import { actionDigest } from '../../../lib/approval/digest';
import { ApprovalInputError } from '../../../lib/approval/errors';
import { APPROVAL_PROOF_DOMAIN, checkApprovalProof, signApprovalProof, verifyApprovalProof } from '../../../lib/approval/proof';
import { APPROVER_TOKEN_DOMAIN } from '../../../lib/approval/token';

const SECRET = 'proof-secret';
const action = { system: 'quickbooks', object: 'Invoice', operation: 'update', recordId: '130', fields: { Amount: 120.5 } };
const claims = { id: 'c0ffee00-0000-4000-8000-000000000000', digest: actionDigest(action), approvers: ['Ada', 'Cy'], decidedAt: Date.UTC(2026, 10, 1) };

describe('approval proofs', () => {
	test('a signed proof verifies; the signature is HMAC over its own domain and the canonical claims', () => {
		const proof = signApprovalProof(SECRET, claims);
		expect(proof).toEqual({ ...claims, signature: expect.stringMatching(/^[0-9a-f]{64}$/) });
		expect(proof.signature).toBe(createHmac('sha256', SECRET).update(APPROVAL_PROOF_DOMAIN + canonicalJson(claims)).digest('hex'));
		expect(APPROVAL_PROOF_DOMAIN).not.toBe(APPROVER_TOKEN_DOMAIN);
		// It survives the trip through an n8n item (JSON) with its members in any order.
		const roundTrip = JSON.parse(JSON.stringify({ signature: proof.signature, decidedAt: proof.decidedAt, approvers: proof.approvers, digest: proof.digest, id: proof.id }));
		expect(verifyApprovalProof(SECRET, roundTrip)).toEqual({ ok: true, proof });
	});

	test('any changed member, or another secret, is forged', () => {
		const proof = signApprovalProof(SECRET, claims);
		const changed = [
			{ ...proof, id: 'c0ffee00-0000-4000-8000-000000000001' },
			{ ...proof, digest: actionDigest({ ...action, fields: { Amount: 1200.5 } }) },
			{ ...proof, approvers: ['Ada'] },
			{ ...proof, approvers: ['Cy', 'Ada'] },
			{ ...proof, decidedAt: proof.decidedAt + 1 },
			{ ...proof, signature: proof.signature.replace(/^./, (c) => (c === '0' ? '1' : '0')) },
		];
		for (const p of changed) expect(verifyApprovalProof(SECRET, p)).toMatchObject({ ok: false, reason: 'forged' });
		expect(verifyApprovalProof('other', proof)).toMatchObject({ ok: false, reason: 'forged' });
	});

	test('anything not exactly a proof is malformed', () => {
		const proof = signApprovalProof(SECRET, claims);
		const { signature: _s, ...unsigned } = proof;
		for (const bad of [null, 'proof', [proof], unsigned, { ...proof, extra: 1 }, { ...proof, approvers: [] }, { ...proof, approvers: [''] }, { ...proof, decidedAt: '2026' }, { ...proof, digest: 'x' }, { ...proof, signature: proof.signature.toUpperCase() }]) {
			expect(verifyApprovalProof(SECRET, bad)).toMatchObject({ ok: false, reason: 'malformed' });
		}
	});

	test('checkApprovalProof also binds the proof to the action about to be written', () => {
		const proof = signApprovalProof(SECRET, claims);
		expect(checkApprovalProof(SECRET, proof, { ...action }).ok).toBe(true);
		expect(checkApprovalProof(SECRET, proof, { ...action, fields: { Amount: 99999 } })).toMatchObject({ ok: false, reason: 'mismatch' });
		expect(checkApprovalProof(SECRET, proof, action, { Amount: 100 })).toMatchObject({ ok: false, reason: 'mismatch' });
		const withBefore = signApprovalProof(SECRET, { ...claims, digest: actionDigest(action, { Amount: 100 }) });
		expect(checkApprovalProof(SECRET, withBefore, action, { Amount: 100 }).ok).toBe(true);
	});

	test('signing refuses bad claims and an empty secret', () => {
		expect(() => signApprovalProof('', claims)).toThrow(ApprovalInputError);
		expect(() => signApprovalProof(SECRET, { ...claims, approvers: [] })).toThrow(/approvers/);
		expect(() => signApprovalProof(SECRET, { ...claims, digest: 'batch' })).toThrow(/digest/);
	});
});
