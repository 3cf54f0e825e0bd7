import { createHmac } from 'node:crypto';
import { actionDigest } from '../../../lib/approval/digest';
import { ApprovalInputError } from '../../../lib/approval/errors';
import { APPROVER_TOKEN_DOMAIN, signApproverToken, verifyApproverToken, type ApproverTokenClaims } from '../../../lib/approval/token';

const SECRET = 'test-secret-0123456789';
const NOW = Date.UTC(2026, 10, 1, 12, 0, 0);
const claims: ApproverTokenClaims = { approvalId: '3b241101-e2bb-4255-8caf-4136c566a962', approver: 1, digest: actionDigest({ a: 1 }), expiresAt: NOW + 3_600_000 };

/** A token with a valid signature over an arbitrary payload: what only a holder of the secret could make. */
function signRaw(payloadJson: string): string {
	const payload = Buffer.from(payloadJson, 'utf8').toString('base64url');
	return `${payload}.${createHmac('sha256', SECRET).update(APPROVER_TOKEN_DOMAIN + payload).digest('base64url')}`;
}

describe('approver link tokens', () => {
	test('a signed token verifies and returns exactly the claims', () => {
		const token = signApproverToken(SECRET, claims);
		expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
		expect(verifyApproverToken(SECRET, token, NOW)).toEqual({ ok: true, claims });
	});

	test('the signature is HMAC-SHA256 over the domain prefix and the payload as sent', () => {
		const token = signApproverToken(SECRET, claims);
		const [payload, signature] = token.split('.');
		expect(signature).toBe(createHmac('sha256', SECRET).update(APPROVER_TOKEN_DOMAIN + payload).digest('base64url'));
		expect(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))).toEqual(claims);
	});

	test('another secret, a changed payload or a changed signature is forged', () => {
		const token = signApproverToken(SECRET, claims);
		expect(verifyApproverToken('another-secret', token, NOW)).toMatchObject({ ok: false, code: 'forged' });
		const [payload, signature] = token.split('.');
		const other = Buffer.from(JSON.stringify({ ...claims, approver: 0 })).toString('base64url');
		expect(verifyApproverToken(SECRET, `${other}.${signature}`, NOW)).toMatchObject({ ok: false, code: 'forged' });
		const flipped = signature.slice(0, 10) + (signature[10] === 'A' ? 'B' : 'A') + signature.slice(11);
		expect(verifyApproverToken(SECRET, `${payload}.${flipped}`, NOW)).toMatchObject({ ok: false, code: 'forged' });
	});

	test('a non-canonical spelling of the same signature bytes is refused', () => {
		const token = signApproverToken(SECRET, claims);
		const [payload, signature] = token.split('.');
		// The last of 43 base64url characters carries 2 unused bits: changing them keeps the bytes.
		const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
		const last = alphabet.indexOf(signature[42]);
		const twin = signature.slice(0, 42) + alphabet[last ^ 1];
		expect(Buffer.from(twin, 'base64url')).toEqual(Buffer.from(signature, 'base64url'));
		expect(verifyApproverToken(SECRET, `${payload}.${twin}`, NOW)).toMatchObject({ ok: false, code: 'forged' });
	});

	test('expiry is checked after the signature: a forged expired token is "forged", a genuine one "expired"', () => {
		const expired = signApproverToken(SECRET, { ...claims, expiresAt: NOW - 1 });
		expect(verifyApproverToken('wrong', expired, NOW)).toMatchObject({ ok: false, code: 'forged' });
		const result = verifyApproverToken(SECRET, expired, NOW);
		expect(result).toMatchObject({ ok: false, code: 'expired', claims: { ...claims, expiresAt: NOW - 1 } });
		// The expiry instant itself is already too late.
		expect(verifyApproverToken(SECRET, signApproverToken(SECRET, { ...claims, expiresAt: NOW }), NOW)).toMatchObject({ code: 'expired' });
		expect(verifyApproverToken(SECRET, signApproverToken(SECRET, { ...claims, expiresAt: NOW + 1 }), NOW).ok).toBe(true);
	});

	test('malformed tokens are refused without parsing anything unsigned', () => {
		const token = signApproverToken(SECRET, claims);
		for (const bad of [undefined, null, 5, '', 'abc', 'a.b.c', `${token}.x`, `${token}=`, token.replace('.', '. '), `x${'a'.repeat(2100)}.${'b'.repeat(43)}`, `${token.split('.')[0]}.${'A'.repeat(42)}`]) {
			expect(verifyApproverToken(SECRET, bad, NOW)).toMatchObject({ ok: false, code: 'malformed' });
		}
	});

	test('signed payloads with extra, missing or wrongly typed claims are malformed', () => {
		const base = { approvalId: claims.approvalId, approver: 1, digest: claims.digest, expiresAt: claims.expiresAt };
		const bad = [
			JSON.stringify({ ...base, admin: true }),
			'{"__proto__":{},' + JSON.stringify(base).slice(1),
			JSON.stringify({ approvalId: base.approvalId, approver: 1, digest: base.digest }),
			JSON.stringify({ ...base, approver: '1' }),
			JSON.stringify({ ...base, approver: 1.5 }),
			JSON.stringify({ ...base, approver: -1 }),
			JSON.stringify({ ...base, approvalId: '' }),
			JSON.stringify({ ...base, digest: 'ABC' }),
			JSON.stringify({ ...base, expiresAt: '2026-11-01' }),
			JSON.stringify([base]),
			'null',
			'{not json',
		];
		for (const payload of bad) expect(verifyApproverToken(SECRET, signRaw(payload), NOW)).toMatchObject({ ok: false, code: 'malformed' });
		expect(verifyApproverToken(SECRET, signRaw(JSON.stringify(base)), NOW).ok).toBe(true);
	});

	test('signing refuses bad claims and an empty secret; verifying refuses an empty secret', () => {
		expect(() => signApproverToken('', claims)).toThrow(ApprovalInputError);
		expect(() => signApproverToken(SECRET, { ...claims, digest: 'x' })).toThrow(/digest/);
		expect(() => signApproverToken(SECRET, { ...claims, approvalId: 'x'.repeat(129) })).toThrow(/approvalId/);
		expect(() => signApproverToken(SECRET, { ...claims, extra: 1 } as ApproverTokenClaims)).toThrow(/unexpected claim/);
		expect(() => verifyApproverToken('', 'a.b', NOW)).toThrow(ApprovalInputError);
		expect(() => verifyApproverToken(SECRET, 'a.b', Number.NaN)).toThrow(ApprovalInputError);
	});

	test('no error message carries the secret', () => {
		const token = signApproverToken(SECRET, claims);
		for (const candidate of [token, token.slice(0, -1) + 'A', 'x.y', signRaw('{}')]) {
			const result = verifyApproverToken(SECRET, candidate, NOW + 10 * 3_600_000);
			if (!result.ok) expect(result.message).not.toContain(SECRET);
		}
	});
});
