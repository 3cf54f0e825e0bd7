import { compilePolicy } from '../policy/parse';
import { PRESETS } from '../policy/presets';
import { Policy, PolicyError } from '../policy/types';
import { AGENT_GUARDS, agentIdOf, guardName, isExpression, param, writeEnforcesPolicy } from './nodeKinds';
import { Workflow, WorkflowNode } from './workflow';

/** The policy a Scope Guard or Guarded Write node holds, read as its own loadPolicy reads it (defaults included). */
export interface NodePolicy {
	node: WorkflowNode;
	agentId?: string;
	policy?: Policy;
	/** why it could not be read: an expression, invalid JSON, an invalid rule */
	problem?: string;
}

export function holdsPolicy(node: WorkflowNode): boolean {
	if (node.disabled) return false;
	const g = guardName(node);
	return g === 'scopeGuard' || (g === 'guardedWrite' && writeEnforcesPolicy(node));
}

export function policyOf(node: WorkflowNode): NodePolicy {
	const agentId = agentIdOf(node);
	const source = param(node, 'policySource', 'rows');
	try {
		if (source === 'sales' || source === 'support' || source === 'finance') return { node, agentId, policy: compilePolicy(PRESETS[source].policy) };
		if (source === 'json') {
			const raw = param(node, 'policyJson', undefined);
			if (raw === undefined) return { node, agentId, problem: 'the JSON policy is empty' };
			if (isExpression(raw)) return { node, agentId, problem: 'the JSON policy is an expression, so it is only known at run time' };
			const value: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
			return { node, agentId, policy: compilePolicy(value) };
		}
		if (isExpression(source)) return { node, agentId, problem: 'the policy source is an expression' };
		const rules = param(node, 'rules', {});
		const rows = typeof rules === 'object' && rules !== null && Array.isArray((rules as { rule?: unknown }).rule) ? ((rules as { rule: unknown[] }).rule) : [];
		const input = rows.map((r) => {
			const row = (typeof r === 'object' && r !== null ? r : {}) as Record<string, unknown>;
			// Row defaults the editor leaves out of the saved JSON.
			const filled: Record<string, unknown> = { system: 'salesforce', operations: [], readableFields: '*', ...row };
			if (filled.maxRecordsPerRun === 0) delete filled.maxRecordsPerRun;
			return filled;
		});
		return { node, agentId, policy: compilePolicy({ rules: input }) };
	} catch (error) {
		if (error instanceof PolicyError || error instanceof SyntaxError) return { node, agentId, problem: `invalid policy: ${error.message}` };
		throw error;
	}
}

/** Agent ids named by the guard nodes that run an agent (literal, or the expression text). */
export function agentIdsOf(workflow: Workflow): string[] {
	const ids = new Set<string>();
	for (const node of workflow.nodes) {
		const g = guardName(node);
		if (node.disabled || !g || !AGENT_GUARDS.has(g)) continue;
		const id = agentIdOf(node);
		if (id) ids.add(id);
	}
	return [...ids].sort();
}
