import { createHash } from 'node:crypto';
import { canonicalJson, CanonicalJsonError } from '../audit/canonical';
import { ApprovalInputError, isJsonObject } from './errors';

/** A digest as this module writes it: lower-case hex SHA-256. */
export const DIGEST_PATTERN = /^[0-9a-f]{64}$/;

function sha256Hex(text: string): string {
	return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Canonical JSON, with the encoder's complaint turned into an input error that names the field. */
function encode(field: string, value: unknown): string {
	try {
		return canonicalJson(value);
	} catch (error) {
		if (error instanceof CanonicalJsonError) throw new ApprovalInputError(field, `${field}: ${error.message}`);
		throw error;
	}
}

function describe(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	return `a ${typeof value}`;
}

/**
 * The digest an approval binds to: sha256 of the canonical JSON of `{ action }`, or of
 * `{ action, before }` when the before-image is known. Including the before-image means an
 * approval given while looking at one state of the record does not carry over to another.
 * Wrapping the action in an object keeps the two forms from ever colliding.
 */
export function actionDigest(action: unknown, before?: unknown): string {
	if (!isJsonObject(action)) throw new ApprovalInputError('action', `action must be a JSON object, got ${describe(action)}`);
	// Each part is encoded on its own so an error names the part at fault; the keys are
	// written in canonical order ("action" < "before"), so the result is canonicalJson of the pair.
	const actionJson = encode('action', action);
	if (before === undefined) return sha256Hex(`{"action":${actionJson}}`);
	if (!isJsonObject(before)) throw new ApprovalInputError('before', `before-image must be a JSON object when given, got ${describe(before)}`);
	return sha256Hex(`{"action":${actionJson},"before":${encode('before', before)}}`);
}

/** The digest of a whole approval request: sha256 of the canonical JSON array of its item digests, in item order. */
export function batchDigest(itemDigests: string[]): string {
	if (!Array.isArray(itemDigests) || itemDigests.length === 0) {
		throw new ApprovalInputError('items', 'an approval request needs at least one item digest');
	}
	itemDigests.forEach((digest, index) => {
		if (typeof digest !== 'string' || !DIGEST_PATTERN.test(digest)) {
			throw new ApprovalInputError('items', `item digest ${index} is not a lower-case hex sha256`);
		}
	});
	return sha256Hex(canonicalJson(itemDigests));
}
