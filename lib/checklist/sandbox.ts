import { dataFor, usedCredentials } from './credentials';
import { isAgent, writeOf } from './nodeKinds';
import { ChecklistInputs, RuleResult, TrailEntry, quoteList, result } from './types';
import { Workflow } from './workflow';

/**
 * sandbox_run: before a workflow that runs an agent or writes uses production credentials, the
 * trail must hold a recorded sandbox run of it: an entry with this workflow's id whose event is
 * in the `sandbox.` namespace, or whose details say `sandbox: true` or `environment: "sandbox"`.
 *
 * A credential counts as a sandbox one when its data says Environment = Sandbox, its base URL
 * override points at this machine (an emulator), or its name contains "sandbox". A workflow
 * whose SaaS credentials are all sandbox ones (or that has none set yet) does not use production
 * credentials: not applicable.
 */
const LOCAL = /^https?:\/\/(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?(\/|$)/i;

export function isSandboxEvidence(entry: TrailEntry, workflowId: string): boolean {
	if (entry.workflowId !== workflowId) return false;
	const d = entry.details ?? {};
	return entry.event.startsWith('sandbox.') || d.sandbox === true || d.environment === 'sandbox';
}

export function checkSandboxRun(workflow: Workflow, inputs: ChecklistInputs): RuleResult {
	const runsAgentOrWrites = workflow.nodes.some((n) => isAgent(n) || writeOf(n) !== undefined);
	if (!runsAgentOrWrites) return result('sandbox_run', 'not_applicable', 'The workflow runs no AI Agent and writes to no SaaS system');
	const used = usedCredentials(workflow);
	if (used.length === 0) return result('sandbox_run', 'not_applicable', 'No Salesforce, Zendesk or QuickBooks credential is set yet, so no production credential is used');
	const production = used.filter((u) => {
		const data = dataFor(u.ref, inputs)?.data;
		const sandbox = data?.environment === 'sandbox' || (typeof data?.baseUrlOverride === 'string' && LOCAL.test(data.baseUrlOverride)) || /sandbox/i.test(u.ref.name ?? '');
		return !sandbox;
	});
	if (production.length === 0) return result('sandbox_run', 'not_applicable', `Only sandbox credentials are used: ${quoteList(used.map((u) => u.ref.name ?? u.ref.id ?? u.ref.type))}`);
	const nodes = production.flatMap((u) => u.nodes);
	const names = quoteList(production.map((u) => u.ref.name ?? u.ref.id ?? u.ref.type));
	const fix = 'Run the workflow against the sandbox (sandbox credentials or the local emulators) with Agent Guard recording it, so the trail holds a sandbox run for this workflow id, then check again with that trail.';
	if (!workflow.id) return result('sandbox_run', 'fail', `Production credential(s) ${names} are used, and could not check: the workflow has no id to look up in the trail`, nodes, `Import the workflow into n8n (it gets an id), then: ${fix}`);
	if (inputs.trail === undefined) {
		return result('sandbox_run', 'fail', `Production credential(s) ${names} are used, and could not check for a sandbox run: no audit trail (${inputs.trailHint ?? 'give the checklist the trail'})`, nodes, fix);
	}
	const evidence = inputs.trail.filter((e) => isSandboxEvidence(e, workflow.id as string)).sort((a, b) => a.seq - b.seq)[0];
	if (!evidence) return result('sandbox_run', 'fail', `Production credential(s) ${names} are used, but the trail has no sandbox run of workflow ${workflow.id}`, nodes, fix);
	return result('sandbox_run', 'pass', `Sandbox run of workflow ${workflow.id} recorded at ${evidence.ts} (trail seq ${evidence.seq}, ${evidence.event})`, nodes);
}
