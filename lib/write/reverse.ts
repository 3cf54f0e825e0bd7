import { canonicalJson } from '../audit/canonical';
import { Actor, AuditEntry, EntryDraft } from '../audit/entry';
import { InvalidQueryError } from '../audit/query';
import { collectAll } from '../store/paging';
import { GuardStore } from '../store/types';
import { CurrentState, FieldConflict, RecordedWrite, ReversalKind, ReversalPlan, planReversal } from '../saas/reversal';
import { ChangeMarker, SaasAdapter, SaasError, SaasSystem } from '../saas/types';
import { WRITE_EVENTS } from './guardedWrite';

/**
 * The engine of Reverse Write, without n8n: pick `write.applied` entries from the trail, undo
 * them newest first with the system's own concurrency control, and record each reversal the
 * moment it happened. Idempotent (an entry with a `write.reversed` is not touched again, and
 * a plan for a record already back is empty) and resumable (a failed entry is re-tried by the
 * next run). The node and the CLI add parameters, credentials and output.
 *
 * Events (README):
 * - `write.reversed`: a reversal was performed; `details.reverses` is the seq of the write.
 * - `write.reversal_skipped`: nothing was written, because of conflicts or because there was
 *   nothing to do; a later run looks at the entry again.
 * - `write.reversal_failed`: the system refused or did not answer; a later run tries again.
 * - `write.reversal_previewed`: Preview's plan for one entry (all of a preview in one batch).
 */
export const REVERSAL_EVENTS = {
	reversed: WRITE_EVENTS.reversed,
	skipped: 'write.reversal_skipped',
	failed: 'write.reversal_failed',
	previewed: 'write.reversal_previewed',
} as const;

export type ReversalSelection =
	| { by: 'execution'; executionId: string }
	| { by: 'entries'; seqs: number[] }
	| { by: 'agent'; agentId: string; since: string; until?: string };

export type ReversalStatus = 'reversed' | 'previewed' | 'already_reversed' | 'conflict' | 'failed' | 'nothing_to_do';

/** A selection that cannot be used as given; `field` names the parameter (or CLI flag) at fault. */
export class ReversalInputError extends Error {
	readonly code = 'invalid_input';
	constructor(
		readonly field: string,
		message: string,
	) {
		super(message);
	}
}

/** "12, 15,18" → [12, 15, 18]; anything else is an error naming the field. */
export function parseSeqs(raw: unknown, field = 'entries'): number[] {
	const text = Array.isArray(raw) ? raw.join(',') : typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw : '';
	const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
	if (parts.length === 0) throw new ReversalInputError(field, `"${field}" is empty: give the trail entries to reverse as sequence numbers, e.g. 12, 15, 18`);
	const seqs: number[] = [];
	for (const part of parts) {
		if (!/^\d{1,15}$/.test(part) || Number(part) < 1) throw new ReversalInputError(field, `"${field}" must be entry sequence numbers separated by commas (e.g. 12, 15, 18), got ${JSON.stringify(part.slice(0, 40))}`);
		seqs.push(Number(part));
	}
	return [...new Set(seqs)];
}

/** A time window with a required start; ISO-8601 dates, start before end. */
export function parseWindow(since: unknown, until: unknown, fields: { since: string; until: string } = { since: 'since', until: 'until' }): { since: string; until?: string } {
	const text = (v: unknown) => (v === undefined || v === null ? '' : String(v).trim());
	const s = text(since);
	const u = text(until);
	if (!s) throw new ReversalInputError(fields.since, `"${fields.since}" is empty: give the start of the window, e.g. 2026-11-30T09:00:00Z`);
	const sMs = Date.parse(s);
	if (Number.isNaN(sMs)) throw new ReversalInputError(fields.since, `"${fields.since}" (${JSON.stringify(s.slice(0, 40))}) is not a date; use ISO-8601 such as 2026-11-30T09:00:00Z`);
	if (!u) return { since: new Date(sMs).toISOString() };
	const uMs = Date.parse(u);
	if (Number.isNaN(uMs)) throw new ReversalInputError(fields.until, `"${fields.until}" (${JSON.stringify(u.slice(0, 40))}) is not a date; use ISO-8601 such as 2026-11-30T17:00:00Z`);
	if (sMs > uMs) throw new ReversalInputError(fields.until, `"${fields.until}" (${u}) is before "${fields.since}" (${s}): the window must start before it ends`);
	return { since: new Date(sMs).toISOString(), until: new Date(uMs).toISOString() };
}

export interface Selected {
	/** The `write.applied` entries, newest first. */
	entries: AuditEntry[];
	/**
	 * The selection's `write.intended` entries that no outcome entry closes, oldest first: n8n stopped
	 * between sending those writes and recording what happened, so they may or may not have happened.
	 */
	unrecorded: AuditEntry[];
	/** Why nothing was selected, for the person who asked. */
	note?: string;
}

