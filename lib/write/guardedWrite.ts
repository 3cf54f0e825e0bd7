import { canonicalJson } from '../audit/canonical';
import { EntryDraft } from '../audit/entry';
import { malformed } from '../policy/evaluate';
import { GuardStore } from '../store/types';
import { ChangeMarker, SaasAdapter, SaasError, SaasErrorCode, SaasSystem } from '../saas/types';

/**
 * The engine of Guarded Write, without n8n: parse the proposed write, take the before-image,
 * claim the approval once, write with the system's own concurrency control, and shape the
 * trail entries that Reverse Write later reads. The node adds parameters, credentials and items.
 */
export const WRITE_EVENTS = {
	/** Recorded before the write is sent: a crash between the write and its outcome leaves this without one. */
	intended: 'write.intended',
	applied: 'write.applied',
	failed: 'write.failed',
	refused: 'write.refused',
	dryRun: 'write.dry_run',
	reversed: 'write.reversed',
} as const;

export type WriteOperation = 'create' | 'update' | 'delete';

export interface WriteAction {
	system: SaasSystem;
	object: string;
	operation: WriteOperation;
	recordId?: string;
	fields: Record<string, unknown>;
}

/** A proposed write that cannot be performed as given; `field` is the action's member at fault. */
export class WriteInputError extends Error {
	readonly code = 'malformed_action';
	constructor(
		readonly field: string | undefined,
		message: string,
	) {
		super(message);
	}
}

const SYSTEMS = new Set<string>(['salesforce', 'zendesk', 'quickbooks']);

/** Validates what an agent proposed; a read is not a write, and the system must be one we write to. */
export function parseWriteAction(raw: unknown): WriteAction {
	const problems = malformed(raw);
	if (problems.length) throw new WriteInputError(problems[0].field, problems[0].message);
	const a = raw as Record<string, unknown>;
	const system = String(a.system).trim().toLowerCase();
	if (!SYSTEMS.has(system)) throw new WriteInputError('system', `"system" must be salesforce, zendesk or quickbooks, got ${JSON.stringify(a.system)}`);
	if (a.operation === 'read') throw new WriteInputError('operation', '"operation" is read: Guarded Write performs create, update and delete only');
	const recordId = a.recordId === undefined || a.recordId === null || a.recordId === '' ? undefined : String(a.recordId);
	if (a.operation === 'create' && recordId !== undefined) throw new WriteInputError('recordId', '"recordId" must be empty for create: the system assigns it');
	return {
		system: system as SaasSystem,
		object: String(a.object).trim(),
		operation: a.operation as WriteOperation,
		recordId,
		fields: (a.fields ?? {}) as Record<string, unknown>,
	};
}

/** Before-images larger than this are cut (largest fields first) and the trail says so. */
export const MAX_BEFORE_BYTES = 64 * 1024;

export interface BeforeImage {
	fields: Record<string, unknown>;
	marker: ChangeMarker;
	/** Fields left out because the image was too large (delete snapshots of big records). */
	truncated?: string[];
}

