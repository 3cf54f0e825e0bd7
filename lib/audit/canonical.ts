/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, `undefined`
 * members dropped, non-finite numbers refused. Every hash in the trail is taken
 * over this encoding, so it lives in exactly one place.
 *
 * How: one walk checks every value and whether every object's keys are already in
 * order. Values built in order (see `sortedCopy`, which prepared drafts go through)
 * are written by the native JSON.stringify as they are; others member by member.
 */
export class CanonicalJsonError extends Error {}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export function canonicalJson(value: unknown): string {
	if (value === undefined) throw new CanonicalJsonError('$ is undefined, which JSON cannot represent');
	return inOrder(value, '$', 0) ? JSON.stringify(value) : encode(value);
}

/** The definition, member by member: for values whose key order JS cannot hold (integer-like keys come first). */
function encode(value: unknown): string {
	if (value === null || typeof value !== 'object') return JSON.stringify(value);
	if (Array.isArray(value)) return '[' + value.map((v) => (v === undefined ? 'null' : encode(v))).join(',') + ']';
	if (value instanceof Date) return JSON.stringify(value.toISOString());
	const obj = value as Record<string, unknown>;
	const members: string[] = [];
	for (const key of Object.keys(obj).sort()) {
		if (obj[key] !== undefined) members.push(JSON.stringify(key) + ':' + encode(obj[key]));
	}
	return '{' + members.join(',') + '}';
}

/** A deep copy with every object's keys in code-unit order and undefined members dropped. */
export function sortedCopy<T>(value: T): T {
	return copy(value, '$', 0) as T;
}

function checkScalar(value: unknown, path: string): boolean {
	switch (typeof value) {
		case 'string':
		case 'boolean':
			return true;
		case 'number':
			if (!Number.isFinite(value)) throw new CanonicalJsonError(`${path} is ${String(value)}, which JSON cannot represent`);
			return true;
		case 'object':
			return value === null;
		default:
			throw new CanonicalJsonError(`${path} is a ${typeof value}, which JSON cannot represent`);
	}
}

function isPlainObject(value: object, path: string): boolean {
	if (value instanceof Date) return false;
	if (typeof (value as { toJSON?: unknown }).toJSON === 'function') throw new CanonicalJsonError(`${path} has a toJSON method: pass plain data`);
	return true;
}

/** True when `value` is valid and already canonical in key order (no undefined members, no Dates). */
function inOrder(value: unknown, path: string, depth: number): boolean {
	if (depth > 256) throw new CanonicalJsonError(`${path} is nested more than 256 levels deep`);
	if (value === undefined) return false;
	if (checkScalar(value, path)) return true;
	if (Array.isArray(value)) {
		let ok = true;
		for (let i = 0; i < value.length; i++) if (!inOrder(value[i], `${path}[${i}]`, depth + 1)) ok = false;
		return ok;
	}
	if (!isPlainObject(value as object, path)) return false;
	const keys = Object.keys(value as object);
	let ok = true;
	for (let i = 0; i < keys.length; i++) {
		if (i > 0 && !(keys[i - 1] < keys[i])) ok = false;
		if (!inOrder((value as Record<string, unknown>)[keys[i]], `${path}.${keys[i]}`, depth + 1)) ok = false;
	}
	return ok;
}

function copy(value: unknown, path: string, depth: number): unknown {
	if (depth > 256) throw new CanonicalJsonError(`${path} is nested more than 256 levels deep`);
	if (value === undefined || checkScalar(value, path)) return value;
	if (Array.isArray(value)) return value.map((v, i) => (v === undefined ? null : copy(v, `${path}[${i}]`, depth + 1)));
	if (value instanceof Date) return value.toISOString();
	isPlainObject(value as object, path);
	const out: Record<string, unknown> = {};
	for (const key of Object.keys(value as object).sort()) {
		const member = (value as Record<string, unknown>)[key];
		if (member !== undefined) out[key] = copy(member, `${path}.${key}`, depth + 1);
	}
	return out;
}
