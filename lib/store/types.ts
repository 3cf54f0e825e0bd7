import { AgentRecord } from '../agents/agent';
import { AuditEntry, Checkpoint, EntryDraft } from '../audit/entry';
import { AuditPage, AuditQuery } from '../audit/query';
import { StoredRecord, VerifyReport } from '../audit/verify';

/**
 * Everything that must outlive an execution and be shared across executions.
 * Both implementations pass one contract suite (test/integration/store.contract.ts).
 */
export interface GuardStore extends GuardStateStore {
	readonly kind: 'embedded' | 'redis';
	/** Seals and appends drafts in order, atomically with the agent state they imply; resolves once durable. */
	append(drafts: EntryDraft[]): Promise<AuditEntry[]>;
	query(q: AuditQuery): Promise<AuditPage>;
	/** Entries of one execution, in order. */
	trace(executionId: string): Promise<AuditEntry[]>;
	/** Every stored record from the first, in stored order, for verification. */
	records(): AsyncIterable<StoredRecord>;
	checkpoints(): Promise<Checkpoint[]>;
	/** Verifies the whole chain with this store's signing secret (and against heads published outside it, when given). */
	verify(published?: Checkpoint[]): Promise<VerifyReport>;
	head(): Promise<{ seq: number; hash: string }>;
	getAgent(agentId: string): Promise<AgentRecord | undefined>;
	/**
	 * A key for one purpose (approval links, approval proofs) derived from the installation's
	 * signing secret, so the trail's MAC key itself signs nothing else.
	 */
	deriveKey(purpose: string): string;
	listAgents(): Promise<AgentRecord[]>;
	close(): Promise<void>;
}

/** The store could not be reached or used: guards deny with `store_unavailable`. */
export class StoreUnavailableError extends Error {
	readonly code = 'store_unavailable';
	constructor(message: string, readonly cause?: unknown) {
		super(message);
	}
}

/** The store's data is not what this version wrote (corrupt journal line, foreign keys). */
export class StoreCorruptError extends Error {
	readonly code = 'store_corrupt';
}

/** Misconfiguration the user must fix (queue mode without Redis, bad options). */
export class StoreConfigError extends Error {
	readonly code = 'store_config';
}

/**
 * One spend ledger: the running total of one agent, unit and period. Limits come with
 * every request (they are node parameters, not stored state), amounts are integer
 * micro-units. `retainUntil` (epoch ms) is how long the ledger is kept after its last use.
 */
export interface LedgerRef {
	key: string;
	/** Rolling ledgers forget spending older than this; calendar periods have their own key instead. */
	windowMs?: number;
	retainUntil: number;
}

export interface LedgerState {
	key: string;
	spentMicro: number;
	reservedMicro: number;
}

export interface ReserveRequest extends LedgerRef {
	limitMicro: number;
	amountMicro: number;
}

export interface ReserveOutcome {
	granted: boolean;
	/** The same reservation id was seen before (a re-sent command): nothing was charged twice. */
	replayed: boolean;
	/** Key of the first ledger the request would overrun. */
	blockedBy?: string;
	/** After the reservation when granted, as found when not. */
	ledgers: LedgerState[];
}

export interface SettleRequest extends LedgerRef {
	/** What was really used; `undefined` settles the amount held. */
	actualMicro?: number;
}

export interface SettleOutcome {
	replayed: boolean;
	/** No hold was found (expired, or usage recorded without a reservation): charged all the same. */
	late: boolean;
	ledgers: LedgerState[];
}

/** A small JSON document with a version for compare-and-set (approval records, consumed proofs). */
export interface StoredDoc {
	version: number;
	body: string;
}

export interface PutDocOptions {
	retainUntil: number;
	/** When set, the document is listed by `dueDocs` from this time on (approvals that expire). */
	dueAt?: number;
}

/** Spend ledgers and versioned documents: the state guards share besides the trail. */
export interface GuardStateStore {
	/** All or nothing over the ledgers: reserves in every one, or in none when any would go over. */
	reserveSpend(reservationId: string, ledgers: ReserveRequest[], holdUntil: number, now: number): Promise<ReserveOutcome>;
	/** Turns a hold into spending (or releases it with `actualMicro: 0`); idempotent per reservation id. */
	settleSpend(reservationId: string, ledgers: SettleRequest[], now: number): Promise<SettleOutcome>;
	spendStatus(ledgers: LedgerRef[], now: number): Promise<LedgerState[]>;
	/** Sets spending to zero (holds in flight stay); returns the state before. */
	resetSpend(ledger: LedgerRef, now: number): Promise<LedgerState>;
	getDoc(namespace: string, id: string): Promise<StoredDoc | undefined>;
	/** Writes `body` as version `expectedVersion + 1` if the stored version is `expectedVersion` (0: must not exist). */
	putDoc(namespace: string, id: string, body: string, expectedVersion: number, options: PutDocOptions): Promise<boolean>;
	/** Ids of documents whose `dueAt` has passed, oldest first; a document stops being due when rewritten without `dueAt`. */
	dueDocs(namespace: string, now: number, limit: number): Promise<string[]>;
}
