import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { suspendedMessage } from '../../lib/agents/agent';
import { DeliveryChannel, DeliveryError, DeliveryResult, deliverApprovalNotices } from '../../lib/approval/delivery';
import { ApprovalInputError } from '../../lib/approval/errors';
import { ApprovalTooLargeError, LINK_KEY, StoredApproval, checkLink, closeIfExpired, decide, expiredRequestsOf, judgeApproval, proofsFor, saveNewApproval, sweepExpired } from '../../lib/approval/gate';
import { ApprovalPage, RefusalCode, renderApprovalPage, renderDecidedPage, renderRefusalPage } from '../../lib/approval/page';
import { ApprovalRecord, Approver, approvedBy, newApprovalRecord } from '../../lib/approval/record';
import { signApproverToken } from '../../lib/approval/token';
import { valueAt } from '../../lib/fields/path';
import { GuardRun } from '../../lib/runtime/guardRun';
import { Reason } from '../../lib/runtime/reasons';
import { GuardStore } from '../../lib/store/types';
import { agentGuardApiTest, openGuardRun, openStoreFor, toNodeError } from '../shared/runtime';
import { properties } from './description';

/**
 * n8n resumes a waiting node by passing what its webhook returns (or, when the wait time
 * runs out, the node's own input) through the node's FIRST output only. So the waiting
 * operation has one output, Decided, and routing is a second, non-waiting operation that
 * verifies each item's signed approval: only a valid proof for the exact payload goes
 * to Approved; rejected, expired, timed-out or tampered items go to Rejected.
 */
const configuredOutputs = (parameters: { operation?: string }) =>
	parameters.operation === 'checkApproval'
		? [
				{ type: 'main', displayName: 'Approved' },
				{ type: 'main', displayName: 'Rejected' },
			]
		: [{ type: 'main', displayName: 'Decided' }];

