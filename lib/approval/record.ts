import { randomUUID } from 'node:crypto';
import { canonicalJson, CanonicalJsonError, sortedCopy } from '../audit/canonical';
import { InvalidAgentIdError, validateAgentId } from '../agents/agent';
import { actionDigest, batchDigest } from './digest';
import { ApprovalInputError, isJsonObject } from './errors';

/**
 * The approval record and its quorum state machine. Every function here is pure: it
 * returns a new record with `version` one higher and leaves persistence (compare-and-set
 * on `version`) to the store.
 */

/** `address`: an e-mail address, or empty when the link is handed over some other way. */
export interface Approver {
	name: string;
	address?: string;
}

export interface ApprovalItem {
	index: number;
	/** actionDigest(action, before): what an approval proof for this item binds to. */
	digest: string;
	action: Record<string, unknown>;
	before?: Record<string, unknown>;
	reason?: string;
	/** Scope Guard reasons or Injection Sanitizer findings, shown to the approver as they are. */
	findings?: unknown[];
}

export interface ApprovalDecision {
	approver: number;
	decision: 'approve' | 'reject';
	comment?: string;
	at: number;
}

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired';

export interface ApprovalRecord {
	id: string;
	version: number;
	agentId: string;
	executionId?: string;
	workflowId?: string;
	node?: string;
	message?: string;
	/** batchDigest of the item digests: what the approver links are bound to. */
	digest: string;
	items: ApprovalItem[];
	approvers: Approver[];
	quorum: number;
	createdAt: number;
	expiresAt: number;
	decisions: ApprovalDecision[];
	status: ApprovalStatus;
	decidedAt?: number;
}

export interface ApprovalItemInput {
	action: unknown;
	before?: unknown;
	reason?: string;
	findings?: unknown[];
}

export interface NewApprovalInput {
	agentId: string;
	executionId?: string;
	workflowId?: string;
	node?: string;
	message?: string;
	items: ApprovalItemInput[];
	approvers: Approver[];
	quorum: number;
	createdAt: number;
	expiresAt: number;
}

export type DecisionResult =
	| { ok: true; record: ApprovalRecord; final: boolean }
	| {
			ok: false;
			code: 'unknown_approver' | 'already_decided' | 'closed' | 'expired';
			message: string;
			record: ApprovalRecord;
			/** True when `record` is a new version (a pending record found expired) that the caller must store. */
			changed: boolean;
	  };

export const MAX_COMMENT_LENGTH = 2000;
/** Bounds on what one request may hold: an approver reads every item, and the record is stored whole. */
export const MAX_ITEMS = 1000;
export const MAX_APPROVERS = 50;
const MAX_NAME_LENGTH = 200;
const MAX_TEXT_LENGTH = 10_000;
/** Refuses characters that would let an address smuggle extra mail headers or recipients. */
const ADDRESS = /^[^\s@<>,;"'\\()[\]]+@[^\s@<>,;"'\\()[\]]+$/;

function optionalText(field: string, value: unknown, max: number): string | undefined {
	if (value === undefined) return undefined;
	if (typeof value !== 'string') throw new ApprovalInputError(field, `${field} must be text`);
	if (value.length > max) throw new ApprovalInputError(field, `${field} is ${value.length} characters long; the limit is ${max}`);
	return value;
}

function checkTime(field: string, value: unknown): number {
	if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
		throw new ApprovalInputError(field, `${field} must be a time in epoch milliseconds`);
	}
	return value;
}

/** A deep, key-sorted copy that is known to be storable as JSON; the caller's objects stay theirs. */
function jsonCopy<T>(field: string, value: T): T {
	try {
		canonicalJson(value);
		return sortedCopy(value);
	} catch (error) {
		if (error instanceof CanonicalJsonError) throw new ApprovalInputError(field, `${field}: ${error.message}`);
		throw error;
	}
}

