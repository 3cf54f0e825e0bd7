import { GuardStore } from '../store/types';
import { DAY_MS } from '../spend/periods';
import { ApprovalProof, checkApprovalProof, signApprovalProof } from './proof';
import { ApprovalRecord, DecisionResult, applyDecision, approvedBy, expireIfDue } from './record';
import { verifyApproverToken } from './token';

/**
 * What the Approval Gate keeps in the store between sending a request and the decision:
 * the record (quorum state) and the items to send on once decided. Nothing lives in
 * memory, so whichever n8n process receives the approver's click can finish it.
 */
export const APPROVAL_DOC = 'approval';
/** Approval records outlive their expiry so that a late click still gets a clear answer. */
export const APPROVAL_RETAIN_MS = 30 * DAY_MS;
/** What the request may carry to the page and the output; larger batches should be split. */
export const MAX_STORED_BYTES = 5 * 1024 * 1024;
export const LINK_KEY = 'approval-link';
export const PROOF_KEY = 'approval-proof';

export interface StoredApproval {
	record: ApprovalRecord;
	/** JSON of the input items, in order: they leave the gate on Approved or Rejected. */
	items: unknown[];
}

export class ApprovalTooLargeError extends Error {
	readonly code = 'approval_too_large';
}

export async function saveNewApproval(store: GuardStore, stored: StoredApproval): Promise<void> {
	const body = JSON.stringify(stored);
	if (body.length > MAX_STORED_BYTES) {
		throw new ApprovalTooLargeError(
			`the ${stored.items.length} items to approve take ${Math.round(body.length / 1024)} KB, more than the ${MAX_STORED_BYTES / 1024 / 1024} MB one request may hold: split them (Loop Over Items) or remove large fields before the gate`,
		);
	}
	const written = await store.putDoc(APPROVAL_DOC, stored.record.id, body, 0, { retainUntil: stored.record.expiresAt + APPROVAL_RETAIN_MS, dueAt: stored.record.expiresAt });
	if (!written) throw new Error(`approval ${stored.record.id} already exists`);
}

export async function loadApproval(store: GuardStore, id: string): Promise<{ stored: StoredApproval; version: number } | undefined> {
	const doc = await store.getDoc(APPROVAL_DOC, id);
	return doc ? { stored: JSON.parse(doc.body) as StoredApproval, version: doc.version } : undefined;
}

async function saveRecord(store: GuardStore, stored: StoredApproval, record: ApprovalRecord, version: number): Promise<boolean> {
	const pending = record.status === 'pending';
	return store.putDoc(APPROVAL_DOC, record.id, JSON.stringify({ ...stored, record }), version, {
		retainUntil: record.expiresAt + APPROVAL_RETAIN_MS,
		dueAt: pending ? record.expiresAt : undefined,
	});
}

export type LinkCheck =
	| { ok: true; stored: StoredApproval; version: number; approver: number }
	| { ok: false; code: 'malformed' | 'forged' | 'expired' | 'unknown' | 'tampered'; message: string; stored?: StoredApproval; version?: number; approver?: number };

/** Verifies a link token and finds its request; a token for another request or payload is `tampered`. */
export async function checkLink(store: GuardStore, token: unknown, now: number): Promise<LinkCheck> {
	const verified = verifyApproverToken(store.deriveKey(LINK_KEY), token, now);
	const claims = verified.claims;
	if (!verified.ok && verified.code !== 'expired') return { ok: false, code: verified.code, message: verified.message };
	if (!claims) return { ok: false, code: 'malformed', message: 'the link is not an approval link' };
	const found = await loadApproval(store, claims.approvalId);
	if (!found) return { ok: false, code: 'unknown', message: 'no approval request with this id is known (it may be older than 30 days)' };
	if (found.stored.record.digest !== claims.digest || claims.approver >= found.stored.record.approvers.length) {
		return { ok: false, code: 'tampered', message: 'this link was not made for this request' };
	}
	if (!verified.ok) return { ok: false, code: 'expired', message: verified.message, stored: found.stored, version: found.version, approver: claims.approver };
	return { ok: true, stored: found.stored, version: found.version, approver: claims.approver };
}

export type DecideOutcome = DecisionResult & { stored: StoredApproval };

/**
 * Records one approver's decision with compare-and-set, retrying when another approver's
 * decision landed in between. An expired request found on the way is saved as expired.
 */
export async function decide(store: GuardStore, id: string, approver: number, decision: 'approve' | 'reject', comment: string | undefined, now: number): Promise<DecideOutcome> {
	for (let attempt = 0; attempt < 20; attempt++) {
		const found = await loadApproval(store, id);
		if (!found) throw new Error(`approval ${id} disappeared from the store`);
		const result = applyDecision(found.stored.record, approver, decision, comment, now);
		const changed = result.ok || result.changed;
		if (!changed) return { ...result, stored: found.stored };
		if (await saveRecord(store, found.stored, result.record, found.version)) return { ...result, stored: { ...found.stored, record: result.record } };
	}
	throw new Error(`approval ${id} is being decided by many approvers at once: try again`);
}