export class ApprovalGate implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Approval Gate',
		name: 'approvalGate',
		icon: 'file:approvalGate.svg',
		group: ['transform'],
		version: 1,
		subtitle: '={{ "approval for " + $parameter["agentId"] }}',
		description: 'A human approves every proposed write on a signed page (before → after) while the workflow waits; also Human review for AI Agent tool calls',
		defaults: { name: 'Approval Gate' },
		inputs: ['main'],
		// One output while waiting (Decided), two when routing (Approved, Rejected), as n8n's Switch does.
		outputs: `={{(${configuredOutputs})($parameter)}}`,
		credentials: [
			// Optional: without it the embedded store in the n8n user folder is used (one n8n process).
			{ name: 'agentGuardApi', required: false, testedBy: 'agentGuardApiTest' },
			// n8n's own SMTP credential, so e-mail is set up once for every node that sends it.
			// eslint-disable-next-line n8n-nodes-base/node-class-description-credentials-name-unsuffixed
			{ name: 'smtp', required: true, displayOptions: { show: { operation: ['sendAndWait'], channel: ['email'] } } },
		],
		webhooks: [
			{ name: 'default', httpMethod: 'GET', responseMode: 'onReceived', responseData: '', path: '={{ $nodeId }}', restartWebhook: true, isFullPath: true },
			{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', responseData: '', path: '={{ $nodeId }}', restartWebhook: true, isFullPath: true },
		],
		properties,
	};

	methods = { credentialTest: { agentGuardApiTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		if (this.getNodeParameter('operation', 0) === 'checkApproval') return routeByApproval(this);
		const run = await openGuardRun(this);
		const items = this.getInputData();
		const now = Date.now();
		const hitl = isHitl(this.getNode().type);
		// Requests whose time ran out are closed in the trail here, by whichever gate runs next.
		for (const closed of await sweepExpired(run.store, now).catch(() => [])) recordDecision(run, closed.record, undefined, 'expired');
		const agentId = param(this, () => run.agentId(this.getNodeParameter('agentId', 0)), 'Agent ID');
		const agent = await run.agent(agentId).catch((error: unknown) => {
			throw toNodeError(this, error);
		});
		if (agent?.status === 'suspended') {
			const reasons: Reason[] = [{ code: 'agent_suspended', message: suspendedMessage(agent) }];
			const entry = run.record({ agentId, actor: { type: 'system', id: 'agent-guard' }, event: 'approval.refused', details: { reasons, items: items.length } });
			await flush(this, run);
			return [items.map((item, i) => ({ json: { ...item.json, guard: { ...(item.json.guard as IDataObject | undefined), ...(run.stamp('rejected', reasons, agentId, entry) as unknown as IDataObject) } }, pairedItem: { item: i } }))];
		}
		const record = buildRecord(this, items, agentId, now, hitl);
		const stored: StoredApproval = { record, items: items.map((item) => item.json) };
		await saveNewApproval(run.store, stored).catch((error: unknown) => {
			if (error instanceof ApprovalTooLargeError) throw new NodeOperationError(this.getNode(), error.message, { description: 'Nothing was sent.' });
			throw toNodeError(this, error);
		});
		const linkKey = run.store.deriveKey(LINK_KEY);
		const links = record.approvers.map((_a, i) =>
			this.getSignedResumeUrl({ approver: String(i), t: signApproverToken(linkKey, { approvalId: record.id, approver: i, digest: record.digest, expiresAt: record.expiresAt }) }),
		);
		let delivery: DeliveryResult[];
		try {
			delivery = await deliverApprovalNotices(await channelOf(this), noticesFor(record, links));
		} catch (error) {
			run.record({ agentId, actor: { type: 'system', id: 'agent-guard' }, event: 'approval.delivery_failed', details: { approvalId: record.id, error: (error as Error).message } });
			await flush(this, run);
			if (error instanceof DeliveryError) {
				throw new NodeOperationError(this.getNode(), `The approval request could not be sent: ${error.message}`, { description: 'Nobody was asked, so nothing waits: fix the channel settings and run again.' });
			}
			throw toNodeError(this, error);
		}
		const entry = run.record({
			agentId,
			actor: { type: 'agent', id: agentId },
			event: 'approval.requested',
			digest: record.digest,
			details: {
				approvalId: record.id,
				items: record.items.map((it) => ({ digest: it.digest, system: str(it.action.system), object: str(it.action.object), operation: str(it.action.operation), recordId: str(it.action.recordId) })),
				approvers: record.approvers.map((a, i) => ({ name: a.name, address: a.address, link: links[i], delivered: delivery[i]?.ok ?? false })),
				quorum: record.quorum,
				expiresAt: new Date(record.expiresAt).toISOString(),
			},
		});
		await flush(this, run);
		// n8n checks its own signature on the resume URL as well as ours on the token.
		this.setSignatureValidationRequired();
		await this.putExecutionToWait(new Date(record.expiresAt));
		const pending = items.map((item, i) => ({
			json: { ...item.json, guard: { ...(item.json.guard as IDataObject | undefined), ...(run.stamp('pending', [], agentId, entry) as unknown as IDataObject), approvalId: record.id } },
			pairedItem: { item: i },
		}));
		return [pending];
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const req = this.getRequestObject();
		const res = this.getResponseObject();
		const respond = (page: ApprovalPage): IWebhookResponseData => {
			res.status(page.status);
			for (const [name, value] of Object.entries(page.headers)) res.setHeader(name, value);
			res.send(page.html);
			return { noWebhookResponse: true };
		};
		let store: GuardStore;
		try {
			store = await openStoreFor(this);
		} catch (error) {
			return respond(renderRefusalPage('unknown', `The approval store is not reachable right now (${(error as Error).message}). Nothing was recorded; try the link again later.`));
		}
		const now = Date.now();
		const query = req.query as Record<string, unknown>;
		const body = (this.getBodyData() ?? {}) as Record<string, unknown>;
		const post = req.method === 'POST';
		if (post && body.t !== query.t) return respond(renderRefusalPage('tampered', 'The form does not belong to this link.'));
		const link = await checkLink(store, query.t, now);
		if (!link.ok) {
			if (link.code === 'expired' && link.stored) {
				// The request's time is up: close it (if no one has) and send the items on as rejected now.
				const closed = await closeIfExpired(store, link.stored.record.id, now).catch(() => undefined);
				if (closed?.closedNow) {
					await finishInTrail(store, closed.stored.record, undefined, 'expired');
					return resumeWith(this, store, respond(renderRefusalPage('expired')), closed.stored, closed.stored.record);
				}
			}
			return respond(renderRefusalPage(link.code as RefusalCode, link.message));
		}
		const { stored, approver } = link;
		if (!post) return respond(renderApprovalPage({ record: stored.record, approver, token: String(query.t), postUrl: req.originalUrl, now }));
		const choice = body.decision;
		if (choice !== 'approve' && choice !== 'reject') return respond(renderRefusalPage('malformed', 'Choose Approve or Reject.'));
		const outcome = await decide(store, stored.record.id, approver, choice, typeof body.comment === 'string' ? body.comment : undefined, now);
		if (!outcome.ok) {
			if (outcome.code === 'expired' && outcome.changed) {
				await finishInTrail(store, outcome.record, undefined, 'expired');
				return resumeWith(this, store, respond(renderRefusalPage('expired')), outcome.stored, outcome.record);
			}
			if (outcome.code === 'expired') return respond(renderRefusalPage('expired'));
			if (outcome.code === 'unknown_approver') return respond(renderRefusalPage('unknown_approver'));
			return respond({ ...renderDecidedPage(outcome.record, approver), status: 409 });
		}
		await finishInTrail(store, outcome.record, approver, outcome.final ? outcome.record.status : 'pending');
		const page = renderDecidedPage(outcome.record, approver);
		if (!outcome.final) return respond(page);
		return resumeWith(this, store, respond(page), outcome.stored, outcome.record);
	}
}

