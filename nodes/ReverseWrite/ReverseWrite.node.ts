import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { SaasSystem } from '../../lib/saas/types';
import {
	ReversalInputError,
	ReversalOutcome,
	ReversalSelection,
	ReversalTrailError,
	SaasAccess,
	parseSeqs,
	parseWindow,
	reverseWrites,
	selectWrites,
	unrecordedOutcomes,
} from '../../lib/write/reverse';
import { agentGuardApiTest, openGuardRun, toNodeError } from '../shared/runtime';
import { SaasCredentialError, SaasSessions, SYSTEM_NAMES, writingNodeCredentials } from '../shared/saas';
import { properties } from './description';

/** Outcomes that need a person: they go to the Conflicts output. */
function needsAttention(o: ReversalOutcome): boolean {
	return o.status === 'conflict' || o.status === 'failed' || o.code === 'reversal_conflict';
}

export class ReverseWrite implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Reverse Write',
		name: 'reverseWrite',
		icon: 'file:reverseWrite.svg',
		group: ['output'],
		version: 1,
		subtitle: '={{ ($parameter["preview"] ? "Preview: " : "") + $parameter["selectBy"] }}',
		description: 'Undoes an agent’s writes to Salesforce, Zendesk or QuickBooks from the audit trail, newest first, leaving alone what people changed since',
		defaults: { name: 'Reverse Write' },
		inputs: ['main'],
		// Two outputs by design (Reversed, Conflicts), as n8n's own If node has; the rule assumes one.
		// eslint-disable-next-line n8n-nodes-base/node-class-description-outputs-wrong
		outputs: ['main', 'main'],
		outputNames: ['Reversed', 'Conflicts'],
		// The trail's store (optional: the embedded journal without it) and the credential of each system written to.
		credentials: writingNodeCredentials,
		properties,
	};

	methods = { credentialTest: { agentGuardApiTest } };

	/**
	 * Runs once per execution, whatever the number of input items: a reversal is one job over
	 * the trail, not one per item. The parameters of the first item are used.
	 */
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const run = await openGuardRun(this);
		let agentId: string;
		let selection: ReversalSelection;
		try {
			agentId = run.agentId(this.getNodeParameter('agentId', 0));
			selection = selectionFrom(this, agentId);
		} catch (error) {
			throw inputError(this, error);
		}
		const preview = this.getNodeParameter('preview', 0, true) as boolean;
		const force = this.getNodeParameter('force', 0, false) as boolean;

		const sessions = new SaasSessions(this);
		let outcomes: ReversalOutcome[];
		let note: string | undefined;
		try {
			const selected = await selectWrites(run.store, selection, agentId);
			note = selected.note;
			const done = await reverseWrites(run.store, selected.entries, {
				preview,
				force,
				actor: { type: 'system', id: `workflow:${run.context.workflowId || 'unknown'}` },
				connect: (system) => connect(this, sessions, system),
				appendNow: (draft) => run.appendNow(draft),
				appendBatch: (drafts) => run.store.append(drafts.map((d) => ({ executionId: run.context.executionId, workflowId: run.context.workflowId, node: run.context.node, ...d }))),
			});
			outcomes = [...done, ...unrecordedOutcomes(selected.unrecorded)];
		} catch (error) {
			throw reverseError(this, error);
		}
		const reversed: INodeExecutionData[] = [];
		const conflicts: INodeExecutionData[] = [];
		if (outcomes.length === 0) {
			const stamp = run.stamp('nothing_to_do', [{ code: 'nothing_to_reverse', message: note ?? 'nothing to reverse' }], agentId);
			reversed.push({ json: { status: 'nothing_to_do', message: note ?? 'nothing to reverse', guard: stamp as unknown as IDataObject }, pairedItem: { item: 0 } });
		}
		for (const o of outcomes) {
			const stamp = run.stamp(o.status, [{ code: o.code, message: o.message }], o.agentId ?? agentId);
			if (o.audit) stamp.audit = o.audit;
			const json: IDataObject = {
				reverses: o.reverses,
				system: o.system,
				object: o.object,
				recordId: o.recordId,
				...(o.currentRecordId ? { currentRecordId: o.currentRecordId } : {}),
				kind: o.kind,
				status: o.status,
				restored: o.restored as IDataObject,
				changes: o.changes as unknown as IDataObject[],
				conflicts: o.conflicts as unknown as IDataObject[],
				...(o.forced ? { forced: true } : {}),
				...(o.newRecordId ? { newRecordId: o.newRecordId } : {}),
				message: o.message,
				guard: stamp as unknown as IDataObject,
			};
			(needsAttention(o) ? conflicts : reversed).push({ json, pairedItem: { item: 0 } });
		}
		return [reversed, conflicts];
	}
}