/** The writes a selection names, newest first. `agentId` (optional outside agent selection) keeps only that agent's writes. */
export async function selectWrites(store: GuardStore, selection: ReversalSelection, agentId?: string): Promise<Selected> {
	let entries: AuditEntry[];
	let intents: AuditEntry[] = [];
	/** Entries of the selection that may close an intent (an outcome is usually in the same run). */
	let outcomes: AuditEntry[] = [];
	let what: string;
	if (selection.by === 'execution') {
		what = `execution ${selection.executionId}`;
		const trace = await store.trace(selection.executionId);
		entries = trace.filter((e) => e.event === WRITE_EVENTS.applied);
		intents = trace.filter((e) => e.event === WRITE_EVENTS.intended);
		outcomes = trace;
	} else if (selection.by === 'entries') {
		what = `entries ${selection.seqs.join(', ')}`;
		entries = [];
		for (const seq of selection.seqs) {
			const page = await store.query({ afterSeq: seq - 1, limit: 1 });
			const entry = page.entries[0];
			if (!entry || entry.seq !== seq) throw new ReversalInputError('entries', `entry ${seq} is not in the trail`);
			if (entry.event !== WRITE_EVENTS.applied) throw new ReversalInputError('entries', `entry ${seq} is a ${entry.event}, not a write.applied: only writes can be reversed`);
			entries.push(entry);
		}
	} else {
		what = `agent ${selection.agentId} since ${selection.since}${selection.until ? ` until ${selection.until}` : ''}`;
		let writes: AuditEntry[];
		try {
			writes = await collectAll(store, { agentId: selection.agentId, event: 'write.*', since: selection.since, until: selection.until });
		} catch (error) {
			if (error instanceof InvalidQueryError) throw new ReversalInputError('since', error.message);
			throw error;
		}
		entries = writes.filter((e) => e.event === WRITE_EVENTS.applied);
		intents = writes.filter((e) => e.event === WRITE_EVENTS.intended);
		outcomes = writes;
	}
	const all = entries.length;
	if (agentId && selection.by !== 'agent') {
		entries = entries.filter((e) => e.agentId === agentId);
		intents = intents.filter((e) => e.agentId === agentId);
	}
	entries.sort((a, b) => b.seq - a.seq);
	const unrecorded = await withoutOutcome(store, intents, outcomes);
	if (entries.length > 0 || unrecorded.length > 0) return { entries, unrecorded };
	if (all > 0) {
		return { entries, unrecorded, note: `${what} has ${all} write${all === 1 ? '' : 's'}, none by agent "${agentId}": check the Agent ID` };
	}
	return { entries, unrecorded, note: `nothing to reverse: ${what} has no applied writes in the trail` };
}

/**
 * The intents that no `write.applied` / `write.failed` names (`details.intent`). The selection's own
 * entries are looked at first; the trail is searched (per record) only for intents still open, whose
 * outcome may lie outside the selection (a time window ending between the two).
 */
async function withoutOutcome(store: GuardStore, intents: AuditEntry[], selected: AuditEntry[]): Promise<AuditEntry[]> {
	const closed = new Set<number>();
	const close = (entries: AuditEntry[]): void => {
		for (const e of entries) {
			const intent = e.details?.intent;
			if ((e.event === WRITE_EVENTS.applied || e.event === WRITE_EVENTS.failed) && typeof intent === 'number') closed.add(intent);
		}
	};
	close(selected);
	const looked = new Set<string>();
	for (const intent of intents) {
		if (closed.has(intent.seq)) continue;
		const key = `${intent.subject?.system}\u0000${intent.subject?.object}\u0000${intent.subject?.recordId ?? ''}`;
		if (looked.has(key)) continue;
		looked.add(key);
		close(await collectAll(store, { event: 'write.*', system: intent.subject?.system, object: intent.subject?.object, recordId: intent.subject?.recordId }));
	}
	return intents.filter((i) => !closed.has(i.seq)).sort((a, b) => a.seq - b.seq);
}

/** One outcome per unrecorded write: nothing is reversed, the person is told to look at the record. */
export function unrecordedOutcomes(intents: AuditEntry[]): ReversalOutcome[] {
	return intents.map((intent) => {
		const operation = String(intent.details?.operation ?? 'write');
		const object = intent.subject?.object ?? '';
		const recordId = intent.subject?.recordId ?? '';
		const after = intent.after ? ` (to ${JSON.stringify(intent.after).slice(0, 200)})` : '';
		return {
			reverses: intent.seq,
			agentId: intent.agentId,
			system: intent.subject?.system ?? '',
			object,
			recordId,
			kind: 'none',
			status: 'failed',
			restored: {},
			changes: [],
			conflicts: [],
			code: 'write_outcome_unknown',
			message: `entry ${intent.seq} announced a ${operation} of ${object}${recordId ? ` ${recordId}` : ''}${after}, but no outcome was recorded after it (n8n stopped during the write?): it may have happened. Check the record by hand; the trail holds what it was before. Nothing was reversed for it.`,
		};
	});
}

