import { canonicalJson } from '../audit/canonical';
import { SaasSystem } from './types';

/**
 * How to undo one recorded write without clobbering what people changed since: a pure
 * plan from the write's before/after images and the record as it is now. Reverse Write
 * executes plans newest first; Preview shows them.
 */
export interface RecordedWrite {
	seq: number;
	system: SaasSystem;
	object: string;
	recordId: string;
	operation: 'create' | 'update' | 'delete';
	/** Values of the changed fields before the agent's write (update), or the whole record (delete). */
	before?: Record<string, unknown>;
	/** Values the agent wrote (create, update). */
	after?: Record<string, unknown>;
}

export type CurrentState = { exists: true; fields: Record<string, unknown> } | { exists: false };

export interface FieldConflict {
	field: string;
	/** What the agent wrote. */
	wrote: unknown;
	/** What is there now: someone changed it since. */
	now: unknown;
}

export type ReversalKind = 'delete' | 'restore_fields' | 'undelete' | 'nothing_to_do';

export interface ReversalPlan {
	seq: number;
	system: SaasSystem;
	object: string;
	recordId: string;
	kind: ReversalKind;
	/** Fields and the values they get back (restore_fields). */
	restore: Record<string, unknown>;
	/** Fields left alone because someone changed them after the agent (unless forced). */
	conflicts: FieldConflict[];
	/** Why nothing is done, when nothing is. */
	note?: string;
}

/** Salesforce API names compare case-insensitively; Zendesk and QuickBooks exactly. */
function fieldKey(system: SaasSystem, field: string): string {
	return system === 'salesforce' ? field.toLowerCase() : field;
}

function same(a: unknown, b: unknown): boolean {
	if (a === b) return true;
	if (a === undefined || b === undefined) return a === b || (a ?? null) === (b ?? null);
	try {
		return canonicalJson(a) === canonicalJson(b);
	} catch {
		return false;
	}
}

/**
 * Whether the system still holds what the agent wrote. Systems add to structured values they
 * store (QuickBooks gives each invoice `Line` an `Id` and `LineNum`, a `CustomerRef` its `name`):
 * every member the agent wrote must be there with its value; members the system added do not
 * count as someone's change. Arrays must keep their length (an added line is a change).
 */
function holds(now: unknown, wrote: unknown): boolean {
	if (same(now, wrote)) return true;
	if (Array.isArray(wrote)) return Array.isArray(now) && now.length === wrote.length && wrote.every((w, i) => holds(now[i], w));
	if (wrote !== null && typeof wrote === 'object') {
		if (now === null || typeof now !== 'object' || Array.isArray(now)) return false;
		const n = now as Record<string, unknown>;
		return Object.entries(wrote as Record<string, unknown>).every(([k, w]) => holds(n[k], w));
	}
	return false;
}

function valueOf(system: SaasSystem, fields: Record<string, unknown>, field: string): unknown {
	if (field in fields) return fields[field];
	const wanted = fieldKey(system, field);
	for (const [name, value] of Object.entries(fields)) if (fieldKey(system, name) === wanted) return value;
	return undefined;
}

export function planReversal(write: RecordedWrite, current: CurrentState, options: { force?: boolean } = {}): ReversalPlan {
	const base = { seq: write.seq, system: write.system, object: write.object, recordId: write.recordId, restore: {}, conflicts: [] as FieldConflict[] };
	if (write.operation === 'delete') {
		if (current.exists) return { ...base, kind: 'nothing_to_do', note: 'the record exists again (restored already)' };
		return { ...base, kind: 'undelete', restore: { ...(write.before ?? {}) } };
	}
	if (!current.exists) {
		return { ...base, kind: 'nothing_to_do', note: write.operation === 'create' ? 'the created record is gone already' : 'the record was deleted since: nothing to restore fields on' };
	}
	const conflicts: FieldConflict[] = [];
	const restore: Record<string, unknown> = {};
	let alreadyBack = 0;
	for (const [field, wrote] of Object.entries(write.after ?? {})) {
		const now = valueOf(write.system, current.fields, field);
		const beforeValue = write.before ? valueOf(write.system, write.before, field) : undefined;
		const was = beforeValue === undefined ? null : beforeValue;
		if (write.operation === 'update' && same(now, was)) {
			alreadyBack++; // reversed before, or someone put it back: nothing to do, nothing to report
			continue;
		}
		if (holds(now, wrote)) restore[field] = was;
		else {
			conflicts.push({ field, wrote, now });
			if (options.force) restore[field] = was;
		}
	}
	if (write.operation === 'create') {
		// Deleting a record someone has since worked on would destroy their work.
		if (conflicts.length && !options.force) return { ...base, kind: 'nothing_to_do', conflicts, note: 'the created record was changed since: delete it by hand, or force' };
		return { ...base, kind: 'delete', conflicts };
	}
	if (Object.keys(restore).length === 0) {
		return { ...base, kind: 'nothing_to_do', conflicts, note: conflicts.length ? 'every field the agent changed was edited since' : alreadyBack ? 'already reversed' : 'the write changed no field' };
	}
	return { ...base, kind: 'restore_fields', restore, conflicts };
}
