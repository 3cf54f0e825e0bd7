import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { AGENT_EVENTS, AgentRecord, isStale } from '../../lib/agents/agent';
import { Actor } from '../../lib/audit/entry';
import { GuardRun } from '../../lib/runtime/guardRun';
import { agentIdProperty, showFor } from '../shared/properties';
import { agentGuardApiTest, failedItem, openGuardRun, toNodeError } from '../shared/runtime';


export class AgentControl implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Agent Control',
		name: 'agentControl',
		icon: 'file:agentControl.svg',
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ($parameter["agentId"] ? ": " + $parameter["agentId"] : "") }}',
		description: 'The kill switch for AI agents: suspend or resume an agent for every guard node, see its status, find stale agents',
		defaults: { name: 'Agent Control' },
		inputs: ['main'],
		outputs: ['main'],
		// Optional: without it the embedded journal in the n8n user folder is used.
		credentials: [{ name: 'agentGuardApi', required: false, testedBy: 'agentGuardApiTest' }],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Get Status', value: 'getStatus', action: 'Get an agent s status', description: 'Active or suspended, by whom, when, why; owner; last seen' },
					{ name: 'List Agents', value: 'listAgents', action: 'List agents', description: 'Every agent the trail knows, flagged stale after N days without a run' },
					{ name: 'Resume', value: 'resume', action: 'Resume an agent', description: 'Lift a suspension' },
					{ name: 'Set Owner', value: 'setOwner', action: 'Set an agent s owner', description: 'The e-mail that alerts about this agent go to' },
					{ name: 'Suspend', value: 'suspend', action: 'Suspend an agent', description: 'Every guard node refuses this agent from its next item on' },
				],
				default: 'getStatus',
			},
			agentIdProperty(['suspend', 'resume', 'getStatus', 'setOwner']),
			{
				displayName: 'Reason',
				name: 'reason',
				type: 'string',
				default: '',
				required: true,
				placeholder: 'Mass update of leads at 09:12, investigating',
				displayOptions: showFor('suspend'),
			},
			{
				displayName: 'Reason',
				name: 'reason',
				type: 'string',
				default: '',
				placeholder: 'Fixed the prompt, reviewed the trace',
				displayOptions: showFor('resume'),
			},
			{
				displayName: 'Requested By',
				name: 'requestedBy',
				type: 'string',
				default: '',
				placeholder: 'ops@acme.test',
				hint: 'Who asked for this; recorded in the trail. Empty means this workflow.',
				displayOptions: showFor('suspend', 'resume', 'setOwner'),
			},
			{
				displayName: 'Owner Email',
				name: 'owner',
				type: 'string',
				default: '',
				required: true,
				placeholder: 'owner@acme.test',
				displayOptions: showFor('setOwner'),
			},
			{
				displayName: 'Stale After (Days)',
				name: 'staleDays',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 30,
				description: 'An agent not seen by any guard node for this many days is flagged stale',
				displayOptions: showFor('listAgents', 'getStatus'),
			},
			{
				displayName: 'Only Stale Agents',
				name: 'onlyStale',
				type: 'boolean',
				default: false,
				description: 'Whether to return only the agents flagged stale',
				displayOptions: showFor('listAgents'),
			},
		],
	};

	methods = { credentialTest: { agentGuardApiTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = this.getNodeParameter('operation', 0) as string;
		const run = await openGuardRun(this);
		if (operation === 'listAgents') {
			try {
				const staleDays = this.getNodeParameter('staleDays', 0) as number;
				const onlyStale = this.getNodeParameter('onlyStale', 0) as boolean;
				const agents = (await run.store.listAgents()).map((a) => view(a, staleDays)).filter((a) => !onlyStale || a.stale);
				return [agents.map((a) => ({ json: a, pairedItem: { item: 0 } }))];
			} catch (error) {
				if (this.continueOnFail()) return [[failedItem(toNodeError(this, error, 0), 0)]];
				throw toNodeError(this, error, 0);
			}
		}
		if (!['suspend', 'resume', 'getStatus', 'setOwner'].includes(operation)) throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}"`);
		return [await perItem(this, run, operation)];
	}
}