function isHitl(type: string): boolean {
	return type.endsWith('HitlTool');
}

function param<T>(ctx: IExecuteFunctions, read: () => T, field: string): T {
	try {
		return read();
	} catch (error) {
		throw toNodeError(ctx, error, 0, field);
	}
}

async function flush(ctx: IExecuteFunctions, run: GuardRun): Promise<void> {
	try {
		await run.flush();
	} catch (error) {
		throw toNodeError(ctx, error);
	}
}

function str(v: unknown): string | undefined {
	return v === undefined || v === null ? undefined : String(v);
}

function buildRecord(ctx: IExecuteFunctions, items: INodeExecutionData[], agentId: string, now: number, hitl: boolean): ApprovalRecord {
	const options = ctx.getNodeParameter('options', 0, {}) as { actionField?: string; beforeField?: string; showFindings?: boolean };
	const actionField = (options.actionField ?? 'action').trim();
	const beforeField = (options.beforeField ?? 'before').trim();
	const showFindings = options.showFindings !== false;
	const approvers = ((ctx.getNodeParameter('approvers', 0, {}) as { approver?: Approver[] }).approver ?? []).map((a) => ({ name: String(a.name ?? '').trim(), address: String(a.address ?? '').trim() || undefined }));
	const channel = ctx.getNodeParameter('channel', 0) as string;
	approvers.forEach((a, i) => {
		if (!a.name) throw new NodeOperationError(ctx.getNode(), `Approver ${i + 1} has no name`, { description: 'Give every approver a name: it is shown on the page and recorded in the trail.' });
		if (channel === 'email' && !a.address) throw new NodeOperationError(ctx.getNode(), `Approver "${a.name}" has no address`, { description: 'The E-Mail channel needs an e-mail address for every approver.' });
	});
	const hours = Number(ctx.getNodeParameter('expiresInHours', 0, 24));
	if (!Number.isFinite(hours) || hours <= 0) throw new NodeOperationError(ctx.getNode(), `Expires After must be a positive number of hours, not ${String(hours)}`);
	const requestItems = items.map((item, i) => {
		const action = hitl ? { system: 'n8n', object: 'tool call', operation: 'call', fields: (item.json.toolParameters ?? item.json) as IDataObject } : actionField ? valueAt(item.json, actionField) : item.json;
		if (action === null || typeof action !== 'object' || Array.isArray(action)) {
			throw new NodeOperationError(ctx.getNode(), `Item ${i}, field "${actionField}": the proposed action is ${action === undefined ? 'missing' : 'not a JSON object'}`, {
				itemIndex: i,
				description: 'Put the proposed action (system, object, operation, recordId, fields) there, or set Options → Action Field. Nothing was sent.',
			});
		}
		const before = beforeField ? valueAt(item.json, beforeField) : undefined;
		const guard = item.json.guard as { reasons?: unknown[]; findings?: unknown[] } | undefined;
		const findings = showFindings ? [...(Array.isArray(guard?.reasons) ? guard.reasons : []), ...(Array.isArray(guard?.findings) ? guard.findings : [])] : [];
		const reason = (action as { reason?: unknown }).reason;
		return { action, before: before === null ? undefined : before, reason: typeof reason === 'string' ? reason : undefined, findings: findings.length ? findings : undefined };
	});
	try {
		return newApprovalRecord({
			agentId,
			executionId: ctx.getExecutionId(),
			workflowId: String(ctx.getWorkflow().id ?? ''),
			node: ctx.getNode().name,
			message: String(ctx.getNodeParameter('message', 0, '') ?? '') || undefined,
			items: requestItems,
			approvers,
			quorum: Number(ctx.getNodeParameter('quorum', 0, 1)),
			createdAt: now,
			expiresAt: now + Math.round(hours * 3_600_000),
		});
	} catch (error) {
		if (error instanceof ApprovalInputError) {
			const item = /^items\[(\d+)\]/.exec(error.field);
			throw new NodeOperationError(ctx.getNode(), `${item ? `Item ${item[1]}, ` : ''}field "${error.field}": ${error.message}`, { itemIndex: item ? Number(item[1]) : undefined, description: 'Nothing was sent.' });
		}
		throw toNodeError(ctx, error);
	}
}

