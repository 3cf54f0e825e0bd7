/**
 * n8n workflow JSON as the editor exports it, the public API returns it and `n8n export:workflow`
 * writes it, read into the few things the checklist needs. Pure: no n8n imports. n8n leaves out
 * parameters that equal their default, so readers of `parameters` must know each node's defaults
 * (see nodeKinds.ts).
 */
export interface CredentialRef {
	/** the credential type, e.g. agentGuardSalesforceOAuth2Api */
	type: string;
	id?: string;
	name?: string;
}

export interface WorkflowNode {
	name: string;
	type: string;
	typeVersion: number;
	parameters: Record<string, unknown>;
	credentials: CredentialRef[];
	disabled: boolean;
	/** n8n's "On Error" setting: continueRegularOutput sends a failed item out of the first output */
	onError?: string;
}

export interface Connection {
	from: string;
	/** the source node's output index */
	output: number;
	to: string;
	/** main, ai_tool, ai_languageModel, … */
	kind: string;
}

export interface Workflow {
	id?: string;
	name: string;
	active: boolean;
	nodes: WorkflowNode[];
	connections: Connection[];
	/** where it came from: a file path or "n8n workflow <id>" */
	source?: string;
}

export class WorkflowParseError extends Error {}

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function credentialsOf(raw: unknown): CredentialRef[] {
	if (!isRecord(raw)) return [];
	return Object.entries(raw).map(([type, ref]) => {
		const r = isRecord(ref) ? ref : {};
		return {
			type,
			id: typeof r.id === 'string' || typeof r.id === 'number' ? String(r.id) : undefined,
			name: typeof r.name === 'string' ? r.name : undefined,
		};
	});
}

/** `connections[from][kind][output] = [{ node, type, index }]`, keyed by node name. */
function connectionsOf(raw: unknown, names: ReadonlySet<string>, where: string): Connection[] {
	if (raw === undefined || raw === null) return [];
	if (!isRecord(raw)) throw new WorkflowParseError(`${where}: "connections" must be an object`);
	const out: Connection[] = [];
	for (const [from, byKind] of Object.entries(raw)) {
		if (!isRecord(byKind)) continue;
		for (const [kind, outputs] of Object.entries(byKind)) {
			if (!Array.isArray(outputs)) continue;
			outputs.forEach((targets, output) => {
				if (!Array.isArray(targets)) return;
				for (const target of targets) {
					if (!isRecord(target) || typeof target.node !== 'string') continue;
					// A connection to a node that no longer exists is a stale leftover n8n ignores.
					if (!names.has(target.node) || !names.has(from)) continue;
					out.push({ from, output, to: target.node, kind });
				}
			});
		}
	}
	return out;
}

/** Reads one workflow; `where` names it in errors (a file path). Accepts the public API's `{ data: … }` wrapper too. */
export function parseWorkflow(raw: unknown, where = 'workflow'): Workflow {
	const value = isRecord(raw) && isRecord(raw.data) && Array.isArray(raw.data.nodes) ? raw.data : raw;
	if (!isRecord(value) || !Array.isArray(value.nodes)) throw new WorkflowParseError(`${where}: not an n8n workflow (no "nodes" list)`);
	const nodes: WorkflowNode[] = value.nodes.map((n, i) => {
		if (!isRecord(n) || typeof n.name !== 'string' || typeof n.type !== 'string') throw new WorkflowParseError(`${where}: node ${i + 1} has no name or type`);
		return {
			name: n.name,
			type: n.type,
			typeVersion: typeof n.typeVersion === 'number' ? n.typeVersion : 1,
			parameters: isRecord(n.parameters) ? n.parameters : {},
			credentials: credentialsOf(n.credentials),
			disabled: n.disabled === true,
			onError: typeof n.onError === 'string' ? n.onError : n.continueOnFail === true ? 'continueRegularOutput' : undefined,
		};
	});
	const names = new Set(nodes.map((n) => n.name));
	const id = typeof value.id === 'string' || typeof value.id === 'number' ? String(value.id) : undefined;
	return {
		id: id || undefined,
		name: typeof value.name === 'string' && value.name ? value.name : where,
		active: value.active === true,
		nodes,
		connections: connectionsOf(value.connections, names, where),
	};
}

/** A file may hold one workflow or a list of them (what `n8n export:workflow --all` writes). */
export function parseWorkflows(raw: unknown, where: string): Workflow[] {
	if (Array.isArray(raw)) return raw.map((w, i) => parseWorkflow(w, `${where} [${i}]`));
	return [parseWorkflow(raw, where)];
}
