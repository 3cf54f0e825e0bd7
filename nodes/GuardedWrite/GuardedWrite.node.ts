import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { suspendedMessage } from '../../lib/agents/agent';
import { judgeApproval } from '../../lib/approval/gate';
import { actionDigest } from '../../lib/approval/digest';
import { AuditEntry, EntryDraft } from '../../lib/audit/entry';
import { valueAt } from '../../lib/fields/path';
import { evaluate } from '../../lib/policy/evaluate';
import { Policy, ProposedAction } from '../../lib/policy/types';
import { GuardRun } from '../../lib/runtime/guardRun';
import { Reason } from '../../lib/runtime/reasons';
import { SaasError } from '../../lib/saas/types';
import {
	BeforeImage,
	WRITE_EVENTS,
	WriteAction,
	WriteFailedError,
	WriteInputError,
	appliedEntry,
	changedSinceApproval,
	changes,
	claimApproval,
	failedEntry,
	intendedEntry,
	parseWriteAction,
	performWrite,
	readBefore,
	settleApprovalUse,
} from '../../lib/write/guardedWrite';
import { loadPolicy } from '../shared/policy';
import { agentGuardApiTest, failedItem, openGuardRun, toNodeError } from '../shared/runtime';
import { SaasCredentialError, SaasSessions, SYSTEM_NAMES, writingNodeCredentials } from '../shared/saas';
import { properties } from './description';

type Audit = { seq: number; hash: string };
type Out = { written: boolean; item: INodeExecutionData; decision: string; reasons: Reason[]; agentId?: string; entry?: number; audit?: Audit };

/** Refusals the system's answer maps to: stable reason codes (README). */
function refusalCode(error: SaasError | Error): string {
	if (!(error instanceof SaasError)) return 'system_error';
	switch (error.code) {
		case 'not_found':
			return 'record_not_found';
		case 'unauthorized':
			return 'credential_rejected';
		case 'conflict':
			return 'write_conflict';
		case 'error':
			return 'system_error';
		default:
			return error.code;
	}
}

export class GuardedWrite implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Guarded Write',
		name: 'guardedWrite',
		icon: 'file:guardedWrite.svg',
		group: ['output'],
		version: 1,
		subtitle: '={{ ($parameter["dryRun"] ? "Dry run: " : "") + $parameter["agentId"] }}',
		description: 'Performs an approved action on Salesforce, Zendesk or QuickBooks: checks the approval, records before and after in the trail, so it can be reversed',
		defaults: { name: 'Guarded Write' },
		inputs: ['main'],
		// Two outputs by design (Written, Refused), as n8n's own If node has; the rule assumes one.
		// eslint-disable-next-line n8n-nodes-base/node-class-description-outputs-wrong
		outputs: ['main', 'main'],
		outputNames: ['Written', 'Refused'],
		// The trail's store (optional: the embedded journal without it) and the credential of each system written to.
		credentials: writingNodeCredentials,
		properties,
	};

	methods = { credentialTest: { agentGuardApiTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const strict = this.getNodeParameter('requireApproval', 0, true) as boolean;
		const dryRun = this.getNodeParameter('dryRun', 0, false) as boolean;
		const policy = (this.getNodeParameter('checkPolicy', 0, true) as boolean) ? loadPolicy(this) : undefined;
		const run = await openGuardRun(this);
		const sessions = new SaasSessions(this);
		const counts = new Map<string, number>();
		const items = this.getInputData();
		const outs: Out[] = [];
		for (let i = 0; i < items.length; i++) {
			try {
				outs.push(await writeItem(this, run, sessions, { strict, dryRun, policy, counts }, i, items[i]));
			} catch (error) {
				const nodeError = writeError(this, error, i);
				if (!this.continueOnFail()) throw nodeError;
				outs.push({ written: false, item: failedItem(nodeError, i), decision: 'error', reasons: [] });
			}
		}
		try {
			await run.flush();
		} catch (error) {
			throw toNodeError(this, error);
		}
		const written: INodeExecutionData[] = [];
		const refused: INodeExecutionData[] = [];
		for (const out of outs) {
			if (out.decision !== 'error') {
				const stamp = run.stamp(out.decision, out.reasons, out.agentId, out.entry);
				if (out.audit) stamp.audit = out.audit;
				out.item.json.guard = { ...(out.item.json.guard as IDataObject | undefined), ...(stamp as unknown as IDataObject) };
			}
			(out.written ? written : refused).push(out.item);
		}
		return [written, refused];
	}
}

