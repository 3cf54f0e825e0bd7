/** Scope policies: data, checked once, evaluated by pure functions. Default deny; deny overrides allow. */
export const OPERATIONS = ['read', 'create', 'update', 'delete'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** A rule as written: in the node's row editor or as JSON kept in git. */
export interface PolicyRuleInput {
	id?: string;
	system: string;
	object: string;
	operations: Operation[] | string;
	readableFields?: string[] | string;
	writableFields?: string[] | string;
	deniedFields?: string[] | string;
	maxRecordsPerRun?: number;
}

export interface PolicyInput {
	rules: PolicyRuleInput[];
}

/** A rule after validation: names normalised the way its system compares them. */
export interface CompiledRule {
	id: string;
	system: string; // lower case, or '*'
	object: string; // compared form, or '*'
	operations: ReadonlySet<Operation>;
	readable: FieldSet;
	writable: FieldSet;
	denied: FieldSet;
	maxRecordsPerRun?: number;
}

export interface FieldSet {
	all: boolean;
	names: ReadonlySet<string>; // compared form; dotted paths for nested fields
	/** Every proper prefix of a dotted name ("Owner" for "Owner.Name"): objects kept for what is inside. */
	parents: ReadonlySet<string>;
}

export interface Policy {
	rules: CompiledRule[];
}

/** What an agent proposes (DESIGN.md section 4). */
export interface ProposedAction {
	system: string;
	object: string;
	operation: Operation;
	recordId?: string;
	fields?: Record<string, unknown>;
	reason?: string;
}

export interface PolicyReason {
	code: 'object_not_allowed' | 'operation_not_allowed' | 'field_not_writable' | 'field_not_readable' | 'field_denied' | 'too_many_records' | 'malformed_action';
	message: string;
	rule?: string;
	field?: string;
}

export interface PolicyDecision {
	allowed: boolean;
	reasons: PolicyReason[];
	/** The rule that allowed the action (and whose record count it uses). */
	rule?: string;
}

export class PolicyError extends Error {}
