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
	object_not_allowed: 'No policy rule allows this object (Scope Guard, Guarded Write): default deny.',
	operation_not_allowed: 'A rule covers the object but not this operation.',
	field_not_writable: 'The action writes a field the policy does not list as writable.',
	field_not_readable: 'The action reads a field the policy does not list as readable.',
	field_denied: 'A rule denies this field outright (deny overrides allow).',
	too_many_records: 'The rule’s Max Records per Run is used up for this execution (the mass-write guard).',
	malformed_action: 'The proposed action is not a well-formed {system, object, operation, recordId, fields}; the message names the field.',
	scope_beyond_policy: 'The credential was granted an OAuth scope the policy does not need (over-permissioned).',
	scope_missing: 'The policy needs an OAuth scope the credential was not granted.',
	injection_detected: 'Injection Sanitizer found prompt injection in the text (score, categories and evidence on the item).',
	oversized_input: 'A text field is larger than the scan limit: flagged, not scanned in full.',
	secret_redacted: 'A secret (API key, token, private key, password in a URL) was removed from the output.',
	pii_redacted: 'Personal data (e-mail, phone, card, IBAN, SSN) was removed from the output.',
	canary_leaked: 'The canary token from the system prompt appeared in the output: the prompt leaked.',
	approval_mismatch: 'The action (or the record as the approver saw it) differs from what was approved.',
	approval_invalid: 'The approval on the item is malformed, forged or signed by another installation.',
	approval_missing: 'The item carries no approval, and one is required.',
	approval_reused: 'This approval was already used for a write: an approval is good for one write.',
	record_changed: 'The record changed since the approver saw it: ask for approval again.',
	credential_rejected: 'The system refused the credential even after n8n tried to refresh it.',
	record_not_found: 'The record to write does not exist (or not for this credential).',
	unknown_object: 'The system has no object (sObject, entity, resource) of that name.',
	unknown_field: 'The object has no field of that name.',
	invalid_request: 'The system refused the request as invalid (a bad id, value or field); the message says which.',
	write_conflict: 'Someone changed the record between our read and our write: the system refused it, nothing was overwritten.',
	rate_limited: 'The system asked us to slow down (429): nothing was written; try later.',
	system_error: 'The system failed in an unexpected way; the message has the cause.',
	write_outcome_unknown: 'The write may or may not have reached the system (a timeout or outage, or n8n stopped during it): check the record; the approval stays used.',
	checklist_passed: 'Security Checklist: the workflow passed every pre-deployment rule.',
	write_needs_approval: 'Checklist: a write below an AI Agent does not pass an Approval Gate (Check Approval → Approved) on every path.',
	write_needs_scope_guard: 'Checklist: a write below an AI Agent does not pass a Scope Guard (Check Actions → Allowed) on every path.',
	policy_object_level: 'Checklist: an agent has no object-level policy (or a "*" object with write operations).',
	spend_cap: 'Checklist: an agent runs without a Spend Cap (Check & Reserve) before it.',
	audit_on: 'Checklist: a guard node is disabled, or guards of one agent write to different trails.',
	credential_rotation: 'Checklist: a credential has no rotation interval of 90 days or less, or is overdue.',
	credential_owner: 'Checklist: a credential names no owner e-mail.',
	credential_scopes: 'Checklist: a credential holds scopes beyond what the policy needs (admin-level where less would do).',
	sandbox_run: 'Checklist: production credentials are used but the trail has no sandbox run of the workflow.',
	incident_response: 'Checklist: no incident-response workflow (suspend + trace or reverse) exists for the agent.',
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
