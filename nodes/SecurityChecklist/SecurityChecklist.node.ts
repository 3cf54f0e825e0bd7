import type { IDataObject, IExecuteFunctions, IHttpRequestOptions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { ChecklistInputs, Workflow, WorkflowParseError, WorkflowReport, parseWorkflow, runChecklist } from '../../lib/checklist';
import { GUARD_PREFIX } from '../../lib/checklist/nodeKinds';
import { collectAll } from '../../lib/store/paging';
import { agentGuardApiTest, openGuardRun, toNodeError } from '../shared/runtime';

/**
 * The pre-deployment security checklist inside n8n: reads workflows through n8n's public API
 * (an n8n API credential), checks each against lib/checklist, records `checklist.checked` in the
 * trail, and sends one item per workflow to Pass or Fail.
 */
export class SecurityChecklist implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Security Checklist',
		name: 'securityChecklist',
		icon: 'file:securityChecklist.svg',
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["workflows"] }}',
		description: 'Checks workflows against the pre-deployment security checklist: approvals and scope checks before writes, policies, spend caps, audit, credentials, sandbox run, incident response',
		defaults: { name: 'Security Checklist' },
		inputs: ['main'],
		// Two outputs by design (Pass, Fail), as n8n's own If node has; the rule assumes one.
		// eslint-disable-next-line n8n-nodes-base/node-class-description-outputs-wrong
		outputs: ['main', 'main'],
		outputNames: ['Pass', 'Fail'],
		credentials: [
			{ name: 'n8nApi', required: true },
			// Optional: the trail (sandbox runs, checklist.checked); without it the embedded journal.
			{ name: 'agentGuardApi', required: false, testedBy: 'agentGuardApiTest' },
		],
		properties: [
			{
				displayName: 'Workflows',
				name: 'workflows',
				type: 'options',
				options: [
					{ name: 'All', value: 'all', description: 'Every workflow of this n8n' },
					{ name: 'By ID', value: 'ids', description: 'The workflows whose IDs you list' },
					{ name: 'Using Agent Guard Nodes', value: 'agentGuard', description: 'Only workflows with at least one Agent Guard node' },
				],
				default: 'all',
			},
			{
				displayName: 'Workflow IDs',
				name: 'workflowIds',
				type: 'string',
				default: '',
				placeholder: 'aB3dE5fG7hI9, kL1mN3oP5qR7',
				hint: 'Comma-separated; the ID is in the workflow\'s URL',
				displayOptions: { show: { workflows: ['ids'] } },
			},
			{
				displayName: 'Include This Workflow',
				name: 'includeCurrent',
				type: 'boolean',
				default: false,
				description: 'Whether to check the workflow this node is in as well',
			},
		],
	};

	methods = { credentialTest: { agentGuardApiTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const selection = this.getNodeParameter('workflows', 0) as string;
		const includeCurrent = this.getNodeParameter('includeCurrent', 0, false) as boolean;
		const currentId = String(this.getWorkflow().id ?? '');
		const all = await listWorkflows(this);
		let chosen: Workflow[];
		if (selection === 'ids') {
			const ids = (this.getNodeParameter('workflowIds', 0, '') as string).split(',').map((s) => s.trim()).filter(Boolean);
			if (ids.length === 0) throw new NodeOperationError(this.getNode(), 'Workflow IDs is empty', { description: 'List the IDs of the workflows to check, comma-separated.' });
			chosen = [];
			for (const id of ids) chosen.push(all.find((w) => w.id === id) ?? (await getWorkflow(this, id)));
		} else if (selection === 'agentGuard') {
			chosen = all.filter((w) => w.nodes.some((n) => n.type.startsWith(GUARD_PREFIX)));
		} else chosen = all;
		chosen = chosen.filter((w) => includeCurrent || w.id !== currentId);
		if (includeCurrent && currentId && !chosen.some((w) => w.id === currentId)) {
			const own = all.find((w) => w.id === currentId) ?? (await getWorkflow(this, currentId));
			chosen.push(own);
		}

		const run = await openGuardRun(this);
		const inputs: ChecklistInputs = {
			credentialsHint: "n8n's API does not give out credential data: run \"agent-guard check\" with --credentials (the output of \"n8n export:credentials --decrypted\") for the credential rules",
			workflows: all,
			workflowsHint: `looked for among the ${all.length} workflow(s) of this n8n`,
		};
		const reports: Array<{ report: WorkflowReport; entry: number }> = [];
		try {
			for (const workflow of chosen) {
				const trail = workflow.id ? await collectAll(run.store, { workflowId: workflow.id }) : [];
				const report = runChecklist(workflow, { ...inputs, trail });
				const entry = run.record({
					actor: { type: 'system', id: 'security-checklist' },
					event: 'checklist.checked',
					details: {
						checkedWorkflowId: workflow.id,
						checkedWorkflowName: workflow.name,
						passed: report.passed,
						failed: report.results.filter((r) => r.status === 'fail').map((r) => r.rule),
						agentIds: report.agentIds,
					},
				});
				reports.push({ report, entry });
			}
			await run.flush();
		} catch (error) {
			throw toNodeError(this, error);
		}
		const pass: INodeExecutionData[] = [];
		const fail: INodeExecutionData[] = [];
		for (const { report, entry } of reports) {
			const failed = report.results.filter((r) => r.status === 'fail');
			const reasons = failed.length
				? failed.map((r) => ({ code: r.rule, message: r.message }))
				: [{ code: 'checklist_passed', message: 'No checklist rule failed' }];
			const json = {
				...report,
				failed: failed.map((r) => r.rule),
				guard: run.stamp(report.passed ? 'checklist_passed' : 'checklist_failed', reasons, undefined, entry),
			} as unknown as IDataObject;
			(report.passed ? pass : fail).push({ json, pairedItem: { item: 0 } });
		}
		return [pass, fail];
	}
}

