import { WorkflowGraph } from './graph';
import { GUARD_PREFIX, WriteInfo, approvalPasses, isAgent, scopePasses, writeEnforcesApproval, writeEnforcesPolicy, writeOf } from './nodeKinds';
import { RuleResult, quoteList, result } from './types';
import { WorkflowNode } from './workflow';

/**
 * write_needs_approval and write_needs_scope_guard. A write is "downstream of an AI Agent" when
 * a main-connection path leads from an AI Agent node to it, or when it is a tool of an agent
 * (connected to it through ai_tool). It is guarded when EVERY such path leaves a guard through
 * its passing output: Approval Gate (Check Approval) → Approved; Scope Guard (Check Actions) →
 * Allowed. A Guarded Write enforces both at the write itself (Require Approval, Check Policy,
 * both on by default). Disabled guards and guards set to "continue (regular output)" on error
 * pass items through unchecked, so they do not count.
 */
interface Finding {
	write: WorkflowNode;
	info: WriteInfo;
	path?: string[];
	tool?: string;
}

const HITL_APPROVAL = `${GUARD_PREFIX}approvalGateHitlTool`;

function describe(f: Finding): string {
	const what = `"${f.write.name}" (${f.info.what})`;
	const unsure = f.info.unsure ? `; ${f.info.unsure}` : '';
	if (f.tool) return `${what} is a tool of AI Agent "${f.tool}"${unsure}`;
	return `${what}: ${(f.path ?? []).join(' → ')}${unsure}`;
}

/** Writes reachable from an agent, with the agents they are reachable from. */
function writesBelowAgents(graph: WorkflowGraph, agents: WorkflowNode[]): Array<{ write: WorkflowNode; info: WriteInfo }> {
	const below = graph.downstream(agents.map((a) => a.name));
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
			}
		}
	}
	return out;
}

export function checkWrites(graph: WorkflowGraph): RuleResult[] {
	const agents = graph.workflow.nodes.filter(isAgent);
	if (agents.length === 0) {
		const message = 'No AI Agent node in this workflow';
		return [result('write_needs_approval', 'not_applicable', message), result('write_needs_scope_guard', 'not_applicable', message)];
	}
	const sources = agents.map((a) => a.name);
	const main = writesBelowAgents(graph, agents);
	const tools = toolWrites(graph, agents);
	if (main.length === 0 && tools.length === 0) {
		const message = `No write to Salesforce, Zendesk or QuickBooks is downstream of ${quoteList(sources)}`;
		return [result('write_needs_approval', 'not_applicable', message), result('write_needs_scope_guard', 'not_applicable', message)];
	}
	const all = [...main.map((w) => w.write.name), ...tools.map((t) => t.write.name)];

	const noApproval: Finding[] = [];
	const noScope: Finding[] = [];
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

	const unsureFix = ' If the checklist could not tell the system (an expression URL), guard it all the same or make the host literal.';
	const approval =
		noApproval.length === 0
			? result('write_needs_approval', 'pass', `${all.length} write(s) downstream of an AI Agent pass an Approval Gate (Check Approval → Approved) or a Guarded Write with Require Approval: ${quoteList(all)}`, all)
			: result(
					'write_needs_approval',
					'fail',
					`Write(s) reachable from an AI Agent without an approval: ${noApproval.map(describe).join('; ')}`,
					noApproval.map((f) => f.write.name),
					'Put Approval Gate (Send for Approval and Wait) → Approval Gate (Check Approval) on every path from the AI Agent to the write and connect only its Approved output onward, or write with Guarded Write (Require Approval on). For a tool of the agent, add Approval Gate under the tool\'s Human review.' + (noApproval.some((f) => f.info.unsure) ? unsureFix : ''),
				);
	const scope =
		noScope.length === 0
			? result('write_needs_scope_guard', 'pass', `${all.length} write(s) downstream of an AI Agent pass a Scope Guard (Check Actions → Allowed) or a Guarded Write with Check Policy: ${quoteList(all)}`, all)
			: result(
					'write_needs_scope_guard',
					'fail',
					`Write(s) reachable from an AI Agent without a scope check: ${noScope.map(describe).join('; ')}`,
					noScope.map((f) => f.write.name),
					'Put Scope Guard (Check Actions) on every path from the AI Agent to the write and connect only its Allowed output onward, or write with Guarded Write (Check Policy on). A write tool given to the agent cannot be scope-checked: have the agent propose actions (structured output) and write them through Scope Guard → Approval Gate → Guarded Write.' + (noScope.some((f) => f.info.unsure) ? unsureFix : ''),
				);
	return [approval, scope];
}