// ---------------------------------------------------------------------------------------------

/** How the engine reaches a system: the node's session (with n8n's token refresh) or the CLI's adapter. */
export interface SaasAccess {
	call<T>(fn: (adapter: SaasAdapter) => Promise<T>): Promise<T>;
}

export interface ReverseOptions {
	preview: boolean;
	force: boolean;
	/** Opens the system's access; throws (before anything is written) when its credential is missing or expired. */
	connect(system: SaasSystem): Promise<SaasAccess>;
	/** Appends one entry at once (a reversal is recorded the moment it happened). */
	appendNow(draft: EntryDraft): Promise<AuditEntry>;
	/** Appends a batch (Preview's plans). */
	appendBatch(drafts: EntryDraft[]): Promise<AuditEntry[]>;
	/** Who reverses: the workflow, or the person at the terminal. */
	actor: Actor;
	now?: () => number;
}

export interface FieldChange {
	field: string;
	from: unknown;
	to: unknown;
}

export interface ReversalOutcome {
	reverses: number;
	agentId?: string;
	system: string;
	object: string;
	recordId: string;
	/** The id the record has now when an earlier reversal re-created it under a new one. */
	currentRecordId?: string;
	kind: ReversalKind | 'none';
	status: ReversalStatus;
	/** Values restored (or, in a preview, that would be). */
	restored: Record<string, unknown>;
	/** Field by field: the value now → the value it gets back. */
	changes: FieldChange[];
	conflicts: FieldConflict[];
	forced?: boolean;
	/** The record was re-created under a new id (QuickBooks transactions, Zendesk users and organizations). */
	newRecordId?: string;
	message: string;
	/** Stable reason code (README). */
	code: string;
	audit?: { seq: number; hash: string };
}

/** The trail could not record a reversal that did (or may have) happen(ed): stop loudly, with what to record by hand. */
export class ReversalTrailError extends Error {
	constructor(
		readonly draft: EntryDraft,
		readonly cause: Error,
	) {
		super(cause.message);
	}
}

export const REVERSAL_CLAIM_DOC = 'write-reversal';
const CLAIM_RETAIN_MS = 400 * 86_400_000;
/** A claim this old without an outcome belongs to a run that died. */
const STALE_CLAIM_MS = 10 * 60_000;

interface ReversalClaim {
	state: 'started' | 'done' | 'released' | 'unknown';
	at: number;
	by?: string;
}

type Key = string;
const recordKey = (system: string, object: string, recordId: string): Key => `${system}\u0000${object.toLowerCase()}\u0000${recordId}`;

function same(a: unknown, b: unknown): boolean {
	try {
		return canonicalJson(a ?? null) === canonicalJson(b ?? null);
	} catch {
		return false;
	}
}