async function api(ctx: IExecuteFunctions, path: string, qs: IDataObject = {}): Promise<unknown> {
	const credential = await ctx.getCredentials('n8nApi');
	const baseUrl = String(credential.baseUrl ?? '').replace(/\/+$/, '');
	if (!baseUrl) throw new NodeOperationError(ctx.getNode(), 'The n8n API credential has no Base URL', { description: 'Set it to your n8n\'s API address, e.g. http://localhost:5678/api/v1' });
	// The key is set here rather than through httpRequestWithAuthentication, which behaves the same for n8n's n8nApi credential.
	const options: IHttpRequestOptions = { method: 'GET', url: `${baseUrl}${path}`, qs, headers: { 'X-N8N-API-KEY': String(credential.apiKey ?? '') }, json: true };
	try {
		return await ctx.helpers.httpRequest(options);
	} catch (error) {
		const status = (error as { response?: { status?: number }; httpCode?: string }).response?.status ?? (error as { httpCode?: string }).httpCode;
		throw new NodeOperationError(ctx.getNode(), `n8n's API refused GET ${path}${status ? ` (HTTP ${status})` : ''}: ${(error as Error).message}`, {
			description: String(status) === '401' ? 'Check the API key in the n8n API credential (Settings → n8n API).' : 'Check the Base URL in the n8n API credential, e.g. http://localhost:5678/api/v1.',
		});
	}
}

function toWorkflow(ctx: IExecuteFunctions, raw: unknown): Workflow {
	try {
		const id = typeof raw === 'object' && raw !== null ? String((raw as { id?: unknown }).id ?? '') : '';
		return { ...parseWorkflow(raw, `workflow ${id}`), source: `n8n workflow ${id}` };
	} catch (error) {
		if (error instanceof WorkflowParseError) throw new NodeOperationError(ctx.getNode(), error.message);
		throw error;
	}
}

async function listWorkflows(ctx: IExecuteFunctions): Promise<Workflow[]> {
	const out: Workflow[] = [];
	let cursor: string | undefined;
	for (let page = 0; page < 1000; page++) {
		const body = (await api(ctx, '/workflows', cursor ? { limit: 100, cursor } : { limit: 100 })) as { data?: unknown[]; nextCursor?: string | null };
		out.push(...(body.data ?? []).map((w) => toWorkflow(ctx, w)));
		if (!body.nextCursor) break;
		cursor = body.nextCursor;
	}
	return out;
}

async function getWorkflow(ctx: IExecuteFunctions, id: string): Promise<Workflow> {
	return toWorkflow(ctx, await api(ctx, `/workflows/${encodeURIComponent(id)}`));
}
