import { Workflow, WorkflowNode } from './workflow';

/**
 * The workflow's main connections as a graph. The one question the checklist asks of it:
 * is there a path from any source to a target that does NOT pass a guard? A guard is a node
 * and the outputs through which items leave it guarded (Scope Guard's Allowed, not Denied).
 * A path is guarded when it leaves some node through such an output; so "every path passes a
 * guard" is "the target is unreachable once the guarded outputs are cut".
 */
export type PassesGuard = (node: WorkflowNode, output: number) => boolean;

export class WorkflowGraph {
	private readonly byName = new Map<string, WorkflowNode>();
	private readonly out = new Map<string, Array<{ to: string; output: number }>>();
	private readonly incoming = new Map<string, number>();

	constructor(readonly workflow: Workflow) {
		for (const n of workflow.nodes) this.byName.set(n.name, n);
		for (const c of workflow.connections) {
			if (c.kind !== 'main') continue;
			const list = this.out.get(c.from) ?? [];
			list.push({ to: c.to, output: c.output });
			this.out.set(c.from, list);
			this.incoming.set(c.to, (this.incoming.get(c.to) ?? 0) + 1);
		}
	}

	node(name: string): WorkflowNode | undefined {
		return this.byName.get(name);
	}

	/** Nodes a run can start from: no main input, and not a sub-node wired only through ai_* connections. */
	entries(): WorkflowNode[] {
		const subNodes = new Set(this.workflow.connections.filter((c) => c.kind !== 'main').map((c) => c.from));
		return this.workflow.nodes.filter((n) => !this.incoming.has(n.name) && !subNodes.has(n.name) && n.type !== 'n8n-nodes-base.stickyNote');
	}

	/**
	 * A path (node names) from one of `sources` to `target` that passes no guard, or undefined when
	 * every path is guarded (or none exists). Breadth first, so the path shown is a shortest one.
	 */
	unguardedPath(sources: string[], target: string, passes: PassesGuard): string[] | undefined {
		const parent = new Map<string, string | null>();
		const queue: string[] = [];
		for (const s of sources) {
			if (!parent.has(s)) {
				parent.set(s, null);
				queue.push(s);
			}
		}
		while (queue.length) {
			const name = queue.shift() as string;
			if (name === target && !sources.includes(target)) return this.pathTo(parent, target);
			const node = this.byName.get(name);
			for (const edge of this.out.get(name) ?? []) {
				if (node && passes(node, edge.output)) continue;
				if (edge.to === target) {
					if (!parent.has(target)) parent.set(target, name);
					return this.pathTo(parent, target);
				}
				if (parent.has(edge.to)) continue;
				parent.set(edge.to, name);
				queue.push(edge.to);
			}
		}
		return undefined;
	}

	/** Every node reachable from `sources` through main connections (not the sources themselves unless on a cycle). */
	downstream(sources: string[]): Set<string> {
		const seen = new Set<string>();
		const queue = [...sources];
		while (queue.length) {
			const name = queue.shift() as string;
			for (const edge of this.out.get(name) ?? []) {
				if (seen.has(edge.to)) continue;
				seen.add(edge.to);
				queue.push(edge.to);
			}
		}
		return seen;
	}

	/** The ai_* connections into `name` (tools, models, memory), as [from, kind]. */
	subNodesOf(name: string): Array<{ from: string; kind: string }> {
		return this.workflow.connections.filter((c) => c.kind !== 'main' && c.to === name).map((c) => ({ from: c.from, kind: c.kind }));
	}

	private pathTo(parent: Map<string, string | null>, target: string): string[] {
		const path: string[] = [];
		let at: string | null | undefined = target;
		while (at !== null && at !== undefined && path.length <= parent.size) {
			path.unshift(at);
			at = parent.get(at);
		}
		return path;
	}
}
