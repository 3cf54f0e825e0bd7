/**
 * Static checks of the bundled template workflows (workflows/*.json): they parse, have fixed ids,
 * explain themselves in sticky notes, ship without credential ids, use only node types (and type
 * versions) that n8n 2.8.4 or this package has, and give our nodes only parameters and option
 * values our node descriptions define. Needs no n8n; the n8n type list is read from the pinned
 * install in test/e2e/n8n when it is there.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { INodeProperties, INodeType } from 'n8n-workflow';
import { parseWorkflow, runChecklistAll } from '../../lib/checklist';
import { AgentControl } from '../../nodes/AgentControl/AgentControl.node';
import { ApprovalGate } from '../../nodes/ApprovalGate/ApprovalGate.node';
import { AuditLogger } from '../../nodes/AuditLogger/AuditLogger.node';
import { CredentialCheck } from '../../nodes/CredentialCheck/CredentialCheck.node';
import { GuardedWrite } from '../../nodes/GuardedWrite/GuardedWrite.node';
import { InjectionSanitizer } from '../../nodes/InjectionSanitizer/InjectionSanitizer.node';
import { ReverseWrite } from '../../nodes/ReverseWrite/ReverseWrite.node';
import { ScopeGuard } from '../../nodes/ScopeGuard/ScopeGuard.node';
import { SpendCap } from '../../nodes/SpendCap/SpendCap.node';

interface TemplateNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: unknown;
}
interface Template {
	id: string;
	name: string;
	nodes: TemplateNode[];
	connections: Record<string, Record<string, Array<Array<{ node: string; type: string; index: number }>>>>;
	settings: { executionOrder?: string };
}

const ROOT = path.join(__dirname, '..', '..');
const FOLDER = path.join(ROOT, 'workflows');
const files = fs.readdirSync(FOLDER).filter((f) => f.endsWith('.json')).sort();
const templates = files.map((file) => ({ file, wf: JSON.parse(fs.readFileSync(path.join(FOLDER, file), 'utf8')) as Template }));

const OURS: Record<string, INodeType> = Object.fromEntries(
	[new AgentControl(), new ApprovalGate(), new AuditLogger(), new CredentialCheck(), new GuardedWrite(), new InjectionSanitizer(), new ReverseWrite(), new ScopeGuard(), new SpendCap()].map((n) => [
		`n8n-nodes-agent-guard.${n.description.name}`,
		n,
	]),
);
// n8n generates a Human-review variant of every node with a sendAndWait operation.
OURS['n8n-nodes-agent-guard.approvalGateHitlTool'] = OURS['n8n-nodes-agent-guard.approvalGate'];

/** Node types (name → versions) of the pinned n8n, or undefined when it is not installed. */
function n8nTypes(): Map<string, number[]> | undefined {
	const modules = path.join(ROOT, 'test', 'e2e', 'n8n', 'node_modules');
	const lists: Array<[string, string]> = [
		['n8n-nodes-base', path.join(modules, 'n8n-nodes-base', 'dist', 'types', 'nodes.json')],
		['@n8n/n8n-nodes-langchain', path.join(modules, '@n8n', 'n8n-nodes-langchain', 'dist', 'types', 'nodes.json')],
	];
	if (!lists.every(([, file]) => fs.existsSync(file))) return undefined;
	const types = new Map<string, number[]>();
	for (const [pkg, file] of lists) {
		for (const t of JSON.parse(fs.readFileSync(file, 'utf8')) as Array<{ name: string; version: number | number[] }>) {
			const key = `${pkg}.${t.name}`;
			types.set(key, [...(types.get(key) ?? []), ...(Array.isArray(t.version) ? t.version : [t.version])]);
		}
	}
	// Tool variants n8n generates at start-up from nodes marked usableAsTool.
	types.set('n8n-nodes-base.httpRequestTool', types.get('n8n-nodes-base.httpRequest') ?? []);
	return types;
}

