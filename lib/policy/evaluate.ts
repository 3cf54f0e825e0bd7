import { compareForm, normaliseSystem } from './names';
import { rulesFor } from './parse';
import { CompiledRule, OPERATIONS, Operation, Policy, PolicyDecision, PolicyReason, ProposedAction } from './types';

/** Records already counted per rule in this execution (the mass-write guard). */
export type RecordCounts = ReadonlyMap<string, number>;

/** Checks the shape of a proposed action; returns the reasons it is malformed. */
export function malformed(action: unknown): PolicyReason[] {
	const reasons: PolicyReason[] = [];
	const bad = (field: string, message: string) => reasons.push({ code: 'malformed_action', field, message: `"${field}" ${message}` });
	if (!action || typeof action !== 'object' || Array.isArray(action)) {
		return [{ code: 'malformed_action', message: 'the proposed action is not an object like {"system": "salesforce", "object": "Lead", "operation": "update", "recordId": "…", "fields": {…}}' }];
	}
	const a = action as Record<string, unknown>;
	for (const key of ['system', 'object'] as const) if (typeof a[key] !== 'string' || (a[key] as string).trim() === '') bad(key, 'is missing or not text');
	if (!(OPERATIONS as readonly unknown[]).includes(a.operation)) bad('operation', `must be one of ${OPERATIONS.join(', ')}, got ${JSON.stringify(a.operation) ?? 'nothing'}`);
	if ((a.operation === 'update' || a.operation === 'delete') && (typeof a.recordId !== 'string' || a.recordId === '') && typeof a.recordId !== 'number') bad('recordId', `is required for ${String(a.operation)}`);
	if (a.fields !== undefined && (a.fields === null || typeof a.fields !== 'object' || Array.isArray(a.fields))) bad('fields', 'must be an object of field: value');
	if ((a.operation === 'create' || a.operation === 'update') && (a.fields === undefined || Object.keys(a.fields as object).length === 0)) bad('fields', `must name at least one field to ${String(a.operation)}`);
	return reasons;
}

/**
 * Decides one proposed action: pure, no I/O. Default deny: an action no rule allows is
 * denied; deny overrides allow: a field any matching rule denies is denied.
 */
export function evaluate(policy: Policy, action: ProposedAction, counts: RecordCounts = new Map()): PolicyDecision {
	const bad = malformed(action);
	if (bad.length) return { allowed: false, reasons: bad };
	const system = normaliseSystem(action.system);
	const matching = rulesFor(policy, system, action.object);
	if (matching.length === 0) {
		return { allowed: false, reasons: [{ code: 'object_not_allowed', message: `no rule allows ${action.system} ${action.object}` }] };
	}
	const allowing = matching.filter((r) => r.operations.has(action.operation));
	if (allowing.length === 0) {
		return {
			allowed: false,
			reasons: [{ code: 'operation_not_allowed', rule: matching[0].id, message: `${action.operation} is not allowed on ${action.object} (rule ${matching.map((r) => r.id).join(', ')} allows ${[...new Set(matching.flatMap((r) => [...r.operations]))].join(', ')})` }],
		};
	}
	const reasons: PolicyReason[] = [];
	for (const field of Object.keys(action.fields ?? {})) {
		const name = compareForm(system, field);
		const denier = matching.find((r) => r.denied.all || r.denied.names.has(name));
		if (denier) {
			reasons.push({ code: 'field_denied', field, rule: denier.id, message: `field ${field} is denied by rule ${denier.id}` });
			continue;
		}
		const allowedBy = writeOrRead(action.operation) === 'write'
			? allowing.some((r) => r.writable.all || r.writable.names.has(name))
			: allowing.some((r) => r.readable.all || r.readable.names.has(name));
		if (!allowedBy) {
			const code = writeOrRead(action.operation) === 'write' ? 'field_not_writable' : 'field_not_readable';
			reasons.push({ code, field, rule: allowing[0].id, message: `field ${field} is not ${code === 'field_not_writable' ? 'writable' : 'readable'} on ${action.object}` });
		}
	}
	if (reasons.length) return { allowed: false, reasons };
	const rule = strictest(allowing);
	if (rule.maxRecordsPerRun !== undefined && (counts.get(rule.id) ?? 0) + 1 > rule.maxRecordsPerRun) {
		return {
			allowed: false,
			rule: rule.id,
			reasons: [{ code: 'too_many_records', rule: rule.id, message: `rule ${rule.id} allows at most ${rule.maxRecordsPerRun} ${action.object} records per run; this would be number ${(counts.get(rule.id) ?? 0) + 1}` }],
		};
	}
	return { allowed: true, reasons: [], rule: rule.id };
}

function writeOrRead(op: Operation): 'write' | 'read' | 'none' {
	return op === 'create' || op === 'update' ? 'write' : op === 'read' ? 'read' : 'none';
}

/** Of the rules allowing an action, the one with the lowest record limit counts it. */
function strictest(rules: CompiledRule[]): CompiledRule {
	return rules.reduce((best, r) => ((r.maxRecordsPerRun ?? Infinity) < (best.maxRecordsPerRun ?? Infinity) ? r : best));
}
