import { WorkflowGraph } from './graph';
import { WriteInfo, approvalPasses, isExpression, param, scopePasses, writeEnforcesApproval, writeEnforcesPolicy, writeOf } from './nodeKinds';
import { Workflow, WorkflowNode, WorkflowParseError, isRecord, parseWorkflow } from './workflow';

/**
 * Sub-workflows: an agent's write can sit in another workflow that an Execute Workflow node or a
 * Call n8n Workflow tool runs. The checklist follows such a call into the workflow it names (among
 * the workflows checked together, or inline JSON) and looks at the writes a run started there can
 * reach. A call it cannot follow (an expression id, a file path, a URL, an id it was not given)
 * may write anything: it counts as a write of unknown system, so only a guard before the call
 * passes it (fail closed).
 */
const CALL_TYPES: ReadonlySet<string> = new Set(['n8n-nodes-base.executeWorkflow', '@n8n/n8n-nodes-langchain.toolWorkflow']);
const SUB_TRIGGER = 'n8n-nodes-base.executeWorkflowTrigger';
/** Calls nested deeper than this are not followed (each level is a workflow run by the one before). */
const MAX_NESTING = 8;

export function isSubWorkflowCall(node: WorkflowNode): boolean {
	return !node.disabled && CALL_TYPES.has(node.type);
}

/** A write reached through a sub-workflow call, and whether the guards inside the called workflows check it. */
export interface SubWrite {
	write: WorkflowNode;
	info: WriteInfo;
	/** the called workflows, outermost first (empty for a call the checklist cannot follow: then `write` is the call) */
	via: string[];
	approvedInside: boolean;
	scopedInside: boolean;
}

type Target = { workflow: Workflow } | { unknown: string };

const SELF_ID = /^=\s*\{\{\s*\$workflow\.id\s*\}\}\s*$/;

/** The workflow a call runs: found by id among `all` (or `self`), read from inline JSON, or unknown with the reason. */
function targetOf(call: WorkflowNode, self: Workflow, all: readonly Workflow[], hint: string): Target {
	const source = param(call, 'source', 'database');
	if (source === 'parameter') {
		const raw = call.parameters.workflowJson;
		try {
			return { workflow: parseWorkflow(typeof raw === 'string' ? JSON.parse(raw) : raw, `the inline workflow of "${call.name}"`) };
		} catch (e) {
			if (e instanceof WorkflowParseError || e instanceof SyntaxError) return { unknown: 'its inline Workflow JSON cannot be read' };
			throw e;
		}
	}
	if (source !== 'database') return { unknown: `it runs a workflow from ${isExpression(source) ? 'an expression source' : `a ${String(source) === 'localFile' ? 'local file' : String(source)}`}, which the checklist cannot read` };
	const locator = call.parameters.workflowId;
	let id: unknown = isRecord(locator) ? locator.value : locator;
	if (isRecord(locator) && locator.mode === 'url' && typeof id === 'string') id = /\/workflow\/([^/?#]+)/.exec(id)?.[1] ?? id;
	if (typeof id === 'number') id = String(id);
	if (typeof id !== 'string' || id.trim() === '' || id.trim() === '=') return { unknown: 'it names no workflow' };
	if (SELF_ID.test(id)) return { workflow: self };
	if (id.startsWith('=')) return { unknown: `its workflow is an expression (${id.slice(1).trim()})` };
	const trimmed = id.trim();
	if (self.id === trimmed) return { workflow: self };
	const found = all.find((w) => w.id === trimmed);
	return found ? { workflow: found } : { unknown: `it runs workflow ${trimmed}, which is not among the workflows checked (${hint})` };
}

/**
 * The writes a run of the workflow that `call` names can reach: from its Execute Workflow
 * Trigger (any start node when it has none), through nested calls. `stack` holds the workflows
 * already being followed: a call back into one of them adds nothing new.
 */
export function writesThroughCall(call: WorkflowNode, self: Workflow, all: readonly Workflow[], hint: string, stack: readonly string[] = []): SubWrite[] {
	const target = targetOf(call, self, all, hint);
	if ('unknown' in target) {
		return [{ write: call, info: { system: 'unknown', what: 'runs a sub-workflow', unsure: target.unknown }, via: [], approvedInside: false, scopedInside: false }];
	}
	const workflow = target.workflow;
	const key = workflow.id ?? `name:${workflow.name}`;
	if (stack.includes(key)) return [];
	if (stack.length >= MAX_NESTING) {
		return [{ write: call, info: { system: 'unknown', what: 'runs a sub-workflow', unsure: `sub-workflows nest more than ${MAX_NESTING} deep here, and the checklist stops following them` }, via: [], approvedInside: false, scopedInside: false }];
	}
	const graph = new WorkflowGraph(workflow);
	const triggers = workflow.nodes.filter((n) => !n.disabled && n.type === SUB_TRIGGER).map((n) => n.name);
	const starts = triggers.length > 0 ? triggers : graph.entries().map((n) => n.name);
	const reached = graph.downstream(starts);
	for (const s of starts) reached.add(s);
	const guarded = (node: WorkflowNode, passes: typeof approvalPasses): boolean => !starts.includes(node.name) && graph.unguardedPath(starts, node.name, passes) === undefined;
	const out: SubWrite[] = [];
	for (const node of workflow.nodes) {
		if (!reached.has(node.name)) continue;
		const info = writeOf(node);
		if (info) {
			out.push({ write: node, info, via: [workflow.name], approvedInside: writeEnforcesApproval(node) || guarded(node, approvalPasses), scopedInside: writeEnforcesPolicy(node) || guarded(node, scopePasses) });
		} else if (isSubWorkflowCall(node)) {
			const approved = guarded(node, approvalPasses);
			const scoped = guarded(node, scopePasses);
			for (const inner of writesThroughCall(node, workflow, all, hint, [...stack, key])) {
				out.push({ ...inner, via: [workflow.name, ...inner.via], approvedInside: approved || inner.approvedInside, scopedInside: scoped || inner.scopedInside });
			}
		}
	}
	return out;
}