function checkApprovers(approvers: unknown): Approver[] {
	if (!Array.isArray(approvers) || approvers.length === 0) {
		throw new ApprovalInputError('approvers', 'an approval needs at least one approver');
	}
	if (approvers.length > MAX_APPROVERS) throw new ApprovalInputError('approvers', `at most ${MAX_APPROVERS} approvers can be asked`);
	const seen = new Set<string>();
	return approvers.map((entry: unknown, i) => {
		const field = `approvers[${i}]`;
		if (!isJsonObject(entry)) throw new ApprovalInputError(field, `${field} must be { name, address? }`);
		const name = typeof entry.name === 'string' ? entry.name.trim() : '';
		if (name === '') throw new ApprovalInputError(`${field}.name`, `approver ${i + 1} has no name`);
		if (name.length > MAX_NAME_LENGTH) throw new ApprovalInputError(`${field}.name`, `approver ${i + 1}'s name is longer than ${MAX_NAME_LENGTH} characters`);
		// Decisions and proofs name approvers: two with one name could not be told apart.
		const key = name.toLowerCase();
		if (seen.has(key)) throw new ApprovalInputError(`${field}.name`, `approver name "${name}" appears twice`);
		seen.add(key);
		if (entry.address === undefined) return { name };
		if (typeof entry.address !== 'string') throw new ApprovalInputError(`${field}.address`, `approver ${i + 1}'s address must be text`);
		const address = entry.address.trim();
		if (address !== '' && !ADDRESS.test(address)) {
			throw new ApprovalInputError(`${field}.address`, `approver ${i + 1}'s address "${address.slice(0, 100)}" is not an e-mail address`);
		}
		return { name, address };
	});
}

function checkItems(items: unknown): ApprovalItem[] {
	if (!Array.isArray(items) || items.length === 0) throw new ApprovalInputError('items', 'an approval needs at least one proposed action');
	if (items.length > MAX_ITEMS) throw new ApprovalInputError('items', `at most ${MAX_ITEMS} actions can go in one approval request`);
	return items.map((input: unknown, index) => {
		const field = `items[${index}]`;
		if (!isJsonObject(input)) throw new ApprovalInputError(field, `${field} must be { action, before?, reason?, findings? }`);
		let digest: string;
		try {
			digest = actionDigest(input.action, input.before);
		} catch (error) {
			if (error instanceof ApprovalInputError) throw new ApprovalInputError(`${field}.${error.field}`, `item ${index + 1}: ${error.message}`);
			throw error;
		}
		const item: ApprovalItem = { index, digest, action: jsonCopy(`${field}.action`, input.action as Record<string, unknown>) };
		if (input.before !== undefined) item.before = jsonCopy(`${field}.before`, input.before as Record<string, unknown>);
		const reason = optionalText(`${field}.reason`, input.reason, MAX_TEXT_LENGTH);
		if (reason !== undefined) item.reason = reason;
		if (input.findings !== undefined) {
			if (!Array.isArray(input.findings)) throw new ApprovalInputError(`${field}.findings`, `${field}.findings must be a list`);
			item.findings = jsonCopy(`${field}.findings`, input.findings);
		}
		return item;
	});
}

/** Validates a request and opens a pending record for it with a random id. */
export function newApprovalRecord(input: NewApprovalInput): ApprovalRecord {
	if (!isJsonObject(input)) throw new ApprovalInputError('input', 'approval request must be an object');
	let agentId: string;
	try {
		agentId = validateAgentId(input.agentId);
	} catch (error) {
		if (error instanceof InvalidAgentIdError) throw new ApprovalInputError('agentId', error.message);
		throw error;
	}
	const approvers = checkApprovers(input.approvers);
	const quorum = input.quorum;
	if (typeof quorum !== 'number' || !Number.isInteger(quorum) || quorum < 1 || quorum > approvers.length) {
		throw new ApprovalInputError('quorum', `quorum must be a whole number from 1 to ${approvers.length} (the number of approvers)`);
	}
	const createdAt = checkTime('createdAt', input.createdAt);
	const expiresAt = checkTime('expiresAt', input.expiresAt);
	if (expiresAt <= createdAt) throw new ApprovalInputError('expiresAt', 'the approval must expire after it is created');
	const items = checkItems(input.items);
	const record: ApprovalRecord = {
		id: randomUUID(),
		version: 1,
		agentId,
		digest: batchDigest(items.map((item) => item.digest)),
		items,
		approvers,
		quorum,
		createdAt,
		expiresAt,
		decisions: [],
		status: 'pending',
	};
	for (const key of ['executionId', 'workflowId', 'node'] as const) {
		const value = optionalText(key, input[key], MAX_NAME_LENGTH);
		if (value !== undefined) record[key] = value;
	}
	const message = optionalText('message', input.message, MAX_TEXT_LENGTH);
	if (message !== undefined) record.message = message;
	return record;
}

