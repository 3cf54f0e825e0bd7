/**
 * Stable reason codes. Workflows branch on them and the README documents them:
 * never rename one, only add.
 */
export const REASON_CODES = {
	agent_suspended: 'The agent is suspended (kill switch).',
	store_unavailable: 'The guard store (Redis or the embedded journal) could not be reached: fail closed.',
	store_corrupt: 'The embedded journal is damaged: fail closed until it is repaired.',
	store_config: 'The guard store is misconfigured (queue mode without Redis, bad credential).',
	invalid_agent_id: 'The Agent ID is empty or has characters that are not allowed.',
	logged: 'The event was written to the trail.',
	agent_resumed: 'The agent was resumed.',
	owner_set: 'The agent owner was recorded.',
} as const;

export type ReasonCode = keyof typeof REASON_CODES | (string & {});

export interface Reason {
	code: ReasonCode;
	message: string;
	rule?: string;
}

/** What every guard node puts on `item.json.guard`. */
export interface GuardStamp {
	decision: string;
	reasons: Reason[];
	agentId?: string;
	audit?: { seq: number; hash: string };
}
