import { agentIdOf, guardName, isAgent, isExpression, param } from './nodeKinds';
import { agentIdsOf } from './policies';
import { ChecklistInputs, RuleResult, quoteList, result } from './types';
import { Workflow } from './workflow';

/**
 * incident_response: for each agent of the workflow, another workflow can stop it and show or
 * undo what it did (template 4: suspend → trace → reverse). That is a workflow with an enabled
 * Agent Control (Suspend) whose Agent ID is that agent or an expression (an incident form or
 * webhook naming the agent), and an enabled Reverse Write or Audit Logger (Trace Execution,
 * Query or Export).
 */
function responder(wf: Workflow, agentId: string): boolean {
	const live = wf.nodes.filter((n) => !n.disabled);
	const suspends = live.some((n) => guardName(n) === 'agentControl' && param(n, 'operation', 'getStatus') === 'suspend' && (agentIdOf(n) === agentId || isExpression(agentIdOf(n))));
	const investigates = live.some((n) => guardName(n) === 'reverseWrite' || (guardName(n) === 'auditLogger' && ['trace', 'query', 'export'].includes(String(param(n, 'operation', 'logEvent')))));
	return suspends && investigates;
}

export function checkIncidentResponse(workflow: Workflow, inputs: ChecklistInputs): RuleResult {
	const agents = workflow.nodes.filter(isAgent);
	const ids = agentIdsOf(workflow);
	if (agents.length === 0) return result('incident_response', 'not_applicable', 'No AI Agent node in this workflow');
	const fix = 'Import the incident-response template (Agent Control: Suspend with the agent\'s id or {{ $json.agent }} → Audit Logger: Trace/Query → Reverse Write) and check it together with this workflow.';
	if (ids.length === 0) return result('incident_response', 'fail', `AI Agent ${quoteList(agents.map((a) => a.name))}: no Agent Guard node names an agent, so no incident response can stop it`, agents.map((a) => a.name), fix);
	if (inputs.workflows === undefined) return result('incident_response', 'fail', `could not check: the other workflows are not known (${inputs.workflowsHint ?? 'give the checklist all workflows'})`, [], fix);
	const others = inputs.workflows.filter((w) => w !== workflow && (workflow.id === undefined || w.id !== workflow.id));
	const covered = new Map<string, string>();
	for (const id of ids) {
		const found = others.find((w) => responder(w, id));
		if (found) covered.set(id, found.name);
	}
	const missing = ids.filter((id) => !covered.has(id));
	if (missing.length) {
		return result('incident_response', 'fail', `No incident-response workflow for agent(s) ${quoteList(missing)} among the ${others.length} other workflow(s)${inputs.workflowsHint ? ` (${inputs.workflowsHint})` : ''}`, [], fix);
	}
	return result('incident_response', 'pass', ids.map((id) => `agent "${id}": "${covered.get(id)}"`).join('; '));
}