function isObject(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The recorded write as planReversal reads it; undefined when the entry is not a usable write. */
export function recordedWrite(entry: AuditEntry): RecordedWrite | undefined {
	const s = entry.subject;
	const op = entry.details?.operation;
	if (!s?.system || !s.object || !s.recordId) return undefined;
	if (s.system !== 'salesforce' && s.system !== 'zendesk' && s.system !== 'quickbooks') return undefined;
	if (op !== 'create' && op !== 'update' && op !== 'delete') return undefined;
	return {
		seq: entry.seq,
		system: s.system,
		object: s.object,
		recordId: s.recordId,
		operation: op,
		before: isObject(entry.before) ? entry.before : undefined,
		after: isObject(entry.after) ? entry.after : undefined,
	};
}

/**
 * Systems whose "restore" of a deleted record is a re-create under a new id: running it twice
 * makes two records, so it is claimed once in the store (see `claimRestore`).
 */
function restoreRecreates(system: SaasSystem, object: string): boolean {
	const o = object.toLowerCase();
	if (system === 'quickbooks') return o !== 'customer';
	if (system === 'zendesk') return !o.startsWith('ticket');
	return false;
}

/**
 * QuickBooks cannot delete a customer: "deleted" is `Active: false`. For reversal such a
 * customer is gone (a delete to undo, a create already undone).
 */
function inactiveCustomer(write: RecordedWrite, fields: Record<string, unknown>): boolean {
	return write.system === 'quickbooks' && write.object.toLowerCase() === 'customer' && fields.Active === false;
}

interface Current {
	state: CurrentState;
	marker: ChangeMarker;
	/** Fields the agent wrote that the system never returns (Zendesk's write-only `comment`): not comparable, not restorable. */
	unreadable: string[];
}

/** The record as it is now: the fields the agent wrote (delete: the whole record) and its marker. */
async function readCurrent(access: SaasAccess, write: RecordedWrite, id: string): Promise<Current> {
	let names = write.operation === 'delete' ? undefined : Object.keys(write.after ?? {});
	if (names && names.length === 0) names = undefined;
	if (names && write.system === 'quickbooks' && write.object.toLowerCase() === 'customer' && !names.includes('Active')) names = [...names, 'Active'];
	let unreadable: string[] = [];
	try {
		let image;
		try {
			image = await access.call((a) => a.read(write.object, id, names));
		} catch (error) {
			// Zendesk answers a named field the record does not carry with unknown_field: read it whole.
			if (!(error instanceof SaasError) || error.code !== 'unknown_field' || !names) throw error;
			image = await access.call((a) => a.read(write.object, id));
			const fields = image.fields;
			unreadable = names.filter((n) => !Object.prototype.hasOwnProperty.call(fields, n));
		}
		if (inactiveCustomer(write, image.fields)) return { state: { exists: false }, marker: image.marker, unreadable };
		return { state: { exists: true, fields: image.fields }, marker: image.marker, unreadable };
	} catch (error) {
		if (error instanceof SaasError && error.code === 'not_found') return { state: { exists: false }, marker: {}, unreadable };
		throw error;
	}
}

/** The write without fields the system never returns: they can neither be checked for later changes nor put back. */
function comparable(write: RecordedWrite, unreadable: string[]): RecordedWrite {
	if (unreadable.length === 0 || !write.after) return write;
	const after = { ...write.after };
	for (const name of unreadable) delete after[name];
	return { ...write, after };
}

function changesOf(plan: ReversalPlan, current: CurrentState): FieldChange[] {
	if (plan.kind !== 'restore_fields') return [];
	const now = current.exists ? current.fields : {};
	return Object.entries(plan.restore).map(([field, to]) => ({ field, from: lookup(plan.system, now, field), to }));
}

function lookup(system: SaasSystem, fields: Record<string, unknown>, name: string): unknown {
	if (Object.prototype.hasOwnProperty.call(fields, name)) return fields[name];
	if (system !== 'salesforce') return undefined;
	const lower = name.toLowerCase();
	for (const [k, v] of Object.entries(fields)) if (k.toLowerCase() === lower) return v;
	return undefined;
}

function describeConflicts(conflicts: FieldConflict[]): string {
	return conflicts.map((c) => `${c.field} (agent wrote ${JSON.stringify(c.wrote)}, now ${JSON.stringify(c.now ?? null)})`).join(', ');
}

function planMessage(plan: ReversalPlan, id: string, preview: boolean): string {
	const what = `${plan.object} ${id}`;
	const will = preview ? 'would ' : '';
	switch (plan.kind) {
		case 'restore_fields':
			return `${preview ? 'would restore' : 'restored'} ${Object.keys(plan.restore).join(', ')} on ${what}${plan.conflicts.length ? `; ${preview ? 'would leave' : 'left'} alone, changed since: ${describeConflicts(plan.conflicts)}` : ''}`;
		case 'delete':
			return `${preview ? 'would delete' : 'deleted'} ${what}, which the agent created`;
		case 'undelete':
			return `${preview ? 'would bring' : 'brought'} back ${what}, which the agent deleted`;
		default:
			return `${will}nothing to do on ${what}: ${plan.note ?? 'nothing changed'}${plan.conflicts.length ? ` (${describeConflicts(plan.conflicts)})` : ''}`;
	}
}

type Draft = { outcome: ReversalOutcome; draft?: EntryDraft };

/**
 * Reverses the given `write.applied` entries (any order; done newest first). Returns one
 * outcome per entry. Each reversal is appended to the trail right after it happened (a preview
 * in one batch at the end). Throws ReversalTrailError when a reversal happened but cannot be
 * recorded, and whatever `connect` throws (before anything is written).
 */
export async function reverseWrites(store: GuardStore, entries: AuditEntry[], options: ReverseOptions): Promise<ReversalOutcome[]> {
	const now = options.now ?? Date.now;
	const writes = [...entries].sort((a, b) => b.seq - a.seq);
	if (writes.length === 0) return [];

	// Every system's credential first: an expired one stops the run before anything is written.
	const access = new Map<SaasSystem, SaasAccess>();
	for (const entry of writes) {
		const w = recordedWrite(entry);
		if (w && !access.has(w.system)) access.set(w.system, await options.connect(w.system));
	}

	const { reversedBy, idMap } = await priorReversals(store, writes);
	const outcomes: ReversalOutcome[] = [];
	const batch: Array<{ outcome: ReversalOutcome; draft: EntryDraft }> = [];
	const settle = async ({ outcome, draft }: Draft): Promise<void> => {
		outcomes.push(outcome);
		if (!draft) return;
		if (options.preview) batch.push({ outcome, draft });
		else outcome.audit = await appendNow(options, draft);
	};
	/** Records whose newer write could not be reversed: older writes on them wait for a re-run. */
	const blocked = new Map<Key, number>();

	for (const entry of writes) {
		const write = recordedWrite(entry);
		const base = {
			reverses: entry.seq,
			agentId: entry.agentId,
			system: entry.subject?.system ?? '',
			object: entry.subject?.object ?? '',
			recordId: entry.subject?.recordId ?? '',
			restored: {},
			changes: [],
			conflicts: [],
		};
		if (!write) {
			outcomes.push({ ...base, kind: 'none', status: 'failed', code: 'reversal_failed', message: `entry ${entry.seq} does not say which record and operation it wrote: it cannot be reversed automatically` });
			continue;
		}
		const key = recordKey(write.system, write.object, write.recordId);
		const previous = reversedBy.get(entry.seq);
		const redo = options.force && previous && Array.isArray(previous.details?.conflicts) && previous.details.conflicts.length > 0 && previous.details.forced !== true;
		if (previous && !redo) {
			outcomes.push({
				...base,
				kind: (previous.details?.kind as ReversalKind | undefined) ?? 'none',
				status: 'already_reversed',
				code: 'already_reversed',
				newRecordId: typeof previous.details?.newRecordId === 'string' ? previous.details.newRecordId : undefined,
				conflicts: (previous.details?.conflicts as FieldConflict[] | undefined) ?? [],
				message: `already reversed by entry ${previous.seq} at ${previous.ts}: nothing done`,
				audit: { seq: previous.seq, hash: previous.hash },
			});
			continue;
		}
		const id = idMap.get(key) ?? write.recordId;
		const current = id === write.recordId ? base : { ...base, currentRecordId: id };
		const blocker = blocked.get(key);
		if (blocker !== undefined) {
			const message = `not attempted: the reversal of the newer write ${blocker} on ${write.object} ${id} failed; run again once it succeeds`;
			const draft = trailDraft(options.actor, entry, write, options.preview ? REVERSAL_EVENTS.previewed : REVERSAL_EVENTS.failed, { reverses: entry.seq, notAttempted: true, blockedBy: blocker, cause: message });
			await settle({ outcome: { ...current, kind: 'none', status: 'failed', code: 'reversal_failed', message }, draft });
			continue;
		}
		let result: Draft;
		try {
			result = await reverseOne(store, access.get(write.system) as SaasAccess, entry, { ...write, recordId: id }, current, options, now);
		} catch (error) {
			if (error instanceof ReversalTrailError) throw error;
			const err = error instanceof Error ? error : new Error(String(error));
			const draft = trailDraft(options.actor, entry, write, options.preview ? REVERSAL_EVENTS.previewed : REVERSAL_EVENTS.failed, failureDetails(entry.seq, err, true));
			result = { outcome: { ...current, kind: 'none', status: 'failed', code: failureCode(err), message: `reading ${write.object} ${id} failed: ${err.message}; nothing was written, run again later` }, draft };
		}
		if (result.outcome.status === 'failed') blocked.set(key, entry.seq);
		if (result.outcome.newRecordId) idMap.set(key, result.outcome.newRecordId);
		await settle(result);
	}
	if (batch.length) {
		let sealed: AuditEntry[];
		try {
			sealed = await options.appendBatch(batch.map((b) => b.draft));
		} catch (error) {
			throw new ReversalTrailError(batch[0].draft, error instanceof Error ? error : new Error(String(error)));
		}
		batch.forEach((b, i) => (b.outcome.audit = sealed[i] ? { seq: sealed[i].seq, hash: sealed[i].hash } : undefined));
	}
	return outcomes;
}

async function appendNow(options: ReverseOptions, draft: EntryDraft): Promise<{ seq: number; hash: string }> {
	try {
		const entry = await options.appendNow(draft);
		return { seq: entry.seq, hash: entry.hash };
	} catch (error) {
		throw new ReversalTrailError(draft, error instanceof Error ? error : new Error(String(error)));
	}
}

function trailDraft(actor: Actor, entry: AuditEntry, write: RecordedWrite, event: string, details: Record<string, unknown>, images: { before?: unknown; after?: unknown } = {}): EntryDraft {
	return {
		agentId: entry.agentId,
		actor,
		event,
		subject: { system: write.system, object: write.object, recordId: write.recordId },
		before: images.before,
		after: images.after,
		details,
	};
}

function failureCode(error: Error): string {
	if (error instanceof SaasError) {
		if (error.code === 'unauthorized') return 'token_rejected';
		if (error.code === 'system_unavailable' || error.code === 'rate_limited') return 'system_unavailable';
	}
	return 'reversal_failed';
}

function failureDetails(seq: number, error: Error, notApplied: boolean): Record<string, unknown> {
	return {
		reverses: seq,
		code: error instanceof SaasError ? error.code : 'error',
		status: error instanceof SaasError ? error.status : undefined,
		cause: error.message,
		outcome: notApplied ? 'not_applied' : 'unknown',
	};
}

/** Refusals after which the system certainly changed nothing. */
const REFUSED = new Set(['conflict', 'invalid_request', 'unknown_object', 'unknown_field', 'not_found', 'unauthorized', 'rate_limited']);

/** The marker member that moves when a person edits the record (not Salesforce SystemModstamp, which background jobs move too). */
const EDIT_MARKER: Record<SaasSystem, string> = { salesforce: 'LastModifiedDate', zendesk: 'updated_at', quickbooks: 'SyncToken' };

/**
 * Whether someone else changed the record between (or after) the writes Agent Guard made to it.
 * Every write.applied and write.reversed carries the record's change marker after it, and the
 * marker it found before it; a person's edit shows as a marker that moved in a gap between two
 * of ours, or after the last one. Returns the moved marker member as a conflict, or nothing.
 */
async function editedBetweenOurWrites(store: GuardStore, write: RecordedWrite, now: ChangeMarker): Promise<FieldConflict[]> {
	const key = EDIT_MARKER[write.system];
	let last: string | undefined;
	for (const e of await collectAll(store, { event: 'write.*', system: write.system, object: write.object, recordId: write.recordId })) {
		if (e.event !== WRITE_EVENTS.applied && e.event !== WRITE_EVENTS.reversed) continue;
		const details = (e.details ?? {}) as { marker?: ChangeMarker; beforeMarker?: ChangeMarker };
		const before = details.beforeMarker?.[key];
		if (last !== undefined && before !== undefined && before !== last) return [{ field: key, wrote: last, now: before }];
		// A write whose marker after it is unknown (an undelete) starts the chain afresh.
		last = details.marker?.[key];
	}
	if (last === undefined || now[key] === undefined || last === now[key]) return [];
	return [{ field: key, wrote: last, now: now[key] }];
}

/** Reads, plans and (unless previewing) performs one reversal; the caller records the draft. */
async function reverseOne(
	store: GuardStore,
	access: SaasAccess,
	entry: AuditEntry,
	write: RecordedWrite,
	base: Omit<ReversalOutcome, 'kind' | 'status' | 'code' | 'message'>,
	options: ReverseOptions,
	now: () => number,
): Promise<Draft> {
	const read = await readCurrent(access, write, write.recordId);
	let plan = planReversal(comparable(write, read.unreadable), read.state, { force: options.force });
	if (plan.kind === 'delete') {
		// planReversal sees only the fields the agent wrote; someone may have worked on others since.
		const edited = await editedBetweenOurWrites(store, write, read.marker);
		if (edited.length) {
			const conflicts = [...plan.conflicts, ...edited];
			plan = options.force ? { ...plan, conflicts } : { ...plan, kind: 'nothing_to_do', conflicts, note: 'the created record was changed by someone else since the agent created it: delete it by hand, or force' };
		}
	}
	const forced = options.force && plan.conflicts.length > 0 ? true : undefined;
	const changes = changesOf(plan, read.state);
	const outcome = { ...base, kind: plan.kind, restored: { ...plan.restore }, changes, conflicts: plan.conflicts, forced };
	const id = write.recordId;
	const unreadable = read.unreadable.length ? read.unreadable : undefined;
	const details = { reverses: entry.seq, kind: plan.kind, conflicts: plan.conflicts.length ? plan.conflicts : undefined, forced, note: plan.note, unreadable };
	const draft = (event: string, extra: Record<string, unknown> = {}, images: { before?: unknown; after?: unknown } = {}) => trailDraft(options.actor, entry, write, event, { ...details, ...extra }, images);
	const conflicted = plan.conflicts.length > 0 && !options.force;

	if (options.preview) {
		const previewed = draft(REVERSAL_EVENTS.previewed, { changes, currentRecordId: base.currentRecordId });
		if (plan.kind === 'nothing_to_do') return { outcome: { ...outcome, status: conflicted ? 'conflict' : 'nothing_to_do', code: conflicted ? 'reversal_conflict' : 'nothing_to_reverse', message: planMessage(plan, id, true) }, draft: previewed };
		return { outcome: { ...outcome, status: 'previewed', code: conflicted ? 'reversal_conflict' : 'reversal_previewed', message: planMessage(plan, id, true) }, draft: previewed };
	}

	if (plan.kind === 'nothing_to_do') {
		return { outcome: { ...outcome, status: conflicted ? 'conflict' : 'nothing_to_do', code: conflicted ? 'reversal_conflict' : 'nothing_to_reverse', message: planMessage(plan, id, false) }, draft: draft(REVERSAL_EVENTS.skipped) };
	}
	const untouched = { ...outcome, restored: {}, changes: [] };
	const raced = (cause: string): Draft => ({
		outcome: { ...untouched, status: 'conflict', code: 'reversal_conflict', message: `${write.object} ${id} changed between our read and our write (${cause}): nothing was overwritten; run again to re-check` },
		draft: draft(REVERSAL_EVENTS.skipped, { raced: true, cause }),
	});
	const gone = (): Draft => ({
		outcome: { ...untouched, kind: 'nothing_to_do', status: 'nothing_to_do', code: 'nothing_to_reverse', message: `nothing to do on ${write.object} ${id}: the created record is gone already` },
		draft: draft(REVERSAL_EVENTS.skipped, { kind: 'nothing_to_do', note: 'the created record is gone already' }),
	});

	let images: { before?: unknown; after?: unknown } = {};
	let newRecordId: string | undefined;
	let marker: ChangeMarker | undefined;
	try {
		if (plan.kind === 'restore_fields') {
			const result = await access.call((a) => a.update(write.object, id, plan.restore, read.marker));
			marker = result.marker;
			images = { before: Object.fromEntries(changes.map((c) => [c.field, c.from ?? null])), after: plan.restore };
		} else if (plan.kind === 'delete') {
			// No system offers a conditional delete: compare the marker once more right before it.
			const again = await readCurrent(access, write, id);
			if (!again.state.exists) return gone();
			if (!same(again.marker, read.marker)) return raced('its change marker moved');
			await access.call((a) => a.delete(write.object, id));
			images = { before: read.state.exists ? read.state.fields : undefined };
		} else {
			const claim = await claimRestore(store, entry.seq, write, options, now());
			if (!claim.ok) {
				const busy = claim.previous.state === 'started' && now() - claim.previous.at < STALE_CLAIM_MS;
				const message = busy
					? `${write.object} ${id} is being brought back by another run right now (${claim.previous.by ?? 'unknown'}): nothing done`
					: `${write.object} ${id}: an earlier attempt to re-create it (${new Date(claim.previous.at).toISOString()}) has no known outcome; check ${write.system} for a copy, then run again with Force to re-create it anyway`;
				return { outcome: { ...untouched, status: 'failed', code: 'reversal_outcome_unknown', message }, draft: draft(REVERSAL_EVENTS.failed, { code: 'outcome_unknown', cause: message }) };
			}
			let result: { id: string; recreated: boolean };
			try {
				result = await access.call((a) => a.restore(write.object, id, plan.restore));
			} catch (error) {
				const refused = error instanceof SaasError && REFUSED.has(error.code);
				await settleRestore(store, claim, refused ? 'released' : 'unknown', now());
				throw error;
			}
			await settleRestore(store, claim, 'done', now());
			if (result.recreated) {
				newRecordId = result.id;
				images = { after: plan.restore };
			}
		}
	} catch (error) {
		const err = error instanceof Error ? error : new Error(String(error));
		if (err instanceof SaasError && err.code === 'conflict') return raced(err.message);
		if (err instanceof SaasError && err.code === 'not_found' && plan.kind === 'delete') return gone();
		const notApplied = err instanceof SaasError && REFUSED.has(err.code);
		const message = notApplied
			? `${plan.kind === 'undelete' ? 'bringing back' : plan.kind === 'delete' ? 'deleting' : 'restoring fields on'} ${write.object} ${id} was refused: ${err.message}; run again once fixed`
			: `${write.object} ${id}: the reversal may or may not have reached ${write.system} (${err.message}); run again: it re-checks the record first`;
		return { outcome: { ...untouched, status: 'failed', code: failureCode(err), message }, draft: draft(REVERSAL_EVENTS.failed, failureDetails(entry.seq, err, notApplied)) };
	}

	const truncated = Array.isArray(entry.details?.beforeTruncated) ? (entry.details.beforeTruncated as string[]) : undefined;
	let message = planMessage(plan, id, false);
	if (unreadable && plan.kind === 'restore_fields') message += `; ${unreadable.join(', ')} cannot be read back from ${write.system} and ${unreadable.length === 1 ? 'was' : 'were'} not restored`;
	if (newRecordId) message += ` (re-created as ${newRecordId}: ${write.system} cannot undelete it${truncated?.length ? `; ${truncated.join(', ')} were too large to keep and are missing` : ''})`;
	return {
		outcome: {
			...outcome,
			restored: plan.kind === 'undelete' && !newRecordId ? {} : outcome.restored,
			newRecordId,
			status: conflicted ? 'conflict' : 'reversed',
			code: conflicted ? 'reversal_conflict' : forced ? 'reversal_forced' : 'reversed',
			message,
		},
		draft: draft(REVERSAL_EVENTS.reversed, { note: undefined, newRecordId, marker, beforeMarker: plan.kind === 'restore_fields' ? read.marker : undefined, missingFields: newRecordId && truncated?.length ? truncated : undefined }, images),
	};
}

/**
 * Reversals already in the trail for these writes (by `details.reverses`), and the records an
 * earlier reversal re-created under a new id. Reversals come after their writes, so reading
 * `write.reversed` entries from the oldest write's time on finds them all.
 */
async function priorReversals(store: GuardStore, writes: AuditEntry[]): Promise<{ reversedBy: Map<number, AuditEntry>; idMap: Map<Key, string> }> {
	const wanted = new Set(writes.map((w) => w.seq));
	const oldest = writes.reduce((min, w) => (Date.parse(w.ts) < min ? Date.parse(w.ts) : min), Number.POSITIVE_INFINITY);
	const since = Number.isFinite(oldest) ? new Date(oldest - 1000).toISOString() : undefined;
	const reversals = await collectAll(store, { event: REVERSAL_EVENTS.reversed, since });
	const reversedBy = new Map<number, AuditEntry>();
	const idMap = new Map<Key, string>();
	for (const r of reversals) {
		const seq = r.details?.reverses;
		if (typeof seq === 'number' && wanted.has(seq)) {
			const earlier = reversedBy.get(seq);
			// A forced re-run supersedes one that left conflicts: the latest says how it stands.
			if (!earlier || r.seq > earlier.seq) reversedBy.set(seq, r);
		}
		const newId = r.details?.newRecordId;
		if (typeof newId === 'string' && r.subject?.system && r.subject.object && r.subject.recordId) idMap.set(recordKey(r.subject.system, r.subject.object, r.subject.recordId), newId);
	}
	return { reversedBy, idMap };
}

type ClaimResult = { ok: true; key: string; version: number } | { ok: false; previous: ReversalClaim };

/**
 * A re-create is not idempotent: claim it in the store first, so neither a concurrent run nor
 * a re-run after a crash makes a second copy. Force takes over a claim with no known outcome.
 */
async function claimRestore(store: GuardStore, seq: number, write: RecordedWrite, options: ReverseOptions, at: number): Promise<ClaimResult> {
	const key = String(seq);
	if (!restoreRecreates(write.system, write.object)) return { ok: true, key, version: -1 };
	const claim: ReversalClaim = { state: 'started', at, by: options.actor.id };
	for (let attempt = 0; attempt < 5; attempt++) {
		const doc = await store.getDoc(REVERSAL_CLAIM_DOC, key);
		if (doc) {
			const previous = JSON.parse(doc.body) as ReversalClaim;
			// Another run is at it right now: never two at once, not even forced.
			if (previous.state === 'started' && at - previous.at < STALE_CLAIM_MS) return { ok: false, previous };
			// A copy may exist (done but unrecorded, outcome unknown, run died): only Force re-creates.
			if (previous.state !== 'released' && !options.force) return { ok: false, previous };
			if (await store.putDoc(REVERSAL_CLAIM_DOC, key, JSON.stringify(claim), doc.version, { retainUntil: at + CLAIM_RETAIN_MS })) return { ok: true, key, version: doc.version + 1 };
			continue;
		}
		if (await store.putDoc(REVERSAL_CLAIM_DOC, key, JSON.stringify(claim), 0, { retainUntil: at + CLAIM_RETAIN_MS })) return { ok: true, key, version: 1 };
	}
	const latest = await store.getDoc(REVERSAL_CLAIM_DOC, key);
	return { ok: false, previous: latest ? (JSON.parse(latest.body) as ReversalClaim) : claim };
}

async function settleRestore(store: GuardStore, claim: { key: string; version: number }, state: ReversalClaim['state'], at: number): Promise<void> {
	if (claim.version < 0) return;
	await store.putDoc(REVERSAL_CLAIM_DOC, claim.key, JSON.stringify({ state, at }), claim.version, { retainUntil: at + CLAIM_RETAIN_MS });
}
