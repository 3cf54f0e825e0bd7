import { Workflow } from './workflow';

/** Stable rule ids: workflows and CI scripts branch on them. Never rename one, only add. */
export const RULES = {
	write_needs_approval: 'Every write downstream of an AI Agent passes an Approval Gate',
	write_needs_scope_guard: 'Every write downstream of an AI Agent passes a Scope Guard',
	policy_object_level: 'Each agent has an object-level policy (no * object with writes)',
	spend_cap: 'Each agent runs behind a Spend Cap',
	audit_on: 'Audit is on for each agent',
	credential_rotation: 'Credentials have a rotation interval of 90 days or less',
	credential_owner: 'Credentials have an owner',
	credential_scopes: 'No credential has scopes beyond what the policy needs',
	sandbox_run: 'The workflow ran against the sandbox before production credentials',
	incident_response: 'An incident-response workflow exists for each agent',
} as const;

export type RuleId = keyof typeof RULES;
export const RULE_IDS = Object.keys(RULES) as RuleId[];

export type RuleStatus = 'pass' | 'fail' | 'not_applicable';

export interface RuleResult {
	rule: RuleId;
	status: RuleStatus;
	/** what was found, naming the nodes */
	message: string;
	/** the nodes the result is about (the offending ones on fail) */
	nodes: string[];
	/** what to do; empty on pass and not applicable */
	fix: string;
}

export interface WorkflowReport {
	workflowId?: string;
	workflowName: string;
	source?: string;
	/** true when no rule failed */
	passed: boolean;
	agentIds: string[];
	results: RuleResult[];
}

/** A credential's data as `n8n export:credentials --decrypted` prints it. */
export interface CredentialData {
	id?: string;
	name?: string;
	type: string;
	data: Record<string, unknown>;
}

/** The part of an audit trail entry the checklist reads. */
export interface TrailEntry {
	seq: number;
	ts: string;
	event: string;
	workflowId?: string;
	details?: Record<string, unknown>;
}

/**
 * What the checklist knows beyond the workflow itself. Each is optional: a rule that needs a
 * missing one fails with "could not check: …" and says how to provide it (a demanding admin does
 * not take "unknown" for "fine").
 */
export interface ChecklistInputs {
	/** decrypted credential data (credential rules) */
	credentials?: CredentialData[];
	/** how credential data can be provided, for the fix text ("pass --credentials FILE") */
	credentialsHint?: string;
	/** trail entries of this workflow (sandbox_run); undefined when there is no trail to read */
	trail?: TrailEntry[];
	trailHint?: string;
	/** the other workflows of the installation (incident_response); undefined when not known */
	workflows?: Workflow[];
	workflowsHint?: string;
	now?: number;
}

export function result(rule: RuleId, status: RuleStatus, message: string, nodes: string[] = [], fix = ''): RuleResult {
	return { rule, status, message, nodes: [...new Set(nodes)], fix: status === 'fail' ? fix : '' };
}

export function quoteList(names: string[]): string {
	return names.map((n) => `"${n}"`).join(', ');
}
