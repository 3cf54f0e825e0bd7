import { canonicalJson } from '../audit/canonical';
import { macHex, safeEqualHex } from '../audit/entry';
import { actionDigest, DIGEST_PATTERN } from './digest';
import { ApprovalInputError, isJsonObject } from './errors';

/**
 * The proof an approved item carries to the write that follows: which request approved
 * it, for which exact payload (the ITEM's action digest), by whom and when, under a MAC.
 * Its own domain prefix keeps an approver link signature from passing as a proof, and the
 * other way round.
 */
export const APPROVAL_PROOF_DOMAIN = 'agent-guard/approval-proof/v1\n';

export interface ApprovalProofClaims {
	/** The approval record's id. */
	id: string;
	/** actionDigest of the approved item (not the batch digest). */
	digest: string;
	/** Names of the approvers who approved. */
	approvers: string[];
	decidedAt: number;
}

export interface ApprovalProof extends ApprovalProofClaims {
	/** Hex HMAC-SHA256 over the domain prefix and the canonical JSON of the claims. */
	signature: string;
}

export type ApprovalProofResult =
	| { ok: true; proof: ApprovalProof }
	| { ok: false; reason: 'malformed' | 'forged' | 'mismatch'; message: string };

const PROOF_KEYS = ['approvers', 'decidedAt', 'digest', 'id', 'signature'];
const MAX_ID_LENGTH = 128;
const MAX_APPROVERS = 50;
const MAX_NAME_LENGTH = 200;

function checkSecret(secret: unknown): asserts secret is string {
	if (typeof secret !== 'string' || secret === '') throw new ApprovalInputError('secret', 'the approval signing secret is empty');
}

function claimsProblem(value: Record<string, unknown>): string | undefined {
	const { id, digest, approvers, decidedAt } = value;
	if (typeof id !== 'string' || id === '' || id.length > MAX_ID_LENGTH) return `id must be a non-empty string of at most ${MAX_ID_LENGTH} characters`;
	if (typeof digest !== 'string' || !DIGEST_PATTERN.test(digest)) return 'digest must be a lower-case hex sha256';
	if (!Array.isArray(approvers) || approvers.length === 0 || approvers.length > MAX_APPROVERS) return 'approvers must list the names who approved';
	if (!approvers.every((name) => typeof name === 'string' && name !== '' && name.length <= MAX_NAME_LENGTH)) return 'every approver must be a non-empty name';
	if (typeof decidedAt !== 'number' || !Number.isSafeInteger(decidedAt) || decidedAt < 0) return 'decidedAt must be epoch milliseconds';
	return undefined;
}

function proofMac(secret: string, claims: ApprovalProofClaims): string {
	const { id, digest, approvers, decidedAt } = claims;
	return macHex(secret, APPROVAL_PROOF_DOMAIN + canonicalJson({ approvers, decidedAt, digest, id }));
}

export function signApprovalProof(secret: string, claims: ApprovalProofClaims): ApprovalProof {
	checkSecret(secret);
	if (!isJsonObject(claims)) throw new ApprovalInputError('proof', 'approval proof claims must be an object');
	const problem = claimsProblem(claims as unknown as Record<string, unknown>);
	if (problem !== undefined) throw new ApprovalInputError('proof', `cannot sign approval proof: ${problem}`);
	const { id, digest, decidedAt } = claims;
	const approvers = [...claims.approvers];
	return { id, digest, approvers, decidedAt, signature: proofMac(secret, { id, digest, approvers, decidedAt }) };
}

/**
 * Checks a proof as it came back on an item (untrusted: it passed through the workflow):
 * exactly the five members with the right types, then the MAC in constant time.
 */
export function verifyApprovalProof(secret: string, proof: unknown): ApprovalProofResult {
	checkSecret(secret);
	if (!isJsonObject(proof)) return { ok: false, reason: 'malformed', message: 'the approval proof is not an object' };
	const keys = Object.keys(proof);
	const extra = keys.find((key) => !PROOF_KEYS.includes(key));
	if (extra !== undefined) return { ok: false, reason: 'malformed', message: `the approval proof has an unexpected member "${extra.slice(0, 40)}"` };
	const missing = PROOF_KEYS.find((key) => !keys.includes(key));
	if (missing !== undefined) return { ok: false, reason: 'malformed', message: `the approval proof has no "${missing}"` };
	const problem = claimsProblem(proof);
	if (problem !== undefined) return { ok: false, reason: 'malformed', message: `the approval proof is malformed: ${problem}` };
	if (typeof proof.signature !== 'string' || !DIGEST_PATTERN.test(proof.signature)) {
		return { ok: false, reason: 'malformed', message: 'the approval proof signature is not a lower-case hex HMAC-SHA256' };
	}
	const valid = proof as unknown as ApprovalProof;
	if (!safeEqualHex(proofMac(secret, valid), valid.signature)) {
		return { ok: false, reason: 'forged', message: 'the approval proof signature does not match: it was altered or signed with another secret' };
	}
	return { ok: true, proof: { id: valid.id, digest: valid.digest, approvers: [...valid.approvers], decidedAt: valid.decidedAt, signature: valid.signature } };
}

/**
 * verifyApprovalProof, and then that the proof is for exactly this payload: `mismatch`
 * when the action (or before-image) about to be written differs from what was approved.
 */
export function checkApprovalProof(secret: string, proof: unknown, action: unknown, before?: unknown): ApprovalProofResult {
	const verified = verifyApprovalProof(secret, proof);
	if (!verified.ok) return verified;
	if (!safeEqualHex(actionDigest(action, before), verified.proof.digest)) {
		return { ok: false, reason: 'mismatch', message: 'the action differs from the one that was approved' };
	}
	return verified;
}