function selectionFrom(ctx: IExecuteFunctions, agentId: string): ReversalSelection {
	const by = ctx.getNodeParameter('selectBy', 0, 'execution') as string;
	if (by === 'entries') return { by, seqs: parseSeqs(ctx.getNodeParameter('entries', 0, ''), 'entries') };
	if (by === 'agent') return { by, agentId, ...parseWindow(ctx.getNodeParameter('since', 0, ''), ctx.getNodeParameter('until', 0, '')) };
	if (by !== 'execution') throw inputError(ctx, new ReversalInputError('selectBy', `"selectBy" must be execution, entries or agent, got ${JSON.stringify(by)}`));
	const executionId = String(ctx.getNodeParameter('executionId', 0, '') ?? '').trim();
	if (!executionId) throw inputError(ctx, new ReversalInputError('executionId', '"executionId" is empty: give the id of the execution whose writes to undo'));
	return { by, executionId };
}

/** The session of one system; reversal is a write, so an expired credential stops the run before anything is written. */
async function connect(ctx: IExecuteFunctions, sessions: SaasSessions, system: SaasSystem): Promise<SaasAccess> {
	const session = await sessions.get(system);
	if (session.status.state === 'expired') {
		const why = session.status.findings
			.filter((f) => f.code.endsWith('expired'))
			.map((f) => f.message)
			.join('; ');
		throw new NodeOperationError(ctx.getNode(), `The ${SYSTEM_NAMES[system]} credential (${session.credentialType}) has expired: ${why}`, {
			description: `Reconnect or replace the ${SYSTEM_NAMES[system]} credential in n8n, then run again. Nothing was reversed.`,
		});
	}
	return session;
}

function inputError(ctx: IExecuteFunctions, error: unknown): NodeOperationError {
	if (error instanceof ReversalInputError) {
		return new NodeOperationError(ctx.getNode(), `Parameter "${error.field}": ${error.message}`, { itemIndex: 0, description: `Fix "${error.field}" and run again. Nothing was reversed.` });
	}
	return toNodeError(ctx, error, 0, 'agentId');
}

function reverseError(ctx: IExecuteFunctions, error: unknown): NodeOperationError {
	if (error instanceof ReversalInputError) return inputError(ctx, error);
	if (error instanceof SaasCredentialError) {
		return new NodeOperationError(ctx.getNode(), error.message, {
			description: error.field ? `Fix "${error.field}" in the credential, then run again. Nothing was reversed.` : 'Nothing was reversed.',
		});
	}
	if (error instanceof ReversalTrailError) {
		const d = error.draft;
		return new NodeOperationError(ctx.getNode(), `A reversal of ${d.subject?.object ?? ''} ${d.subject?.recordId ?? ''} happened but could not be recorded in the trail: ${error.message}`, {
			description: `Record it with "agent-guard audit log" once the store is back: ${JSON.stringify({ event: d.event, subject: d.subject, before: d.before, after: d.after, details: d.details }).slice(0, 2000)}`,
		});
	}
	return toNodeError(ctx, error);
}
