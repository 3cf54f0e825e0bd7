import { AgentRecord } from '../agents/agent';
import { AuditEntry, Checkpoint, EntryDraft } from '../audit/entry';
import { AuditPage, AuditQuery } from '../audit/query';
import { StoredRecord, VerifyReport } from '../audit/verify';

/**
 * Everything that must outlive an execution and be shared across executions.
 * Both implementations pass one contract suite (test/integration/store.contract.ts).
 */
export interface GuardStore {
	readonly kind: 'embedded' | 'redis';
	/** Seals and appends drafts in order, atomically with the agent state they imply; resolves once durable. */
	append(drafts: EntryDraft[]): Promise<AuditEntry[]>;
	query(q: AuditQuery): Promise<AuditPage>;
	/** Entries of one execution, in order. */
	trace(executionId: string): Promise<AuditEntry[]>;
	/** Every stored record from the first, in stored order, for verification. */
	records(): AsyncIterable<StoredRecord>;
	checkpoints(): Promise<Checkpoint[]>;
	/** Verifies the whole chain with this store's signing secret. */
	verify(): Promise<VerifyReport>;
	head(): Promise<{ seq: number; hash: string }>;
	getAgent(agentId: string): Promise<AgentRecord | undefined>;
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
