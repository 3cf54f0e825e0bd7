import { timingSafeEqual } from 'node:crypto';
import { canonicalJson } from '../audit/canonical';
import { macHex } from '../audit/entry';
import { DIGEST_PATTERN } from './digest';
import { ApprovalInputError, isJsonObject } from './errors';

/**
 * Per-approver links: `base64url(claims JSON) . base64url(HMAC-SHA256(secret, domain + payload))`.
 * The MAC covers the payload exactly as transmitted, so verification never re-encodes
 * anything an attacker sent. The domain prefix keeps a link MAC from being valid as any
 * other MAC made with the same secret (audit entries, approval proofs).
 */
export const APPROVER_TOKEN_DOMAIN = 'agent-guard/approval-link/v1\n';

/** Links travel in URLs and e-mails; anything longer is not one of ours and is not parsed. */
export const MAX_TOKEN_LENGTH = 2048;

export interface ApproverTokenClaims {
	approvalId: string;
	/** Index of the approver in the record's `approvers`. */
	approver: number;
	/** The record's batch digest: a link is only good for the request it was sent for. */
	digest: string;
	/** Epoch milliseconds; the link is refused from this instant on. */
	expiresAt: number;
}

export type ApproverTokenFailure = 'malformed' | 'forged' | 'expired';

export type ApproverTokenResult =
	| { ok: true; claims: ApproverTokenClaims }
	| {
			ok: false;
			code: ApproverTokenFailure;
			message: string;
			/** Only on `expired`: the signature held, so the claims are authentic and say which record to close. */
			claims?: ApproverTokenClaims;
	  };

const CLAIM_KEYS = ['approvalId', 'approver', 'digest', 'expiresAt'];
const MAX_APPROVAL_ID_LENGTH = 128;
const MAX_APPROVER_INDEX = 1000;
const SEGMENT = /^[A-Za-z0-9_-]+$/;
/** A 32-byte MAC in unpadded base64url. */
const SIGNATURE_LENGTH = 43;

function checkSecret(secret: unknown): asserts secret is string {
	if (typeof secret !== 'string' || secret === '') throw new ApprovalInputError('secret', 'the approval signing secret is empty');
}

/** Why the value is not a valid claim set, or undefined when it is. */
function claimsProblem(value: unknown): string | undefined {
	if (!isJsonObject(value)) return 'claims are not a JSON object';
	const keys = Object.keys(value);
	const extra = keys.find((key) => !CLAIM_KEYS.includes(key));
	if (extra !== undefined) return `unexpected claim "${extra.slice(0, 40)}"`;
	const missing = CLAIM_KEYS.find((key) => !keys.includes(key));
	if (missing !== undefined) return `missing claim "${missing}"`;
	const { approvalId, approver, digest, expiresAt } = value;
	if (typeof approvalId !== 'string' || approvalId === '' || approvalId.length > MAX_APPROVAL_ID_LENGTH) {
		return `approvalId must be a non-empty string of at most ${MAX_APPROVAL_ID_LENGTH} characters`;
	}
	if (typeof approver !== 'number' || !Number.isInteger(approver) || approver < 0 || approver > MAX_APPROVER_INDEX) {
		return 'approver must be a non-negative integer index';
	}
	if (typeof digest !== 'string' || !DIGEST_PATTERN.test(digest)) return 'digest must be a lower-case hex sha256';
	if (typeof expiresAt !== 'number' || !Number.isSafeInteger(expiresAt) || expiresAt <= 0) return 'expiresAt must be epoch milliseconds';
	return undefined;
}

function signPayload(secret: string, payload: string): string {
	return Buffer.from(macHex(secret, APPROVER_TOKEN_DOMAIN + payload), 'hex').toString('base64url');
}

export function signApproverToken(secret: string, claims: ApproverTokenClaims): string {
	checkSecret(secret);
	const problem = claimsProblem(claims);
	if (problem !== undefined) throw new ApprovalInputError('claims', `cannot sign approval link: ${problem}`);
	// Canonical order, so the same claims always give the same link.
	const { approvalId, approver, digest, expiresAt } = claims;
	const payload = Buffer.from(canonicalJson({ approvalId, approver, digest, expiresAt }), 'utf8').toString('base64url');
	const token = `${payload}.${signPayload(secret, payload)}`;
	if (token.length > MAX_TOKEN_LENGTH) throw new ApprovalInputError('claims', 'approval link would be longer than 2 KB: shorten the approval id');
	return token;
}

function failure(code: ApproverTokenFailure, message: string): ApproverTokenResult {
	return { ok: false, code, message };
}

/**
 * Checks a link token: shape, then signature (constant time), then claims, then expiry.
 * Expiry is looked at only once the signature holds, so an attacker learns nothing from
 * the answer to a forged token but "forged".
 */
export function verifyApproverToken(secret: string, token: unknown, nowMs: number): ApproverTokenResult {
	checkSecret(secret);
	if (typeof nowMs !== 'number' || !Number.isFinite(nowMs)) throw new ApprovalInputError('nowMs', 'the current time must be epoch milliseconds');
	if (typeof token !== 'string' || token === '') return failure('malformed', 'the link has no token');
	if (token.length > MAX_TOKEN_LENGTH) return failure('malformed', 'the token is longer than 2 KB');
	const parts = token.split('.');
	if (parts.length !== 2) return failure('malformed', 'the token is not two dot-separated parts');
	const [payload, signature] = parts;
	if (!SEGMENT.test(payload) || !SEGMENT.test(signature) || signature.length !== SIGNATURE_LENGTH) {
		return failure('malformed', 'the token is not base64url, or its signature has the wrong length');
	}
	// Comparing the encodings (not the decoded bytes) also refuses the non-canonical
	// spellings of the same signature that a lenient base64 decoder would accept.
	const expected = Buffer.from(signPayload(secret, payload), 'ascii');
	if (!timingSafeEqual(expected, Buffer.from(signature, 'ascii'))) return failure('forged', 'the token signature does not match');
	let claims: unknown;
	try {
		claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
	} catch {
		return failure('malformed', 'the token payload is not JSON');
	}
	const problem = claimsProblem(claims);
	if (problem !== undefined) return failure('malformed', `the token claims are invalid: ${problem}`);
	const valid = claims as ApproverTokenClaims;
	if (nowMs >= valid.expiresAt) {
		return { ok: false, code: 'expired', message: `the link expired at ${new Date(valid.expiresAt).toISOString()}`, claims: valid };
	}
	return { ok: true, claims: valid };
}
