/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, `undefined`
 * members dropped, non-finite numbers refused. Every hash in the trail is taken
 * over this encoding, so it lives in exactly one place.
 */
export class CanonicalJsonError extends Error {}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export function canonicalJson(value: unknown): string {
	return encode(value, '$');
}

function encode(value: unknown, path: string): string {
	if (value === null) return 'null';
	switch (typeof value) {
		case 'string':
			return JSON.stringify(value);
		case 'boolean':
			return value ? 'true' : 'false';
		case 'number':
			if (!Number.isFinite(value)) throw new CanonicalJsonError(`${path} is ${String(value)}, which JSON cannot represent`);
			return JSON.stringify(value);
		case 'object':
			break;
		default:
			throw new CanonicalJsonError(`${path} is a ${typeof value}, which JSON cannot represent`);
	}
	if (Array.isArray(value)) {
		return '[' + value.map((v, i) => (v === undefined ? 'null' : encode(v, `${path}[${i}]`))).join(',') + ']';
	}
	if (value instanceof Date) return JSON.stringify(value.toISOString());
	const obj = value as Record<string, unknown>;
	const keys = Object.keys(obj).sort();
	let out = '{';
	let first = true;
	for (const key of keys) {
		const member = obj[key];
		if (member === undefined) continue;
		if (!first) out += ',';
		first = false;
		out += JSON.stringify(key) + ':' + encode(member, `${path}.${key}`);
	}
	return out + '}';
}