/**
 * Closes one request whose time is up, with compare-and-set (whoever gets there first
 * closes it). `closedNow` says whether this call did: only that caller logs the expiry.
 */
export async function closeIfExpired(store: GuardStore, id: string, now: number): Promise<{ stored: StoredApproval; closedNow: boolean } | undefined> {
	for (let attempt = 0; attempt < 20; attempt++) {
		const found = await loadApproval(store, id);
		if (!found) return undefined;
		const record = expireIfDue(found.stored.record, now);
		if (record.status !== 'expired') return undefined;
		if (record === found.stored.record) return { stored: found.stored, closedNow: false };
		if (await saveRecord(store, found.stored, record, found.version)) return { stored: { ...found.stored, record }, closedNow: true };
	}
	throw new Error(`approval ${id} is being changed by many at once: try again`);
}

/** Marks pending requests whose time is up as expired (at most `limit`); returns those it closed. */
export async function sweepExpired(store: GuardStore, now: number, limit = 20): Promise<StoredApproval[]> {
	const closed: StoredApproval[] = [];
	for (const id of await store.dueDocs(APPROVAL_DOC, now, limit)) {
		const result = await closeIfExpired(store, id, now);
		if (result?.closedNow) closed.push(result.stored);
	}
	return closed;
}

/** The proof each approved item carries: Guarded Write checks it against the exact action it performs. */
export function proofsFor(store: GuardStore, record: ApprovalRecord): ApprovalProof[] {
	const key = store.deriveKey(PROOF_KEY);
	const approvers = approvedBy(record);
	return record.items.map((item) => signApprovalProof(key, { id: record.id, digest: item.digest, approvers, decidedAt: record.decidedAt ?? Date.now() }));
}

export type ApprovalVerdict =
	| { approved: true; proof: ApprovalProof }
	| { approved: false; code: 'approval_rejected' | 'approval_expired' | 'approval_missing' | 'approval_mismatch' | 'approval_invalid'; message: string };

/**
 * Whether one item may go on as approved: only a proof signed by this installation for the
 * exact action (and before-image) on the item. Anything else says why not.
 */
export function judgeApproval(store: GuardStore, json: { approval?: unknown; guard?: unknown }, action: unknown, before: unknown): ApprovalVerdict {
	const guard = (json.guard ?? {}) as { decision?: unknown; reasons?: Array<{ message?: unknown }> };
	if (json.approval !== undefined) {
		let result: ReturnType<typeof checkApprovalProof>;
		try {
			result = checkApprovalProof(store.deriveKey(PROOF_KEY), json.approval, action, before);
		} catch (error) {
			return { approved: false, code: 'approval_mismatch', message: `the action cannot be compared with the approved one: ${(error as Error).message}` };
		}
		if (result.ok) return { approved: true, proof: result.proof };
		if (result.reason === 'mismatch') return { approved: false, code: 'approval_mismatch', message: 'the action was changed after it was approved' };
		return { approved: false, code: 'approval_invalid', message: `the approval on the item is not valid (${result.message})` };
	}
	const said = typeof guard.reasons?.[0]?.message === 'string' ? String(guard.reasons[0].message) : undefined;
	if (guard.decision === 'rejected') return { approved: false, code: 'approval_rejected', message: said ?? 'an approver rejected it' };
	if (guard.decision === 'expired') return { approved: false, code: 'approval_expired', message: said ?? 'nobody decided in time' };
	return { approved: false, code: 'approval_missing', message: 'the item carries no approval' };
}

/**
 * Requests of one execution that ran out of time. n8n sends a waiting gate's input on
 * when its wait time ends, without asking the gate: this is how the routing step tells
 * a timed-out item from one that never went through a gate, and closes the request.
 */
export async function expiredRequestsOf(store: GuardStore, executionId: string, now: number): Promise<{ closedNow: ApprovalRecord[]; expired: ApprovalRecord[] }> {
	const page = await store.query({ executionId, event: 'approval.requested', limit: 1000 });
	const closedNow: ApprovalRecord[] = [];
	const expired: ApprovalRecord[] = [];
	for (const entry of page.entries) {
		const id = (entry.details as { approvalId?: unknown } | undefined)?.approvalId;
		if (typeof id !== 'string') continue;
		const result = await closeIfExpired(store, id, now);
		if (!result) continue;
		if (result.closedNow) closedNow.push(result.stored.record);
		expired.push(result.stored.record);
	}
	return { closedNow, expired };
}
