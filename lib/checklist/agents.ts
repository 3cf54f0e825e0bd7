import { WorkflowGraph } from './graph';
import { agentIdOf, guardName, isAgent, param, spendPasses } from './nodeKinds';
import { agentIdsOf, holdsPolicy, policyOf } from './policies';
import { RuleResult, quoteList, result } from './types';

/**
 * The rules about each agent: policy_object_level, spend_cap, audit_on. An agent is an enabled
 * AI Agent node; its agent ids are the Agent IDs of the guard nodes around it (Scope Guard,
 * Injection Sanitizer, Spend Cap, Approval Gate, Guarded Write). A workflow with AI Agent nodes
 * but no guard naming an agent fails all three: nothing ties the agent to a policy, cap or trail.
 */
const NO_ID_FIX = 'Give the agent an Agent ID: add Scope Guard, Spend Cap and Approval Gate nodes around the AI Agent, each with the same Agent ID (e.g. "sales-bot").';

function noAgents(rule: 'policy_object_level' | 'spend_cap' | 'audit_on'): RuleResult {
	return result(rule, 'not_applicable', 'No AI Agent node in this workflow');
}

export function checkPolicies(graph: WorkflowGraph): RuleResult {
	const wf = graph.workflow;
	const agents = wf.nodes.filter(isAgent);
	if (agents.length === 0) return noAgents('policy_object_level');
	const ids = agentIdsOf(wf);
	if (ids.length === 0) return result('policy_object_level', 'fail', `AI Agent ${quoteList(agents.map((a) => a.name))}: no Agent Guard node names an agent, so no policy applies to it`, agents.map((a) => a.name), NO_ID_FIX);
	const problems: string[] = [];
	const bad: string[] = [];
	const good: string[] = [];
	for (const id of ids) {
		const holders = wf.nodes.filter((n) => holdsPolicy(n) && agentIdOf(n) === id);
		if (holders.length === 0) {
			problems.push(`agent "${id}" has no policy (no Scope Guard, no Guarded Write with Check Policy)`);
			bad.push(...wf.nodes.filter((n) => agentIdOf(n) === id).map((n) => n.name));
			continue;
		}
		for (const holder of holders) {
			const p = policyOf(holder);
			if (!p.policy) {
				problems.push(`"${holder.name}" (agent "${id}"): could not check: ${p.problem}`);
				bad.push(holder.name);
				continue;
			}
			const wide = p.policy.rules.filter((r) => r.object === '*' && (r.operations.has('create') || r.operations.has('update') || r.operations.has('delete')));
			if (wide.length) {
				problems.push(`"${holder.name}" (agent "${id}") lets the agent write every object: rule ${wide.map((r) => `"${r.id}" (${r.system}/* ${[...r.operations].join(',')})`).join(', ')}`);
				bad.push(holder.name);
			} else good.push(holder.name);
		}
	}
	if (problems.length) {
		return result('policy_object_level', 'fail', problems.join('; '), bad, 'Name each object the agent may write in its own policy rule (System, Object, Operations, Writable Fields); keep * only for read rules. A policy kept as an expression must be made literal (or pasted as JSON) so it can be reviewed.');
	}
	return result('policy_object_level', 'pass', `Agent(s) ${quoteList(ids)}: every policy names its objects (${quoteList(good)})`, good);
}

export function checkSpendCaps(graph: WorkflowGraph): RuleResult {
	const wf = graph.workflow;
	const agents = wf.nodes.filter(isAgent);
	if (agents.length === 0) return noAgents('spend_cap');
	const ids = agentIdsOf(wf);
	if (ids.length === 0) return result('spend_cap', 'fail', `AI Agent ${quoteList(agents.map((a) => a.name))}: no Agent Guard node names an agent, so no Spend Cap applies to it`, agents.map((a) => a.name), NO_ID_FIX);
	const problems: string[] = [];
	const bad: string[] = [];
	const caps = wf.nodes.filter((n) => !n.disabled && guardName(n) === 'spendCap' && param(n, 'operation', 'checkAndReserve') === 'checkAndReserve' && n.onError !== 'continueRegularOutput');
	for (const id of ids) {
		if (!caps.some((c) => agentIdOf(c) === id)) {
			problems.push(`agent "${id}" has no Spend Cap (Check & Reserve)`);
			bad.push(...wf.nodes.filter((n) => agentIdOf(n) === id && guardName(n) !== undefined).map((n) => n.name));
		}
	}
	// An agent used as a tool runs when its parent agent runs: the parent's cap covers it.
	const entries = graph.entries().map((n) => n.name);
	for (const agent of agents.filter((a) => a.type.endsWith('.agent'))) {
		const path = graph.unguardedPath(entries, agent.name, spendPasses);
		if (path) {
			problems.push(`AI Agent "${agent.name}" can run without a Spend Cap: ${path.join(' → ')}`);
			bad.push(agent.name);
		}
	}
	if (problems.length) {
		return result('spend_cap', 'fail', problems.join('; '), bad, 'Put a Spend Cap (Check & Reserve, with the agent\'s Agent ID) on every path from the trigger to the AI Agent and connect only its Within Cap and Warning outputs onward; record usage after the agent with Spend Cap (Record Usage).');
	}
	return result('spend_cap', 'pass', `Every AI Agent runs behind a Spend Cap (${quoteList(caps.map((c) => c.name))}) for agent(s) ${quoteList(ids)}`, caps.map((c) => c.name));
}

/**
 * audit_on: every guard node records its decisions in the trail by construction, so audit is on
 * when (1) the agent has at least one enabled guard node, (2) no Agent Guard node is disabled (a
 * disabled node records nothing and guards nothing), and (3) all Agent Guard nodes use the same
 * trail (the same Agent Guard API credential, or all none = the embedded journal): a split trail
 * is an audit gap. An Audit Logger node is not required.
 */
export function checkAudit(graph: WorkflowGraph): RuleResult {
	const wf = graph.workflow;
	const agents = wf.nodes.filter(isAgent);
	if (agents.length === 0) return noAgents('audit_on');
	const guards = wf.nodes.filter((n) => guardName(n) !== undefined);
	const disabled = guards.filter((n) => n.disabled);
	const live = guards.filter((n) => !n.disabled);
	const ids = agentIdsOf(wf);
	if (ids.length === 0) return result('audit_on', 'fail', `AI Agent ${quoteList(agents.map((a) => a.name))}: no Agent Guard node records what the agent does`, agents.map((a) => a.name), NO_ID_FIX);
	const problems: string[] = [];
	const bad: string[] = [];
	if (disabled.length) {
		problems.push(`disabled Agent Guard node(s) record nothing: ${quoteList(disabled.map((n) => n.name))}`);
		bad.push(...disabled.map((n) => n.name));
	}
	const stores = new Map<string, string[]>();
	for (const n of live) {
		const ref = n.credentials.find((c) => c.type === 'agentGuardApi');
		const key = ref ? `credential "${ref.name ?? ref.id ?? '?'}"` : 'the embedded journal';
		stores.set(key, [...(stores.get(key) ?? []), n.name]);
	}
	if (stores.size > 1) {
		problems.push(`the guard nodes write to ${stores.size} different trails: ${[...stores.entries()].map(([k, v]) => `${k}: ${quoteList(v)}`).join('; ')}`);
		bad.push(...[...stores.values()].flat());
	}
	if (problems.length) {
		return result('audit_on', 'fail', problems.join('; '), bad, 'Enable (or delete) the disabled guard nodes, and select the same Agent Guard API credential on every Agent Guard node (or none on all of them) so every decision lands in one trail.');
	}
	return result('audit_on', 'pass', `${live.length} Agent Guard node(s) record every decision for agent(s) ${quoteList(ids)} in one trail (${[...stores.keys()][0]})`, live.map((n) => n.name));
}
