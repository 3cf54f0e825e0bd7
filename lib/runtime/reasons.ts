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
	credential_expired: "The SaaS credential's token expired and cannot renew itself: replace or reconnect the credential.",
	refresh_token_expired: "The SaaS credential's OAuth refresh token expired: reconnect the credential in n8n.",
	credential_expiring: "The SaaS credential's token expires within its warning window.",
	refresh_token_expiring: "The SaaS credential's OAuth refresh token expires within its warning window: reconnect before then.",
	rotation_due: 'The SaaS credential is due (or overdue) for rotation.',
	rotation_untracked: 'The SaaS credential has no rotation interval or last-rotated date.',
	owner_missing: 'The SaaS credential names no owner e-mail to alert.',
	token_rejected: "The system refused the credential's token, even after n8n tried to refresh it.",
	system_unavailable: 'The SaaS system did not answer (down, unreachable, rate limited).',
	live_check_failed: "Credential Check's authenticated test call failed for another reason (see the message).",
	reversed: 'Reverse Write restored what the agent changed (fields back, created record deleted, deleted record brought back).',
	reversal_previewed: 'Reverse Write in Preview: the plan is on the item; nothing was written.',
	reversal_forced: 'Reverse Write with Force restored fields that someone changed after the agent (their change was overwritten).',
	reversal_conflict: 'Someone changed the record after the agent (or while reversing): those fields were left alone and reported; Force overrides.',
	reversal_failed: 'The system refused or did not answer the reversal; nothing was overwritten and a re-run tries again.',
	reversal_outcome_unknown: 'An earlier attempt to re-create a deleted record has no known outcome: check for a copy, then re-run with Force.',
	already_reversed: 'The write was reversed before (a write.reversed entry names it): not touched again.',
	nothing_to_reverse: 'Nothing to undo: the record is already as before, gone, or the selection holds no writes.',
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
