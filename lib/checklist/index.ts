import { checkAudit, checkPolicies, checkSpendCaps } from './agents';
import { checkCredentials } from './credentials';
import { WorkflowGraph } from './graph';
import { checkIncidentResponse } from './incident';
import { agentIdsOf } from './policies';
import { checkSandboxRun } from './sandbox';
import { ChecklistInputs, RULE_IDS, RuleResult, WorkflowReport } from './types';
import { checkWrites } from './writes';
import { Workflow } from './workflow';

export * from './types';
export { Workflow, WorkflowNode, WorkflowParseError, parseWorkflow, parseWorkflows } from './workflow';
export { isSandboxEvidence } from './sandbox';

/**
 * The pre-deployment security checklist over one workflow: one result per rule, in RULE_IDS
 * order. Pure: everything beyond the workflow comes in `inputs`.
 */
export function runChecklist(workflow: Workflow, inputs: ChecklistInputs = {}): WorkflowReport {
	const graph = new WorkflowGraph(workflow);
	const results: RuleResult[] = [
		...checkWrites(graph, inputs),
		checkPolicies(graph),
		checkSpendCaps(graph),
		checkAudit(graph),
		...checkCredentials(workflow, inputs),
		checkSandboxRun(workflow, inputs),
		checkIncidentResponse(workflow, inputs),
	];
	results.sort((a, b) => RULE_IDS.indexOf(a.rule) - RULE_IDS.indexOf(b.rule));
	return {
		workflowId: workflow.id,
		workflowName: workflow.name,
		source: workflow.source,
		passed: results.every((r) => r.status !== 'fail'),
		agentIds: agentIdsOf(workflow),
		results,
	};
}

/** Checks several workflows; each one's incident response is looked for among all of them (unless inputs.workflows says otherwise). */
export function runChecklistAll(workflows: Workflow[], inputs: ChecklistInputs = {}, trailFor?: (workflow: Workflow) => ChecklistInputs['trail']): WorkflowReport[] {
	return workflows.map((w) => runChecklist(w, { ...inputs, workflows: inputs.workflows ?? workflows, trail: trailFor ? trailFor(w) : inputs.trail }));
}

const MARK = { pass: '✔', fail: '✘', not_applicable: '–' } as const;

/** The human-readable report: a table per workflow with ✔ / ✘ / – and the fix under each failure. */
export function formatReport(report: WorkflowReport): string {
	const head = `${report.passed ? '✔ PASS' : '✘ FAIL'}  ${report.workflowName}${report.workflowId ? ` (id ${report.workflowId})` : ''}${report.source ? `  ${report.source}` : ''}`;
	const width = Math.max(...report.results.map((r) => r.rule.length));
	const lines = report.results.map((r) => {
		const main = `  ${MARK[r.status]} ${r.rule.padEnd(width)}  ${r.message}`;
		return r.status === 'fail' && r.fix ? `${main}\n    ${' '.repeat(width)}  fix: ${r.fix}` : main;
	});
	return [head, ...lines].join('\n') + '\n';
}
