import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from './canonical';
import { redactSecrets } from './redact';

export type ActorType = 'agent' | 'human' | 'system';

export interface Actor {
	type: ActorType;
	id: string;
}

export interface Subject {
	system?: string;
	object?: string;
	recordId?: string;
}

/** What a caller hands to the store: everything but the chain fields. */
export interface EntryDraft {
	ts?: string;
	agentId?: string;
	executionId?: string;
	workflowId?: string;
	node?: string;
	actor: Actor;
	event: string;
	subject?: Subject;
	before?: unknown;
	after?: unknown;
	digest?: string;
	details?: Record<string, unknown>;
}

/** A sealed entry: the draft plus its place in the chain. */
export interface AuditEntry extends EntryDraft {
	seq: number;
	ts: string;
	prevHash: string;
	hash: string;
	mac: string;
}

/** A signed statement of the head of the chain; makes a truncated tail detectable. */
export interface Checkpoint {
	seq: number;
	hash: string;
	ts: string;
	mac: string;
}

export const GENESIS_HASH = '0'.repeat(64);
const EVENT = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

export class InvalidEntryError extends Error {}

/** Checks a draft and returns a copy fit to be sealed: secrets redacted, timestamp set. */
export function prepareDraft(draft: EntryDraft, now: Date = new Date()): EntryDraft & { ts: string } {
	if (!draft || typeof draft !== 'object') throw new InvalidEntryError('audit entry must be an object');
	if (typeof draft.event !== 'string' || !EVENT.test(draft.event)) {
		throw new InvalidEntryError(`event "${String(draft.event)}" must be namespaced like "scope.decided" (lower case, dot-separated)`);
	}
	const actor = draft.actor;
	if (!actor || !['agent', 'human', 'system'].includes(actor.type) || typeof actor.id !== 'string' || actor.id === '') {
		throw new InvalidEntryError('actor must be { type: agent | human | system, id: non-empty string }');
	}
	if (draft.details !== undefined && (draft.details === null || typeof draft.details !== 'object' || Array.isArray(draft.details))) {
		throw new InvalidEntryError('details must be a JSON object');
	}
	const ts = draft.ts ?? now.toISOString();
	if (Number.isNaN(Date.parse(ts))) throw new InvalidEntryError(`ts "${ts}" is not an ISO-8601 date`);
	const clean = redactSecrets({ ...draft, ts });
	// Round-trip through canonical JSON now, so that a value JSON cannot carry fails here, not at verify time.
	return JSON.parse(canonicalJson(clean)) as EntryDraft & { ts: string };
}

export function sha256Hex(text: string): string {
	return createHash('sha256').update(text).digest('hex');
}

export function macHex(secret: string, text: string): string {
	return createHmac('sha256', secret).update(text).digest('hex');
}

export function safeEqualHex(a: string, b: string): boolean {
	if (typeof a !== 'string' || typeof b !== 'string' || a.length !== b.length) return false;
	return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** The hash covers the previous hash and every field of the entry except `hash` and `mac`. */
export function entryHash(entry: Omit<AuditEntry, 'hash' | 'mac'> | AuditEntry): string {
	const { hash: _h, mac: _m, ...body } = entry as AuditEntry;
	return sha256Hex(entry.prevHash + '\n' + canonicalJson(body));
}

/** The MAC of a sealed entry, from its hash. */
export function entryMac(secret: string, hash: string): string {
	return macHex(secret, `entry\n${hash}`);
}

/**
 * Refuses to extend a chain whose head was signed with another secret: appending would
 * mix two keys in one trail and make every later verify fail.
 */
export function assertSameSecret(head: { seq: number; hash: string; mac?: string }, secret: string, where: string): void {
	if (head.seq === 0 || head.mac === undefined) return;
	if (!safeEqualHex(entryMac(secret, head.hash), head.mac)) {
		throw new WrongSecretError(
			`the signing secret does not match the one that wrote ${where} (the MAC of seq ${head.seq} does not verify). Use the original secret; nothing was written.`,
		);
	}
}

export class WrongSecretError extends Error {
	readonly code = 'store_config';
}

export function sealEntry(draft: EntryDraft & { ts: string }, seq: number, prevHash: string, secret: string): AuditEntry {
	const body = { ...draft, seq, prevHash };
	const hash = entryHash(body);
	return { ...body, hash, mac: entryMac(secret, hash) };
}

/** Seals drafts in order after `head`; returns the sealed entries. */
export function sealChain(drafts: Array<EntryDraft & { ts: string }>, head: { seq: number; hash: string }, secret: string): AuditEntry[] {
	const out: AuditEntry[] = [];
	let prev = head;
	for (const draft of drafts) {
		const sealed = sealEntry(draft, prev.seq + 1, prev.hash, secret);
		out.push(sealed);
		prev = sealed;
	}
	return out;
}

export function signCheckpoint(head: { seq: number; hash: string }, secret: string, now: Date = new Date()): Checkpoint {
	const ts = now.toISOString();
	return { seq: head.seq, hash: head.hash, ts, mac: checkpointMac(head.seq, head.hash, ts, secret) };
}

export function checkpointMac(seq: number, hash: string, ts: string, secret: string): string {
	return macHex(secret, `checkpoint\n${seq}\n${hash}\n${ts}`);
}
