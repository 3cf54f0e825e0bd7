import { EntryDraft } from '../audit/entry';

/**
 * Agent state is a projection of the trail: a suspension exists exactly when its
 * `agent.suspended` entry does. Both stores apply the same patches, computed here.
 */
export type AgentStatus = 'active' | 'suspended';

export interface AgentRecord {
	agentId: string;
	status: AgentStatus;
	owner?: string;
	firstSeen?: string;
	lastSeen?: string;
	suspendedAt?: string;
	suspendedBy?: string;
	suspendedReason?: string;
	resumedAt?: string;
	resumedBy?: string;
}

/** Field values to set on one agent's record. */
export interface AgentPatch {
	agentId: string;
	set: Partial<Record<Exclude<keyof AgentRecord, 'agentId'>, string>>;
	/** Set only when the record has no value yet. */
	setIfMissing?: Partial<Record<'firstSeen', string>>;
}

export const AGENT_EVENTS = {
	suspended: 'agent.suspended',
	resumed: 'agent.resumed',
	ownerSet: 'agent.owner_set',
} as const;

const AGENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

export class InvalidAgentIdError extends Error {}

/** Agent IDs become store keys and appear on the canvas: keep them plain. */
export function validateAgentId(value: unknown): string {
	if (typeof value !== 'string' || value.trim() === '') {
		throw new InvalidAgentIdError('Agent ID is empty: set it to a name such as "sales-bot" (letters, digits, . _ : @ -)');
	}
	const id = value.trim();
	if (!AGENT_ID.test(id)) {
		const bad = [...id].find((ch) => !/[A-Za-z0-9._:@-]/.test(ch));
		throw new InvalidAgentIdError(
			bad !== undefined
				? `Agent ID "${id}" contains "${bad}" (U+${bad.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')}): use letters, digits and . _ : @ - only, at most 128 characters`
				: `Agent ID "${id}" must start with a letter or digit and be at most 128 characters`,
		);
	}
	return id;
}

function text(value: unknown): string | undefined {
	return typeof value === 'string' && value !== '' ? value : undefined;
}

export function agentPatchFor(entry: EntryDraft & { ts: string }): AgentPatch | undefined {
	const agentId = entry.agentId;
	if (agentId === undefined) return undefined;
	const details = entry.details ?? {};
	switch (entry.event) {
		case AGENT_EVENTS.suspended:
			return {
				agentId,
				set: { status: 'suspended', suspendedAt: entry.ts, suspendedBy: entry.actor.id, suspendedReason: text(details.reason) ?? '' },
			};
		case AGENT_EVENTS.resumed:
			return { agentId, set: { status: 'active', resumedAt: entry.ts, resumedBy: entry.actor.id } };
		case AGENT_EVENTS.ownerSet:
			return text(details.owner) ? { agentId, set: { owner: text(details.owner) } } : undefined;
		default:
			// "Seen" means a guard node ran for the agent inside an n8n execution; a note typed
			// in a terminal about the agent is not the agent running.
			if (entry.executionId === undefined) return undefined;
			return { agentId, set: { lastSeen: entry.ts }, setIfMissing: { firstSeen: entry.ts } };
	}
}

/** One patch per agent for a batch, with the same effect as applying each entry's patch in order. */
export function mergePatches(entries: Array<EntryDraft & { ts: string }>): AgentPatch[] {
	const byAgent = new Map<string, AgentPatch>();
	for (const entry of entries) {
		const patch = agentPatchFor(entry);
		if (!patch) continue;
		const merged = byAgent.get(patch.agentId);
		if (!merged) {
			byAgent.set(patch.agentId, { agentId: patch.agentId, set: { ...patch.set }, setIfMissing: { ...patch.setIfMissing } });
			continue;
		}
		Object.assign(merged.set, patch.set); // later sets win, as they would one after another
		merged.setIfMissing = { ...patch.setIfMissing, ...merged.setIfMissing }; // earlier set-if-missing wins
	}
	return [...byAgent.values()];
}

export function applyPatch(record: AgentRecord | undefined, patch: AgentPatch): AgentRecord {
	const next: AgentRecord = record ? { ...record } : { agentId: patch.agentId, status: 'active' };
	for (const [key, value] of Object.entries(patch.set)) {
		if (value !== undefined) (next as unknown as Record<string, string>)[key] = value;
	}
	for (const [key, value] of Object.entries(patch.setIfMissing ?? {})) {
		const rec = next as unknown as Record<string, string | undefined>;
		if (value !== undefined && rec[key] === undefined) rec[key] = value;
	}
	if (next.status !== 'suspended' && next.status !== 'active') next.status = 'active';
	return next;
}

/** Stale = not seen for `staleDays` (an agent never seen is stale too). */
export function isStale(record: AgentRecord, staleDays: number, now: Date = new Date()): boolean {
	const seen = record.lastSeen ?? record.firstSeen;
	if (seen === undefined) return true;
	return now.getTime() - Date.parse(seen) > staleDays * 86_400_000;
}

export function suspendedMessage(record: AgentRecord): string {
	const reason = record.suspendedReason ? `: "${record.suspendedReason}"` : '';
	return `Agent "${record.agentId}" is suspended since ${record.suspendedAt ?? 'an unknown time'} by ${record.suspendedBy ?? 'unknown'}${reason}. Resume it with Agent Control (or \`agent-guard agent resume ${record.agentId}\`).`;
}