function isExpression(v: unknown): boolean {
	return typeof v === 'string' && v.startsWith('=');
}

/** Problems with one of our nodes' parameters: unknown names and option values no description allows. */
function parameterProblems(node: TemplateNode): string[] {
	const description = OURS[node.type].description;
	const problems: string[] = [];
	const check = (props: INodeProperties[], values: Record<string, unknown>, where: string): void => {
		for (const [name, value] of Object.entries(values)) {
			const candidates = props.filter((p) => p.name === name);
			if (node.type.endsWith('HitlTool') && name === 'message') continue; // n8n adds it to the Human-review variant
			if (candidates.length === 0) {
				problems.push(`${where}${name}: no such parameter`);
				continue;
			}
			if (isExpression(value)) continue;
			const ok = candidates.some((p) => {
				if (p.type === 'options') return (p.options ?? []).some((o) => 'value' in o && o.value === value);
				if (p.type === 'multiOptions') return Array.isArray(value) && value.every((v) => (p.options ?? []).some((o) => 'value' in o && o.value === v));
				if (p.type === 'boolean') return typeof value === 'boolean';
				if (p.type === 'number') return typeof value === 'number';
				if (p.type === 'string' || p.type === 'json' || p.type === 'dateTime') return typeof value === 'string';
				if (p.type === 'collection' && value && typeof value === 'object') {
					check((p.options ?? []) as INodeProperties[], value as Record<string, unknown>, `${where}${name}.`);
					return true;
				}
				if (p.type === 'fixedCollection' && value && typeof value === 'object') {
					for (const [group, rows] of Object.entries(value as Record<string, unknown>)) {
						const groupDef = (p.options ?? []).find((o) => 'name' in o && o.name === group) as { values?: INodeProperties[] } | undefined;
						if (!groupDef?.values) {
							problems.push(`${where}${name}.${group}: no such group`);
							continue;
						}
						for (const row of Array.isArray(rows) ? rows : [rows]) check(groupDef.values, row as Record<string, unknown>, `${where}${name}.${group}.`);
					}
					return true;
				}
				return true;
			});
			if (!ok) problems.push(`${where}${name}: ${JSON.stringify(value)} is not a valid value`);
		}
	};
	check(description.properties, node.parameters, '');
	return problems;
}

test('there are seven templates', () => {
	expect(files).toHaveLength(7);
});