interface Settings {
	strict: boolean;
	dryRun: boolean;
	policy?: Policy;
	counts: Map<string, number>;
}

function writeError(ctx: IExecuteFunctions, error: unknown, i: number): NodeOperationError {
	if (error instanceof SaasCredentialError) {
		return new NodeOperationError(ctx.getNode(), `Item ${i}: ${error.message}`, {
			itemIndex: i,
			description: error.field ? `Fix "${error.field}" in the credential. Nothing was written.` : 'Nothing was written.',
		});
	}
	return toNodeError(ctx, error, i);
}

async function writeItem(ctx: IExecuteFunctions, run: GuardRun, sessions: SaasSessions, settings: Settings, i: number, item: INodeExecutionData): Promise<Out> {
	const options = ctx.getNodeParameter('options', i, {}) as { actionField?: string; beforeField?: string };
	const actionField = (options.actionField ?? 'action').trim();
	const beforeField = (options.beforeField ?? 'before').trim();
	const agentId = run.agentId(ctx.getNodeParameter('agentId', i));
	const rawAction = actionField ? valueAt(item.json, actionField) : item.json;
	const approvedBefore = beforeField ? valueAt(item.json, beforeField) ?? undefined : undefined;
	const json: IDataObject = { ...item.json };
	const base = { item: { json, pairedItem: { item: i } }, agentId };
	const subjectOf = (a: unknown) => {
		const o = (a && typeof a === 'object' ? a : {}) as Record<string, unknown>;
		return { system: str(o.system), object: str(o.object), recordId: o.recordId === undefined || o.recordId === null ? undefined : String(o.recordId) };
	};
	const refuse = (reasons: Reason[], details: IDataObject = {}): Out => {
		const entry = run.record({ agentId, actor: { type: 'agent', id: agentId }, event: WRITE_EVENTS.refused, subject: subjectOf(rawAction), details: { reasons, dryRun: settings.dryRun || undefined, ...details } });
		return { ...base, written: false, decision: 'refused', reasons, entry };
	};

	let action: WriteAction;
	try {
		action = parseWriteAction(rawAction);
	} catch (error) {
		if (!(error instanceof WriteInputError)) throw error;
		const where = `${actionField ? `${actionField}.` : ''}${error.field ?? ''}`.replace(/\.$/, '');
		return refuse([{ code: 'malformed_action', message: `${where ? `"${where}": ` : ''}${error.message}` }]);
	}

	const agent = await run.agent(agentId);
	if (agent?.status === 'suspended') return refuse([{ code: 'agent_suspended', message: suspendedMessage(agent) }]);

	if (settings.policy) {
		const decision = evaluate(settings.policy, rawAction as ProposedAction, settings.counts);
		if (!decision.allowed) return refuse(decision.reasons.map((r) => ({ code: r.code, message: r.message, rule: r.rule })));
		if (decision.rule) settings.counts.set(decision.rule, (settings.counts.get(decision.rule) ?? 0) + 1);
	}

	const session = await sessions.get(action.system);
	const warnings: Reason[] = [];
	if (session.status.state === 'expired') {
		return refuse(session.status.findings.filter((f) => f.code.endsWith('expired')).map((f) => ({ code: 'credential_expired', message: `${SYSTEM_NAMES[action.system]} credential: ${f.message}` })));
	}
	for (const f of session.status.findings) warnings.push({ code: f.code, message: `${SYSTEM_NAMES[action.system]} credential: ${f.message}` });

	// The approval: required in strict mode; checked whenever one is on the item.
	let approval: { id: string; digest: string } | undefined;
	if (settings.strict || json.approval !== undefined) {
		const verdict = judgeApproval(run.store, json, rawAction, approvedBefore);
		if (!verdict.approved) return refuse([{ code: verdict.code, message: verdict.message }]);
		approval = { id: verdict.proof.id, digest: verdict.proof.digest };
	}
	const digest = approval?.digest ?? actionDigest(rawAction, approvedBefore);

	let before: BeforeImage | undefined;
	try {
		before = await session.call((adapter) => readBefore(adapter, action));
	} catch (error) {
		if (error instanceof SaasError) return refuse([{ code: refusalCode(error), message: `reading the record before writing: ${error.message}` }]);
		throw error;
	}
	if (before && approvedBefore !== undefined) {
		const changed = changedSinceApproval(action.system, approvedBefore, before.fields);
		if (changed.length) {
			return refuse([{ code: 'record_changed', message: `${changed.join(', ')} changed since the approver saw the record: ask for approval again` }], { changedFields: changed });
		}
	}
	const diff = changes(action, before);
	const preview: IDataObject = { system: action.system, object: action.object, operation: action.operation, recordId: action.recordId, changes: diff as unknown as IDataObject[], truncated: before?.truncated };

	if (settings.dryRun) {
		const entry = run.record({ agentId, actor: { type: 'agent', id: agentId }, event: WRITE_EVENTS.dryRun, subject: { system: action.system, object: action.object, recordId: action.recordId }, before: before?.fields, after: action.operation === 'delete' ? undefined : action.fields, digest, details: { operation: action.operation, approvalId: approval?.id, environment: session.environment } });
		json.write = { ...preview, dryRun: true };
		return { ...base, written: true, decision: 'dry_run', reasons: warnings, entry };
	}

	const claim = approval ? await claimApproval(run.store, approval.id, approval.digest, run.context, Date.now()) : undefined;
	if (claim && !claim.ok) {
		const when = new Date(claim.previous.at).toISOString();
		return refuse([{ code: 'approval_reused', message: `this approval was already used (${claim.previous.state} at ${when}${claim.previous.executionId ? ` in execution ${claim.previous.executionId}` : ''}): an approval is good for one write` }]);
	}
	const recordContext = { agentId, digest, approvalId: approval?.id, warnings: warnings.map((w) => w.message), environment: session.environment };
	// The intent goes to the trail before the write is sent: if this process dies between the write
	// and its outcome, the trail still says what was about to change (an intent with no outcome after it).
	let intent: AuditEntry;
	try {
		intent = await run.appendNow(intendedEntry(action, before, recordContext));
	} catch (error) {
		// Nothing was sent: give the approval back for a retry, if the store still answers.
		if (claim?.ok) await settleApprovalUse(run.store, claim, { state: 'failed', executionId: run.context.executionId, node: run.context.node, at: Date.now() }).catch(() => undefined);
		throw error;
	}
	let draft: EntryDraft;
	let outcome: { written: true; recordId: string; marker: IDataObject } | { written: false; failure: WriteFailedError };
	try {
		const result = await session.call((adapter) => performWrite(adapter, action, before));
		draft = appliedEntry(action, before, result, recordContext, intent.seq);
		outcome = { written: true, recordId: result.recordId, marker: result.marker };
	} catch (error) {
		if (!(error instanceof WriteFailedError)) throw error;
		draft = failedEntry(action, before, error, recordContext, intent.seq);
		outcome = { written: false, failure: error };
	}
	let audit: Audit;
	try {
		const entry = await run.appendNow(draft);
		audit = { seq: entry.seq, hash: entry.hash };
	} catch (error) {
		// The write happened (or failed) and the trail cannot say so: stop loudly, with everything needed to record it by hand.
		throw new NodeOperationError(ctx.getNode(), `Item ${i}: the ${action.operation} of ${action.object} ${outcome.written ? outcome.recordId : action.recordId ?? ''} ${outcome.written ? 'was applied' : 'failed'} but could not be recorded in the trail: ${(error as Error).message}`, {
			itemIndex: i,
			description: `Record it with "agent-guard audit log" once the store is back: ${JSON.stringify({ event: draft.event, subject: draft.subject, before: draft.before, after: draft.after, details: draft.details }).slice(0, 2000)}`,
		});
	}
	if (claim?.ok) {
		const failedClean = !outcome.written && outcome.failure.notApplied;
		await settleApprovalUse(run.store, claim, { state: failedClean ? 'failed' : 'applied', executionId: run.context.executionId, node: run.context.node, at: Date.now(), seq: audit.seq });
	}
	if (!outcome.written) {
		const failure = outcome.failure;
		const code = failure.notApplied ? refusalCode(failure.cause) : 'write_outcome_unknown';
		const message = failure.notApplied
			? `${SYSTEM_NAMES[action.system]} refused the ${action.operation}: ${failure.message}`
			: `the ${action.operation} may or may not have reached ${SYSTEM_NAMES[action.system]} (${failure.message}): check the record before trying again; the approval stays used`;
		json.write = { ...preview, failed: true, outcome: failure.notApplied ? 'not_applied' : 'unknown' };
		return { ...base, written: false, decision: 'failed', reasons: [{ code, message }], audit };
	}
	json.write = { ...preview, recordId: outcome.recordId, marker: outcome.marker };
	return { ...base, written: true, decision: 'written', reasons: warnings, audit };
}

function str(value: unknown): string | undefined {
	return typeof value === 'string' ? value : value === undefined || value === null ? undefined : String(value);
}
