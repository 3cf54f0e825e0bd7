/**
 * Secrets never enter the trail. Values under keys that name credentials are
 * replaced before an entry is sealed; values that look like bearer tokens or
 * private keys are replaced wherever they stand.
 */
const SECRET_KEY = /(pass(word|wd)?|secret|token|api[-_]?key|authorization|auth[-_]?header|private[-_]?key|client[-_]?secret|cookie|session[-_]?id|signature|credential)s?$/i;
const SECRET_VALUE = /(^bearer\s+\S{8,})|(-----BEGIN [A-Z ]*PRIVATE KEY-----)|(^sk-[A-Za-z0-9_-]{16,})|(^xox[abpr]-[A-Za-z0-9-]{10,})|(^gh[pousr]_[A-Za-z0-9]{20,})|(^AKIA[0-9A-Z]{16}$)/i;
/** Keys that look like secrets but are not: QuickBooks' SyncToken is a record version (Guarded Write and Reverse Write need it in the trail). */
const NOT_SECRET_KEY = /^sync_?token$/i;
export const REDACTED = '[redacted]';
/** The shortest string SECRET_VALUE can match ("bearer " and 8 more); shorter ones are not tested. */
const SHORTEST_SECRET_VALUE = 15;

/** Entries repeat the same few keys: the verdict per key name is remembered (bounded). */
const keyVerdicts = new Map<string, boolean>();
function isSecretKey(key: string): boolean {
	let verdict = keyVerdicts.get(key);
	if (verdict === undefined) {
		verdict = SECRET_KEY.test(key) && !NOT_SECRET_KEY.test(key);
		if (keyVerdicts.size >= 10_000) keyVerdicts.clear();
		keyVerdicts.set(key, verdict);
	}
	return verdict;
}

export function redactSecrets<T>(value: T, depth = 0): T {
	if (depth > 64) return value;
	if (typeof value === 'string') return (value.length >= SHORTEST_SECRET_VALUE && SECRET_VALUE.test(value) ? REDACTED : value) as T;
	if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1)) as T;
	if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
		// Keys are copied in sorted order so that canonical JSON of the copy is the fast native kind.
		const source = value as Record<string, unknown>;
		const out: Record<string, unknown> = {};
		for (const key of Object.keys(source).sort()) {
			const member = source[key];
			if (member === undefined) continue;
			// Only strings are redacted by key: counts such as `promptTokens` are numbers, not secrets.
			out[key] = typeof member === 'string' && isSecretKey(key) && member !== '' ? REDACTED : redactSecrets(member, depth + 1);
		}
		return out as T;
	}
	return value;
}