function view(record: AgentRecord | undefined, staleDays: number, agentId?: string): IDataObject {
	const r = record ?? { agentId: agentId ?? '', status: 'active' as const };
	return {
		agentId: r.agentId,
		known: record !== undefined,
		status: r.status,
		owner: r.owner ?? null,
		lastSeen: r.lastSeen ?? null,
		firstSeen: r.firstSeen ?? null,
		suspendedAt: r.status === 'suspended' ? (r.suspendedAt ?? null) : null,
		suspendedBy: r.status === 'suspended' ? (r.suspendedBy ?? null) : null,
		suspendedReason: r.status === 'suspended' ? (r.suspendedReason ?? null) : null,
		resumedAt: r.resumedAt ?? null,
		resumedBy: r.resumedBy ?? null,
		stale: isStale(r, staleDays),
	};
}

async function perItem(ctx: IExecuteFunctions, run: GuardRun, operation: string): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	const out: Array<{ index: number; agentId?: string; entry?: number; error?: NodeOperationError }> = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const agentId = run.agentId(ctx.getNodeParameter('agentId', i));
			if (operation === 'getStatus') {
				out.push({ index: i, agentId });
				continue;
			}
			const requestedBy = (ctx.getNodeParameter('requestedBy', i, '') as string).trim();
			const actor: Actor = requestedBy ? { type: 'human', id: requestedBy } : { type: 'system', id: `workflow:${run.context.workflowId || 'unknown'}` };
			if (operation === 'setOwner') {
				const owner = (ctx.getNodeParameter('owner', i) as string).trim();
				if (!/^[^@\s]+@[^@\s]+$/.test(owner)) throw new NodeOperationError(ctx.getNode(), `Item ${i}, field "Owner Email": "${owner}" is not an e-mail address`, { itemIndex: i });
				out.push({ index: i, agentId, entry: run.record({ agentId, actor, event: AGENT_EVENTS.ownerSet, details: { owner } }) });
				continue;
			}
			const reason = (ctx.getNodeParameter('reason', i, '') as string).trim();
			if (operation === 'suspend' && reason === '') {
				throw new NodeOperationError(ctx.getNode(), `Item ${i}, field "Reason": a suspension needs a reason`, { itemIndex: i, description: 'Say why, for whoever reads the trail during the incident.' });
			}
			const event = operation === 'suspend' ? AGENT_EVENTS.suspended : AGENT_EVENTS.resumed;
			out.push({ index: i, agentId, entry: run.record({ agentId, actor, event, details: reason ? { reason } : {} }) });
		} catch (error) {
			const nodeError = toNodeError(ctx, error, i, /Agent ID/.test(String(error)) ? 'Agent ID' : undefined);
			if (!ctx.continueOnFail()) throw nodeError;
			out.push({ index: i, error: nodeError });
		}
	}
	try {
		await run.flush();
		const staleDays = operation === 'getStatus' ? (ctx.getNodeParameter('staleDays', 0) as number) : 30;
		const results: INodeExecutionData[] = [];
		for (const { index, agentId, entry, error } of out) {
			if (error || agentId === undefined) {
				results.push(failedItem(error!, index));
				continue;
			}
			const json = view(await run.store.getAgent(agentId), staleDays, agentId);
			if (entry !== undefined) {
				const sealed = run.entryFor(entry);
				json.guard = run.stamp(sealed?.event ?? operation, [{ code: operation === 'setOwner' ? 'owner_set' : operation === 'suspend' ? 'agent_suspended' : 'agent_resumed', message: `${sealed?.event} recorded` }], agentId, entry) as unknown as IDataObject;
			}
			results.push({ json, pairedItem: { item: index } });
		}
		return results;
	} catch (error) {
		throw toNodeError(ctx, error);
	}
}