async function channelOf(ctx: IExecuteFunctions): Promise<DeliveryChannel> {
	const kind = ctx.getNodeParameter('channel', 0) as string;
	if (kind === 'none') return { kind: 'none' };
	if (kind === 'email') {
		const smtp = await ctx.getCredentials('smtp');
		return {
			kind: 'email',
			smtp: {
				host: String(smtp.host ?? ''),
				port: Number(smtp.port ?? 465),
				secure: smtp.secure === true,
				user: String(smtp.user ?? '') || undefined,
				password: String(smtp.password ?? '') || undefined,
				from: String(ctx.getNodeParameter('fromEmail', 0, '') || smtp.user || ''),
			},
		};
	}
	const url = String(ctx.getNodeParameter('webhookUrl', 0, '') ?? '').trim();
	if (kind === 'slack') return { kind: 'slack', webhookUrl: url };
	if (kind === 'teams') return { kind: 'teams', webhookUrl: url };
	return { kind: 'webhook', url };
}

function noticesFor(record: ApprovalRecord, links: string[]) {
	const summary = record.items.map((it) => {
		const a = it.action as { system?: unknown; object?: unknown; operation?: unknown; recordId?: unknown; fields?: unknown };
		const fields = a.fields && typeof a.fields === 'object' ? Object.keys(a.fields).join(', ') : '';
		return [a.operation, a.system, a.object, a.recordId].filter((p) => p !== undefined && p !== '').map(String).join(' ') + (fields ? `: ${fields}` : '');
	});
	return record.approvers.map((a, i) => ({
		approvalId: record.id,
		agentId: record.agentId,
		approverName: a.name,
		approverAddress: a.address,
		link: links[i],
		message: record.message,
		summary,
		expiresAt: record.expiresAt,
		quorum: record.quorum,
		approverCount: record.approvers.length,
	}));
}

function recordDecision(run: GuardRun, record: ApprovalRecord, approver: number | undefined, status: string): number {
	const who = approver === undefined ? undefined : record.approvers[approver];
	const last = approver === undefined ? undefined : [...record.decisions].reverse().find((d) => d.approver === approver);
	return run.record({
		agentId: record.agentId,
		executionId: record.executionId,
		workflowId: record.workflowId,
		node: record.node,
		actor: who ? { type: 'human', id: who.address ?? who.name } : { type: 'system', id: 'agent-guard' },
		event: 'approval.decided',
		digest: record.digest,
		details: {
			approvalId: record.id,
			status,
			approver: who?.name,
			decision: last?.decision,
			comment: last?.comment,
			approvals: approvedBy(record),
			reason: status === 'expired' ? 'approval_expired' : undefined,
		},
	});
}

async function finishInTrail(store: GuardStore, record: ApprovalRecord, approver: number | undefined, status: string): Promise<void> {
	const run = new GuardRun(store, { executionId: record.executionId, workflowId: record.workflowId, node: record.node });
	recordDecision(run, record, approver, status);
	await run.flush();
}

