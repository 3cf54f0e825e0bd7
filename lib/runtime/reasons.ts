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
	over_cap: 'The agent would exceed (or has reached) a spend cap: the item goes to Over Cap.',
	cap_warning: 'The agent has used at least the warning share of a cap.',
	spend_unreserved: 'Usage was recorded without a live reservation (it expired or none was given) and charged all the same.',
	approved: 'Enough approvers approved the exact payload; the item carries a signed approval proof.',
	approval_rejected: 'An approver rejected the request (any rejection rejects).',
	approval_expired: 'Nobody decided before the request expired: rejected.',
	spend_reset: 'An admin set the spending of the current period to zero (with a reason, in the trail).',
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
