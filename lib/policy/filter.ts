import { ID_FIELDS, compareForm, normaliseSystem } from './names';
import { rulesFor } from './parse';
import { CompiledRule, Policy, PolicyReason } from './types';

export interface FilterResult {
	allowed: boolean;
	/** The record with only what the agent may read; undefined when the record is dropped. */
	record?: Record<string, unknown>;
	/** Paths taken out (dotted for nested fields). */
	removed: string[];
	reasons: PolicyReason[];
	rule?: string;
}

const MAX_DEPTH = 32;

/**
 * Filters a record the agent is about to read: objects it may not read are dropped,
 * fields it may not read are removed, nested paths too. Denied fields win over readable ones.
 */
export function filterRecord(policy: Policy, system: string, object: string, record: Record<string, unknown>): FilterResult {
	const sys = normaliseSystem(system);
	const readers = rulesFor(policy, sys, object).filter((r) => r.operations.has('read'));
	if (readers.length === 0) {
		return { allowed: false, removed: [], reasons: [{ code: 'object_not_allowed', message: `no rule allows reading ${system} ${object}` }] };
	}
	const matching = rulesFor(policy, sys, object);
	const ids = ID_FIELDS[sys];
	const removed: string[] = [];
	const readable = (path: string): 'all' | 'some' | 'none' => {
		const name = compareForm(sys, path);
		if (matching.some((r) => r.denied.all || r.denied.names.has(name))) return 'none';
		if (readers.some((r) => r.readable.all || r.readable.names.has(name))) return 'all';
		// A listed nested path ("Owner.Name") keeps its parent, with only what is listed inside.
		if (readers.some((r) => r.readable.parents.has(name))) return 'some';
		return 'none';
	};
	const walk = (value: Record<string, unknown>, base: string, depth: number): Record<string, unknown> => {
		const out: Record<string, unknown> = {};
		for (const [key, member] of Object.entries(value)) {
			const path = base ? `${base}.${key}` : key;
			const isId = !base && ids !== undefined && ids.has(compareForm(sys, key));
			const verdict = isId && !deniedPath(matching, sys, path) ? 'all' : readable(path);
			if (verdict === 'all') {
				out[key] = depth < MAX_DEPTH && isPlainObject(member) ? stripDenied(member, path, depth + 1) : member;
			} else if (verdict === 'some' && isPlainObject(member) && depth < MAX_DEPTH) {
				out[key] = walk(member, path, depth + 1);
			} else removed.push(path);
		}
		return out;
	};
	// Inside a readable object, denied nested paths still go.
	const stripDenied = (value: Record<string, unknown>, base: string, depth: number): Record<string, unknown> => {
		const out: Record<string, unknown> = {};
		for (const [key, member] of Object.entries(value)) {
			const path = `${base}.${key}`;
			if (deniedPath(matching, sys, path)) removed.push(path);
			else out[key] = depth < MAX_DEPTH && isPlainObject(member) ? stripDenied(member, path, depth + 1) : member;
		}
		return out;
	};
	const filtered = walk(record, '', 0);
	return { allowed: true, record: filtered, removed, reasons: [], rule: readers[0].id };
}

function deniedPath(rules: CompiledRule[], sys: string, path: string): boolean {
	const name = compareForm(sys, path);
	return rules.some((r) => r.denied.all || r.denied.names.has(name));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}