describe.each(templates)('$file', ({ wf }) => {
	test('has a fixed id of at most 16 characters, a name, and v1 execution order', () => {
		expect(wf.id).toMatch(/^agTemplate0[1-7][A-Za-z]{4}$/);
		expect(wf.id.length).toBeLessThanOrEqual(16);
		expect(wf.name).toMatch(/^Agent Guard · /);
		expect(wf.settings.executionOrder).toBe('v1');
	});

	test('node ids are unique uuids and node names are unique', () => {
		expect(new Set(wf.nodes.map((n) => n.id)).size).toBe(wf.nodes.length);
		expect(new Set(wf.nodes.map((n) => n.name)).size).toBe(wf.nodes.length);
		for (const n of wf.nodes) expect(n.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
	});

	test('explains itself in sticky notes: an overview that says what to set up, and one per step', () => {
		const stickies = wf.nodes.filter((n) => n.type === 'n8n-nodes-base.stickyNote');
		expect(stickies.length).toBeGreaterThanOrEqual(3);
		const overview = String(stickies[0].parameters.content);
		expect(overview).toMatch(/^## /);
		expect(overview).toMatch(/Set up/);
		expect(overview).toMatch(/credential/i);
	});

	test('sticky notes do not overlap one another on the canvas', () => {
		const box = (n: (typeof wf.nodes)[number]) => ({ name: n.name, x: n.position[0], y: n.position[1], w: Number(n.parameters.width ?? 240), h: Number(n.parameters.height ?? 160) });
		const notes = wf.nodes.filter((n) => n.type === 'n8n-nodes-base.stickyNote').map(box);
		const overlaps: string[] = [];
		for (const [i, a] of notes.entries()) for (const b of notes.slice(i + 1)) if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h) overlaps.push(`${a.name} / ${b.name}`);
		expect(overlaps).toEqual([]);
	});

	test('ships without credential ids: a user picks each credential after import', () => {
		expect(wf.nodes.filter((n) => n.credentials !== undefined).map((n) => n.name)).toEqual([]);
		expect(JSON.stringify(wf)).not.toMatch(/agSandbox|emulator|127\.0\.0\.1/);
	});

	test('connections name existing nodes and every working node is connected', () => {
		const names = new Set(wf.nodes.map((n) => n.name));
		const targets = new Set<string>();
		for (const [from, byType] of Object.entries(wf.connections)) {
			expect(names.has(from)).toBe(true);
			for (const outputs of Object.values(byType)) for (const output of outputs) for (const c of output) {
				expect(names.has(c.node)).toBe(true);
				targets.add(c.node);
			}
		}
		for (const n of wf.nodes) {
			if (n.type === 'n8n-nodes-base.stickyNote') continue;
			expect({ node: n.name, connected: targets.has(n.name) || n.name in wf.connections }).toEqual({ node: n.name, connected: true });
		}
	});

	test('uses only node types and versions that n8n 2.8.4 or this package has', () => {
		const types = n8nTypes();
		for (const n of wf.nodes) {
			if (n.type in OURS) {
				expect({ node: n.name, version: n.typeVersion }).toEqual({ node: n.name, version: 1 });
				continue;
			}
			if (!types) continue; // pinned n8n not installed: only our types are checked
			expect({ node: n.name, type: n.type, known: types.has(n.type) }).toEqual({ node: n.name, type: n.type, known: true });
			expect({ node: n.name, versionKnown: (types.get(n.type) ?? []).includes(n.typeVersion) }).toEqual({ node: n.name, versionKnown: true });
		}
	});

	test("our nodes get only parameters and option values their descriptions define, and an Agent ID", () => {
		for (const n of wf.nodes.filter((x) => x.type in OURS)) {
			expect({ node: n.name, problems: parameterProblems(n) }).toEqual({ node: n.name, problems: [] });
			const needsAgent = OURS[n.type].description.properties.some((p) => p.name === 'agentId' && p.required && (!p.displayOptions?.show?.operation || (p.displayOptions.show.operation as unknown[]).includes(n.parameters.operation ?? p.displayOptions.show.operation[0])));
			if (needsAgent) expect({ node: n.name, agentId: Boolean(n.parameters.agentId) }).toEqual({ node: n.name, agentId: true });
		}
	});
});

test('every AI Agent that proposes actions has a chat model and a structured output parser connected', () => {
	for (const { file, wf } of templates) {
		for (const agent of wf.nodes.filter((n) => n.type === '@n8n/n8n-nodes-langchain.agent')) {
			const feeding = (type: string) => Object.entries(wf.connections).filter(([, c]) => (c[type] ?? []).some((o) => o.some((x) => x.node === agent.name))).map(([from]) => from);
			expect({ file, model: feeding('ai_languageModel').length }).toEqual({ file, model: 1 });
			if (agent.parameters.hasOutputParser) expect({ file, parser: feeding('ai_outputParser').length }).toEqual({ file, parser: 1 });
		}
	}
});

test('every template passes the pre-deployment security checklist (as `agent-guard check workflows/` runs it)', () => {
	const reports = runChecklistAll(templates.map(({ file, wf }) => parseWorkflow(wf, file)));
	const failing = reports.filter((r) => !r.passed).map((r) => ({ workflow: r.workflowName, failed: r.results.filter((x) => x.status === 'fail').map((x) => `${x.rule}: ${x.message}`) }));
	expect(failing).toEqual([]);
	expect(reports).toHaveLength(7);
});