/** Resumes the waiting execution (the page was already sent): the items leave on Approved (with their proofs) or Rejected. */
function resumeWith(ctx: IWebhookFunctions, store: GuardStore, sent: IWebhookResponseData, stored: StoredApproval, record: ApprovalRecord): IWebhookResponseData {
	const approved = record.status === 'approved';
	if (isHitl(ctx.getNode().type)) {
		return { ...sent, workflowData: [[{ json: { approved, data: { approved }, approvalId: record.id, status: record.status } }]] };
	}
	const proofs = approved ? proofsFor(store, record) : [];
	const rejection = record.decisions.find((d) => d.decision === 'reject');
	const reasons: Reason[] = approved
		? [{ code: 'approved', message: `Approved by ${approvedBy(record).join(', ')}` }]
		: record.status === 'expired'
			? [{ code: 'approval_expired', message: `Nobody decided before ${new Date(record.expiresAt).toISOString()}: rejected.` }]
			: [{ code: 'approval_rejected', message: `Rejected by ${rejection ? record.approvers[rejection.approver].name : 'an approver'}${rejection?.comment ? `: "${rejection.comment}"` : ''}` }];
	const out = stored.items.map((json, i) => {
		const j = (json ?? {}) as IDataObject;
		const guard = { ...(j.guard as IDataObject | undefined), decision: record.status, reasons, agentId: record.agentId, approvalId: record.id } as IDataObject;
		const item: INodeExecutionData = { json: { ...j, guard }, pairedItem: { item: i } };
		if (approved) item.json.approval = proofs[i] as unknown as IDataObject;
		else item.json.rejection = { by: rejection ? record.approvers[rejection.approver].name : undefined, comment: rejection?.comment, at: new Date(record.decidedAt ?? Date.now()).toISOString() };
		return item;
	});
	return { ...sent, workflowData: [out] };
}

/** Check Approval: Approved only with a valid proof for the exact payload; everything else Rejected, with why. */
async function routeByApproval(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const run = await openGuardRun(ctx);
	const items = ctx.getInputData();
	const now = Date.now();
	const options = ctx.getNodeParameter('options', 0, {}) as { actionField?: string; beforeField?: string };
	const actionField = (options.actionField ?? 'action').trim();
	const beforeField = (options.beforeField ?? 'before').trim();
	let expired: Awaited<ReturnType<typeof expiredRequestsOf>> | undefined;
	const routed: Array<{ approved: boolean; json: IDataObject; index: number; entry: number; reasons: Reason[]; agentId: string }> = [];
	for (let i = 0; i < items.length; i++) {
		const json = items[i].json;
		const agentId = param(ctx, () => run.agentId(ctx.getNodeParameter('agentId', i)), 'Agent ID');
		const action = actionField ? valueAt(json, actionField) : json;
		const before = beforeField ? valueAt(json, beforeField) : undefined;
		let verdict = judgeApproval(run.store, json, action, before === null ? undefined : before);
		if (!verdict.approved && verdict.code === 'approval_missing') {
			expired ??= await expiredRequestsOf(run.store, ctx.getExecutionId(), now).catch((error: unknown) => {
				throw toNodeError(ctx, error, i);
			});
			if (expired.expired.length > 0) verdict = { approved: false, code: 'approval_expired', message: `nobody decided before ${new Date(expired.expired[0].expiresAt).toISOString()}` };
		}
		const reasons: Reason[] = verdict.approved ? [{ code: 'approved', message: `Approved by ${verdict.proof.approvers.join(', ')}` }] : [{ code: verdict.code, message: `Item ${i}: ${verdict.message}` }];
		const entry = run.record({
			agentId,
			actor: { type: 'system', id: 'agent-guard' },
			event: 'approval.checked',
			digest: verdict.approved ? verdict.proof.digest : undefined,
			details: { approved: verdict.approved, approvalId: verdict.approved ? verdict.proof.id : (json.guard as { approvalId?: string } | undefined)?.approvalId, reasons },
		});
		routed.push({ approved: verdict.approved, json, index: i, entry, reasons, agentId });
	}
	for (const record of expired?.closedNow ?? []) recordDecision(run, record, undefined, 'expired');
	await flush(ctx, run);
	const outputs: INodeExecutionData[][] = [[], []];
	for (const r of routed) {
		const guard = { ...(r.json.guard as IDataObject | undefined), ...(run.stamp(r.approved ? 'approved' : 'rejected', r.reasons, r.agentId, r.entry) as unknown as IDataObject) };
		outputs[r.approved ? 0 : 1].push({ json: { ...r.json, guard }, pairedItem: { item: r.index } });
	}
	return outputs;
}
