import { WorkflowGraph } from './graph';
import { GUARD_PREFIX, WriteInfo, approvalPasses, isAgent, scopePasses, writeEnforcesApproval, writeEnforcesPolicy, writeOf } from './nodeKinds';
import { isSubWorkflowCall, writesThroughCall } from './subWorkflows';
import { ChecklistInputs, RuleResult, quoteList, result } from './types';
import { Workflow, WorkflowNode } from './workflow';

/**
 * write_needs_approval and write_needs_scope_guard. A write is "downstream of an AI Agent" when
 * a main-connection path leads from an AI Agent node to it, or when it is a tool of an agent
 * (connected to it through ai_tool). It is guarded when EVERY such path leaves a guard through
 * its passing output: Approval Gate (Check Approval) → Approved; Scope Guard (Check Actions) →
 * Allowed. A Guarded Write enforces both at the write itself (Require Approval, Check Policy,
 * both on by default). Disabled guards and guards set to "continue (regular output)" on error
 * pass items through unchecked, so they do not count. A write in a sub-workflow that an Execute
 * Workflow node or a workflow tool runs is guarded by the guards before the call or by those
 * inside the sub-workflow (see subWorkflows.ts).
 */
interface Finding {
	write: WorkflowNode;
	info: WriteInfo;
	path?: string[];
	tool?: string;
	/** for a write in a sub-workflow: the call node and the workflows it runs */
	call?: { node: string; via: string[] };
}

const HITL_APPROVAL = `${GUARD_PREFIX}approvalGateHitlTool`;

function describe(f: Finding): string {
	const unsure = f.info.unsure ? `; ${f.info.unsure}` : '';
	const inSub = f.call && f.call.via.length > 0;
	const what = `"${f.write.name}" (${f.info.what})${inSub ? ` in sub-workflow ${f.call?.via.map((w) => `"${w}"`).join(' → ')}, run by "${f.call?.node}"` : ''}`;
	if (f.tool) return `${what}${inSub ? ', which is' : ' is'} a tool of AI Agent "${f.tool}"${unsure}`;
	return `${what}: ${(f.path ?? []).join(' → ')}${unsure}`;
}

/** How a write is named in the pass message: its node, and the sub-workflow it is in. */
function label(write: WorkflowNode, via: string[] = []): string {
	return via.length > 0 ? `${write.name} (sub-workflow ${via[via.length - 1]})` : write.name;
}

/** The writes among `below` (the nodes reachable from the agents). */
function writesBelowAgents(graph: WorkflowGraph, below: ReadonlySet<string>): Array<{ write: WorkflowNode; info: WriteInfo }> {
	const out: Array<{ write: WorkflowNode; info: WriteInfo }> = [];
	for (const node of graph.workflow.nodes) {
		if (!below.has(node.name)) continue;
		const info = writeOf(node);
		if (info) out.push({ write: node, info });
	}
	return out;
}

/** Tools of each agent that write; `behindApproval` when wired through Approval Gate's Human review. */
function toolWrites(graph: WorkflowGraph, agents: WorkflowNode[]): Array<{ write: WorkflowNode; info: WriteInfo; agent: string; behindApproval: boolean }> {
	const out: Array<{ write: WorkflowNode; info: WriteInfo; agent: string; behindApproval: boolean }> = [];
	for (const agent of agents) {
		for (const sub of graph.subNodesOf(agent.name).filter((s) => s.kind === 'ai_tool')) {
			const node = graph.node(sub.from);
			if (!node || node.disabled) continue;
			const gated = node.type === HITL_APPROVAL;
			const tools = gated ? graph.subNodesOf(node.name).filter((s) => s.kind === 'ai_tool').map((s) => graph.node(s.from)) : [node];
			for (const tool of tools) {
				const info = tool ? writeOf(tool) : undefined;
				if (tool && info) out.push({ write: tool, info, agent: agent.name, behindApproval: gated });
				else if (tool && isSubWorkflowCall(tool)) out.push({ write: tool, info: { system: 'unknown', what: 'workflow tool' }, agent: agent.name, behindApproval: gated });
			}
		}
	}
	return out;
}

