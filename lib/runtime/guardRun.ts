import { AGENT_EVENTS, AgentRecord, suspendedMessage, validateAgentId } from '../agents/agent';
import { AuditEntry, EntryDraft } from '../audit/entry';
import { GuardStore } from '../store/types';
import { GuardStamp, Reason } from './reasons';

export interface RunContext {
	executionId?: string;
	workflowId?: string;
	node?: string;
}

export class AgentSuspendedError extends Error {
	readonly code = 'agent_suspended';
	constructor(readonly agent: AgentRecord) {
		super(suspendedMessage(agent));
	}
}

/**
 * One node execution's view of the guard runtime: it resolves agents, consults the
 * kill switch, collects the node's audit entries and appends them in one batch, and
 * shapes the `guard` stamp. Every node uses it; none re-implements any of this.
 */
export class GuardRun {
	private readonly drafts: EntryDraft[] = [];
	private readonly owners = new Map<string, string>();
	private entries: AuditEntry[] | undefined;

	constructor(
		readonly store: GuardStore,
		readonly context: RunContext,
	) {}

	agentId(raw: unknown): string {
		return validateAgentId(raw);
	}

	/** The agent's current record: read from the store on every call, so a suspension applies to the next item. */
	async agent(agentId: string): Promise<AgentRecord | undefined> {
		return this.store.getAgent(agentId);
	}

	/** Throws AgentSuspendedError when the kill switch is on for this agent. */
	async assertActive(agentId: string): Promise<AgentRecord | undefined> {
		const record = await this.store.getAgent(agentId);
		if (record?.status === 'suspended') throw new AgentSuspendedError(record);
		return record;
	}

	/** Records the agent's owner (e-mail) when it is new or changed, as an audited event. */
	async noteOwner(agentId: string, owner: string | undefined, known?: AgentRecord): Promise<void> {
		if (!owner || this.owners.get(agentId) === owner) return;
		this.owners.set(agentId, owner);
		const record = known ?? (await this.store.getAgent(agentId));
		if (record?.owner === owner) return;
		this.record({ agentId, actor: { type: 'system', id: 'agent-guard' }, event: AGENT_EVENTS.ownerSet, details: { owner, previousOwner: record?.owner } });
	}

	/** Queues an entry for this node run; returns its index for `entryFor`. */
	record(draft: EntryDraft): number {
		if (this.entries) throw new Error('GuardRun.record after flush: a node run appends one batch');
		this.drafts.push({ executionId: this.context.executionId, workflowId: this.context.workflowId, node: this.context.node, ...draft });
		return this.drafts.length - 1;
	}

	/** Appends everything recorded, in one batch, before the node returns its items. */
	async flush(): Promise<AuditEntry[]> {
		if (this.entries) return this.entries;
		this.entries = this.drafts.length ? await this.store.append(this.drafts) : [];
		return this.entries;
	}

	/**
	 * Appends one entry at once, outside the node's batch: a write to a system of record is
	 * recorded the moment it happened, not after the rest of the items.
	 */
	async appendNow(draft: EntryDraft): Promise<AuditEntry> {
		const [entry] = await this.store.append([{ executionId: this.context.executionId, workflowId: this.context.workflowId, node: this.context.node, ...draft }]);
		return entry;
	}

	entryFor(index: number): AuditEntry | undefined {
		return this.entries?.[index];
	}

	stamp(decision: string, reasons: Reason[], agentId: string | undefined, entryIndex?: number): GuardStamp {
		const entry = entryIndex === undefined ? undefined : this.entryFor(entryIndex);
		return { decision, reasons, agentId, audit: entry ? { seq: entry.seq, hash: entry.hash } : undefined };
	}
}
