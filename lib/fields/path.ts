/** Dotted paths into item JSON ("ticket.description", "comments.0.body"). */
export function valueAt(json: unknown, path: string): unknown {
	if (path === '') return json;
	let value: unknown = json;
	for (const key of path.split('.')) {
		if (value === null || typeof value !== 'object') return undefined;
		value = (value as Record<string, unknown>)[key];
	}
	return value;
}

/** A copy of `json` with `value` at `path`; only the objects along the path are copied. */
export function withValueAt<T extends Record<string, unknown>>(json: T, path: string, value: unknown): T {
	const keys = path.split('.');
	const root: Record<string, unknown> = Array.isArray(json) ? [...json] as unknown as Record<string, unknown> : { ...json };
	let target = root;
	for (const key of keys.slice(0, -1)) {
		const next = target[key];
		const copy = Array.isArray(next) ? [...next] : next !== null && typeof next === 'object' ? { ...(next as Record<string, unknown>) } : {};
		target[key] = copy;
		target = copy as Record<string, unknown>;
	}
	target[keys[keys.length - 1]] = value;
	return root as T;
}