export function checkWrites(graph: WorkflowGraph, inputs: ChecklistInputs = {}): RuleResult[] {
	const agents = graph.workflow.nodes.filter(isAgent);
	if (agents.length === 0) {
		const message = 'No AI Agent node in this workflow';
		return [result('write_needs_approval', 'not_applicable', message), result('write_needs_scope_guard', 'not_applicable', message)];
	}
	const sources = agents.map((a) => a.name);
	const self: Workflow = graph.workflow;
	const others = inputs.workflows ?? [];
	const hint = inputs.workflowsHint ?? 'pass the sub-workflows too';
	const below = graph.downstream(sources);
	const main = writesBelowAgents(graph, below);
	const calls = graph.workflow.nodes.filter((n) => isSubWorkflowCall(n) && below.has(n.name));
	const mainSub = calls.flatMap((call) => writesThroughCall(call, self, others, hint).map((w) => ({ call, ...w })));
	const toolCalls = toolWrites(graph, agents);
	const tools = toolCalls.filter((t) => !isSubWorkflowCall(t.write));
	const workflowTools = toolCalls.filter((t) => isSubWorkflowCall(t.write));
	const toolSub = workflowTools.flatMap((t) => writesThroughCall(t.write, self, others, hint).map((w) => ({ tool: t, ...w })));
	if (main.length === 0 && tools.length === 0 && mainSub.length === 0 && toolSub.length === 0) {
		const message = `No write to Salesforce, Zendesk or QuickBooks is downstream of ${quoteList(sources)}${calls.length + workflowTools.length > 0 ? ', nor in the sub-workflows it runs' : ''}`;
		return [result('write_needs_approval', 'not_applicable', message), result('write_needs_scope_guard', 'not_applicable', message)];
	}
	const all = [...main.map((w) => w.write.name), ...tools.map((t) => t.write.name), ...mainSub.map((w) => label(w.write, w.via)), ...toolSub.map((w) => label(w.write, w.via))];
	const nodes = (f: Finding): string => (f.call && f.call.via.length > 0 ? f.call.node : f.write.name);

	const noApproval: Finding[] = [];
	const noScope: Finding[] = [];
	for (const w of mainSub) {
		const call = { node: w.call.name, via: w.via };
		if (!w.approvedInside) {
			const path = graph.unguardedPath(sources, w.call.name, approvalPasses);
			if (path) noApproval.push({ write: w.write, info: w.info, path, call });
		}
		if (!w.scopedInside) {
			const path = graph.unguardedPath(sources, w.call.name, scopePasses);
			if (path) noScope.push({ write: w.write, info: w.info, path, call });
		}
	}
	for (const w of toolSub) {
		const call = { node: w.tool.write.name, via: w.via };
		if (!w.tool.behindApproval && !w.approvedInside) noApproval.push({ write: w.write, info: w.info, tool: w.tool.agent, call });
		if (!w.scopedInside) noScope.push({ write: w.write, info: w.info, tool: w.tool.agent, call });
	}
	for (const { write, info } of main) {
		if (!writeEnforcesApproval(write)) {
			const path = graph.unguardedPath(sources, write.name, approvalPasses);
			if (path) noApproval.push({ write, info, path });
		}
		if (!writeEnforcesPolicy(write)) {
			const path = graph.unguardedPath(sources, write.name, scopePasses);
			if (path) noScope.push({ write, info, path });
		}
	}
	for (const t of tools) {
		if (!t.behindApproval) noApproval.push({ write: t.write, info: t.info, tool: t.agent });
		// Nothing can stand between an agent and its tool but Human review: no Scope Guard checks a tool call.
		noScope.push({ write: t.write, info: t.info, tool: t.agent });
	}

	const unsureFix = (fs: Finding[]): string =>
		(fs.some((f) => f.info.unsure && !f.call) ? ' If the checklist could not tell the system (an expression URL), guard it all the same or make the host literal.' : '') +
		(fs.some((f) => f.call && f.call.via.length === 0) ? ` For a sub-workflow the checklist could not read, check it together with this workflow (${hint}) or guard the call itself.` : '') +
		(fs.some((f) => f.call && f.call.via.length > 0) ? ' A write in a sub-workflow is guarded by the guards before the call or by those between the sub-workflow\'s trigger and the write.' : '');
	const approval =
		noApproval.length === 0
			? result('write_needs_approval', 'pass', `${all.length} write(s) downstream of an AI Agent pass an Approval Gate (Check Approval → Approved, or Human review of the tool) or a Guarded Write with Require Approval: ${quoteList(all)}`, all)
			: result(
					'write_needs_approval',
					'fail',
					`Write(s) reachable from an AI Agent without an approval: ${noApproval.map(describe).join('; ')}`,
					noApproval.map(nodes),
					'Put Approval Gate (Send for Approval and Wait) → Approval Gate (Check Approval) on every path from the AI Agent to the write and connect only its Approved output onward, or write with Guarded Write (Require Approval on). For a tool of the agent, add Approval Gate under the tool\'s Human review.' + unsureFix(noApproval),
				);
	const scope =
		noScope.length === 0
			? result('write_needs_scope_guard', 'pass', `${all.length} write(s) downstream of an AI Agent pass a Scope Guard (Check Actions → Allowed) or a Guarded Write with Check Policy: ${quoteList(all)}`, all)
			: result(
					'write_needs_scope_guard',
					'fail',
					`Write(s) reachable from an AI Agent without a scope check: ${noScope.map(describe).join('; ')}`,
					noScope.map(nodes),
					'Put Scope Guard (Check Actions) on every path from the AI Agent to the write and connect only its Allowed output onward, or write with Guarded Write (Check Policy on). A write tool given to the agent cannot be scope-checked: have the agent propose actions (structured output) and write them through Scope Guard → Approval Gate → Guarded Write, or write with Guarded Write (Check Policy on) inside the tool\'s workflow.' + unsureFix(noScope),
				);
	return [approval, scope];
}