/** The approvals counted towards the quorum. */
export function approvalCount(record: ApprovalRecord): number {
	return record.decisions.filter((d) => d.decision === 'approve').length;
}

/** Names of the approvers who approved, in the order they did: what an approval proof carries. */
export function approvedBy(record: ApprovalRecord): string[] {
	return record.decisions.filter((d) => d.decision === 'approve').map((d) => record.approvers[d.approver]?.name ?? `#${d.approver}`);
}

export function decisionOf(record: ApprovalRecord, approver: number): ApprovalDecision | undefined {
	return record.decisions.find((d) => d.approver === approver);
}

/**
 * A pending record whose time has come becomes `expired` (a new version to store); any
 * other record is returned as it is, the same object. Expiry is exclusive: at
 * `expiresAt` exactly the record has expired, as its links have.
 */
export function expireIfDue(record: ApprovalRecord, nowMs: number): ApprovalRecord {
	checkNow(nowMs);
	if (record.status !== 'pending' || nowMs < record.expiresAt) return record;
	// decidedAt is when the time ran out, not when someone noticed.
	return { ...record, version: record.version + 1, status: 'expired', decidedAt: record.expiresAt };
}

function checkNow(nowMs: number): void {
	if (typeof nowMs !== 'number' || !Number.isFinite(nowMs)) throw new ApprovalInputError('nowMs', 'the current time must be epoch milliseconds');
}

/** Trimmed and cut to MAX_COMMENT_LENGTH UTF-16 units, never leaving half a surrogate pair; empty means none. */
export function normaliseComment(comment: unknown): string | undefined {
	if (comment === undefined || comment === null) return undefined;
	if (typeof comment !== 'string') throw new ApprovalInputError('comment', 'the comment must be text');
	let text = comment.trim();
	if (text.length > MAX_COMMENT_LENGTH) {
		text = text.slice(0, MAX_COMMENT_LENGTH);
		const last = text.charCodeAt(text.length - 1);
		if (last >= 0xd800 && last <= 0xdbff) text = text.slice(0, -1);
		text = text.trimEnd();
	}
	return text === '' ? undefined : text;
}

/**
 * Records one approver's decision. Any rejection rejects the request at once; the
 * quorum-th approval approves it; each approver decides once; nothing is decided after
 * the expiry time (the record is expired instead).
 */
export function applyDecision(
	record: ApprovalRecord,
	approver: number,
	decision: 'approve' | 'reject',
	comment: string | undefined,
	nowMs: number,
): DecisionResult {
	checkNow(nowMs);
	if (decision !== 'approve' && decision !== 'reject') {
		throw new ApprovalInputError('decision', `decision must be "approve" or "reject", got ${JSON.stringify(String(decision)).slice(0, 40)}`);
	}
	if (!Number.isInteger(approver) || approver < 0 || approver >= record.approvers.length) {
		return { ok: false, code: 'unknown_approver', message: 'this link names no approver of this request', record, changed: false };
	}
	const previous = decisionOf(record, approver);
	if (previous !== undefined) {
		return {
			ok: false,
			code: 'already_decided',
			message: `${record.approvers[approver].name} already chose to ${previous.decision} this request`,
			record,
			changed: false,
		};
	}
	const current = expireIfDue(record, nowMs);
	if (current.status === 'expired') {
		return { ok: false, code: 'expired', message: 'the approval request has expired', record: current, changed: current !== record };
	}
	if (current.status !== 'pending') {
		return { ok: false, code: 'closed', message: `the approval request is already ${current.status}`, record, changed: false };
	}
	const entry: ApprovalDecision = { approver, decision, at: nowMs };
	const text = normaliseComment(comment);
	if (text !== undefined) entry.comment = text;
	const decisions = [...record.decisions, entry];
	const next: ApprovalRecord = { ...record, version: record.version + 1, decisions };
	if (decision === 'reject') {
		next.status = 'rejected';
	} else if (decisions.filter((d) => d.decision === 'approve').length >= record.quorum) {
		next.status = 'approved';
	}
	if (next.status === 'pending') return { ok: true, record: next, final: false };
	next.decidedAt = nowMs;
	return { ok: true, record: next, final: true };
}