function jsonSize(value: unknown): number {
	return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

/** Keeps the image under the bound by dropping the largest fields; says which. */
export function boundImage(fields: Record<string, unknown>, maxBytes = MAX_BEFORE_BYTES): { fields: Record<string, unknown>; truncated?: string[] } {
	if (jsonSize(fields) <= maxBytes) return { fields };
	const kept = { ...fields };
	const truncated: string[] = [];
	const bySize = Object.keys(kept).sort((x, y) => jsonSize(kept[y]) - jsonSize(kept[x]));
	for (const name of bySize) {
		if (jsonSize(kept) <= maxBytes) break;
		delete kept[name];
		truncated.push(name);
	}
	return { fields: kept, truncated };
}

/** The fields about to change as they are now (update), the whole record (delete), nothing (create). */
export async function readBefore(adapter: SaasAdapter, action: WriteAction): Promise<BeforeImage | undefined> {
	if (action.operation === 'create') return undefined;
	if (action.operation === 'delete') {
		const image = await adapter.read(action.object, action.recordId as string);
		const bounded = boundImage(image.fields);
		return { fields: bounded.fields, marker: image.marker, truncated: bounded.truncated };
	}
	// Write-only fields (a Zendesk comment) have no value before; the read is then for the marker alone.
	const writeOnly = adapter.writeOnlyFields(action.object);
	const names = Object.keys(action.fields).filter((name) => !writeOnly.has(name));
	const image = await adapter.read(action.object, action.recordId as string, names.length ? names : undefined);
	const bounded = boundImage(names.length ? image.fields : {});
	return { fields: bounded.fields, marker: image.marker, truncated: bounded.truncated };
}

function sameValue(a: unknown, b: unknown): boolean {
	if (a === b) return true;
	if ((a ?? null) === null && (b ?? null) === null) return true;
	try {
		return canonicalJson(a ?? null) === canonicalJson(b ?? null);
	} catch {
		return false;
	}
}

function lookup(system: SaasSystem, fields: Record<string, unknown>, name: string): { found: boolean; value?: unknown } {
	if (Object.prototype.hasOwnProperty.call(fields, name)) return { found: true, value: fields[name] };
	if (system !== 'salesforce') return { found: false };
	const lower = name.toLowerCase();
	for (const [key, value] of Object.entries(fields)) if (key.toLowerCase() === lower) return { found: true, value };
	return { found: false };
}

/**
 * Fields whose value the approver saw (the item's before-image) differs from the record now:
 * the approval was given for another state of the record.
 */
export function changedSinceApproval(system: SaasSystem, approvedBefore: unknown, now: Record<string, unknown>): string[] {
	if (!approvedBefore || typeof approvedBefore !== 'object' || Array.isArray(approvedBefore)) return [];
	const changed: string[] = [];
	for (const [name, seen] of Object.entries(approvedBefore as Record<string, unknown>)) {
		const current = lookup(system, now, name);
		if (current.found && !sameValue(seen, current.value)) changed.push(name);
	}
	return changed;
}

/** The fields whose value the write changes, with old and new: what the output and the page show. */
export function changes(action: WriteAction, before: BeforeImage | undefined): Array<{ field: string; before: unknown; after: unknown }> {
	if (action.operation === 'delete') return Object.entries(before?.fields ?? {}).map(([field, value]) => ({ field, before: value, after: null }));
	return Object.entries(action.fields)
		.map(([field, after]) => ({ field, before: before ? (lookup(action.system, before.fields, field).value ?? null) : null, after }))
		.filter((c) => action.operation === 'create' || !sameValue(c.before, c.after));
}

export interface WriteResult {
	recordId: string;
	/** The record's change marker right after the write (none after a delete). */
	marker: ChangeMarker;
	/** How we know it was applied: the system said so, or we read it back after an unclear failure. */
	confirmedBy: 'response' | 'read_back';
}

/** A write that failed: whether the system certainly did not apply it, and the cause. */
export class WriteFailedError extends Error {
	constructor(
		readonly cause: SaasError | Error,
		/** false: the write may or may not have reached the system (timeout, outage on a create). */
		readonly notApplied: boolean,
		readonly code: SaasErrorCode | 'error',
	) {
		super(cause.message);
	}
}

/** Failures after which the system has certainly changed nothing (it answered with a refusal). */
const REFUSALS = new Set<SaasErrorCode>(['conflict', 'invalid_request', 'unknown_object', 'unknown_field', 'not_found', 'unauthorized', 'rate_limited']);

/**
 * Performs the write once (never retried blindly: writes are not idempotent). An update
 * carries the before-image's marker so the system refuses it if someone changed the record
 * in between. After an unclear failure (timeout, outage) an update or delete is read back
 * to learn whether it landed.
 */
export async function performWrite(adapter: SaasAdapter, action: WriteAction, before: BeforeImage | undefined): Promise<WriteResult> {
	try {
		if (action.operation === 'create') {
			const created = await adapter.create(action.object, action.fields);
			return { recordId: created.id, marker: created.marker, confirmedBy: 'response' };
		}
		const id = action.recordId as string;
		if (action.operation === 'update') {
			const updated = await adapter.update(action.object, id, action.fields, before?.marker);
			return { recordId: id, marker: updated.marker, confirmedBy: 'response' };
		}
		await adapter.delete(action.object, id);
		return { recordId: id, marker: {}, confirmedBy: 'response' };
	} catch (error) {
		const err = error instanceof Error ? error : new Error(String(error));
		const code = err instanceof SaasError ? err.code : 'error';
		if (err instanceof SaasError && REFUSALS.has(err.code)) throw new WriteFailedError(err, true, code);
		if (action.operation === 'create') throw new WriteFailedError(err, false, code);
		const landed = await readBack(adapter, action).catch(() => undefined);
		if (landed) return { recordId: action.recordId as string, marker: landed, confirmedBy: 'read_back' };
		throw new WriteFailedError(err, landed === undefined ? false : true, code);
	}
}

/** After an unclear failure: the marker if the write is visible, null if it certainly is not, undefined if we cannot tell. */
async function readBack(adapter: SaasAdapter, action: WriteAction): Promise<ChangeMarker | null | undefined> {
	const id = action.recordId as string;
	if (action.operation === 'delete') {
		try {
			await adapter.read(action.object, id);
			return null;
		} catch (error) {
			if (error instanceof SaasError && error.code === 'not_found') return {};
			return undefined;
		}
	}
	const writeOnly = adapter.writeOnlyFields(action.object);
	const readable = Object.entries(action.fields).filter(([name]) => !writeOnly.has(name));
	// Nothing to read back (only a comment): we cannot tell.
	if (readable.length === 0) return undefined;
	const image = await adapter.read(action.object, id, readable.map(([name]) => name));
	const all = readable.every(([name, value]) => sameValue(lookup(action.system, image.fields, name).value, value));
	// Not all there: it did not land (a write is atomic per record on all three systems).
	return all ? image.marker : null;
}

// ---------------------------------------------------------------------------------------------
// An approval is consumed once. The claim is a compare-and-set document written before the
// write; a failure the system certainly refused releases it for another try.

export const APPROVAL_USE_DOC = 'approval-use';
const USE_RETAIN_MS = 400 * 86_400_000;

export interface ApprovalUse {
	state: 'claimed' | 'applied' | 'failed';
	executionId?: string;
	node?: string;
	at: number;
	/** The audit entry of the write that used it. */
	seq?: number;
}

export type ClaimResult = { ok: true; key: string; version: number } | { ok: false; previous: ApprovalUse };

function useKey(approvalId: string, digest: string): string {
	return `${approvalId}:${digest}`;
}

export async function claimApproval(store: GuardStore, approvalId: string, digest: string, by: { executionId?: string; node?: string }, now: number): Promise<ClaimResult> {
	const key = useKey(approvalId, digest);
	const claim: ApprovalUse = { state: 'claimed', executionId: by.executionId, node: by.node, at: now };
	for (let attempt = 0; attempt < 5; attempt++) {
		const current = await store.getDoc(APPROVAL_USE_DOC, key);
		if (current) {
			const previous = JSON.parse(current.body) as ApprovalUse;
			if (previous.state !== 'failed') return { ok: false, previous };
			if (await store.putDoc(APPROVAL_USE_DOC, key, JSON.stringify(claim), current.version, { retainUntil: now + USE_RETAIN_MS })) return { ok: true, key, version: current.version + 1 };
			continue;
		}
		if (await store.putDoc(APPROVAL_USE_DOC, key, JSON.stringify(claim), 0, { retainUntil: now + USE_RETAIN_MS })) return { ok: true, key, version: 1 };
	}
	const latest = await store.getDoc(APPROVAL_USE_DOC, key);
	return { ok: false, previous: latest ? (JSON.parse(latest.body) as ApprovalUse) : claim };
}

/** Marks a claim as used (applied, or a failure whose outcome is unknown) or releases it (`failed`: certainly not applied). */
export async function settleApprovalUse(store: GuardStore, claim: { key: string; version: number }, use: ApprovalUse): Promise<void> {
	const state: ApprovalUse = use.state === 'failed' ? use : { ...use, state: 'applied' };
	await store.putDoc(APPROVAL_USE_DOC, claim.key, JSON.stringify(state), claim.version, { retainUntil: use.at + USE_RETAIN_MS });
}

// ---------------------------------------------------------------------------------------------
// Trail entries. Reverse Write reads `write.applied`: subject names the record, `before`
// holds the values before the write (update: the changed fields; delete: the record),
// `after` what was written, `details.marker` the change marker right after.

export interface WriteRecordContext {
	agentId: string;
	digest?: string;
	approvalId?: string;
	warnings?: string[];
	/** Which kind of system the credential reached: the checklist's evidence of a sandbox run. */
	environment?: 'sandbox' | 'production';
}

/** The part both write entries share: who, which record, before and after, the digest. */
function writeEntry(event: string, action: WriteAction, before: BeforeImage | undefined, recordId: string | undefined, ctx: WriteRecordContext, details: Record<string, unknown>): EntryDraft {
	return {
		agentId: ctx.agentId,
		actor: { type: 'agent', id: ctx.agentId },
		event,
		subject: { system: action.system, object: action.object, recordId },
		before: before?.fields,
		after: action.operation === 'delete' ? undefined : action.fields,
		digest: ctx.digest,
		details: { operation: action.operation, ...details, approvalId: ctx.approvalId, environment: ctx.environment },
	};
}

/** What is about to be written, recorded before the write is sent (see the node: a write the trail cannot announce is not made). */
export function intendedEntry(action: WriteAction, before: BeforeImage | undefined, ctx: WriteRecordContext): EntryDraft {
	return writeEntry(WRITE_EVENTS.intended, action, before, action.recordId, ctx, { beforeMarker: before?.marker, beforeTruncated: before?.truncated });
}

/** `intentSeq`: the `write.intended` entry this outcome closes. */
export function appliedEntry(action: WriteAction, before: BeforeImage | undefined, result: WriteResult, ctx: WriteRecordContext, intentSeq?: number): EntryDraft {
	return writeEntry(WRITE_EVENTS.applied, action, before, result.recordId, ctx, {
		intent: intentSeq,
		marker: result.marker,
		beforeMarker: before?.marker,
		beforeTruncated: before?.truncated,
		confirmedBy: result.confirmedBy,
		warnings: ctx.warnings?.length ? ctx.warnings : undefined,
	});
}

export function failedEntry(action: WriteAction, before: BeforeImage | undefined, failure: WriteFailedError, ctx: WriteRecordContext, intentSeq?: number): EntryDraft {
	return writeEntry(WRITE_EVENTS.failed, action, before, action.recordId, ctx, {
		intent: intentSeq,
		code: failure.code,
		cause: failure.message,
		status: failure.cause instanceof SaasError ? failure.cause.status : undefined,
		outcome: failure.notApplied ? 'not_applied' : 'unknown',
	});
}
