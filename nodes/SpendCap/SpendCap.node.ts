import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { AGENT_EVENTS, suspendedMessage } from '../../lib/agents/agent';
import { SpendUnit, toMicro } from '../../lib/spend/amounts';
import { parseCaps } from '../../lib/spend/caps';
import { PriceUnknownError, SpendInputError } from '../../lib/spend/errors';
import { PerMillionPrice, priceTokens } from '../../lib/spend/pricing';
import { CapRule, CapStatus, SpendVerdict, checkAndReserve, recordUsage, resetSpend, spendStatus } from '../../lib/spend/spendCap';
import { extractUsage } from '../../lib/spend/usage';
import { GuardRun } from '../../lib/runtime/guardRun';
import { Reason } from '../../lib/runtime/reasons';
import { agentGuardApiTest, failedItem, openGuardRun, toNodeError } from '../shared/runtime';
import { properties } from './description';

type Route = 0 | 1 | 2;
interface Out {
	route: Route;
	item: INodeExecutionData;
	decision?: string;
	reasons: Reason[];
	agentId?: string;
	entry?: number;
	spend?: IDataObject;
}

const ROUTE: Record<SpendVerdict, Route> = { within: 0, warning: 1, over_cap: 2 };

export class SpendCap implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Spend Cap',
		name: 'spendCap',
		icon: 'file:spendCap.svg',
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["agentId"] }}',
		description: 'Caps what an AI agent may spend per day, hour or run, in dollars, tokens, runs or writes; atomic across n8n workers',
		defaults: { name: 'Spend Cap' },
		inputs: ['main'],
		// Three outputs by design (Within Cap, Warning, Over Cap), like n8n's own Switch node.
		// eslint-disable-next-line n8n-nodes-base/node-class-description-outputs-wrong
		outputs: ['main', 'main', 'main'],
		outputNames: ['Within Cap', 'Warning', 'Over Cap'],
		// Optional: without it the embedded store in the n8n user folder is used (one n8n process).
		credentials: [{ name: 'agentGuardApi', required: false, testedBy: 'agentGuardApiTest' }],
		properties,
	};

	methods = { credentialTest: { agentGuardApiTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = this.getNodeParameter('operation', 0) as string;
		const caps = loadCaps(this);
		const run = await openGuardRun(this);
		const items = this.getInputData();
		const outs: Out[] = [];
		for (let i = 0; i < items.length; i++) {
			try {
				const agentId = run.agentId(this.getNodeParameter('agentId', i));
				if (operation === 'checkAndReserve') outs.push(await reserveItem(this, run, caps, i, items[i], agentId));
				else if (operation === 'recordUsage') outs.push(await recordItem(this, run, caps, i, items[i], agentId));
				else if (operation === 'getStatus') outs.push(await statusItem(this, run, caps, i, items[i], agentId));
				else outs.push(await resetItem(this, run, caps, i, items[i], agentId));
			} catch (error) {
				const nodeError = spendError(this, error, i);
				if (!this.continueOnFail()) throw nodeError;
				outs.push({ route: 2, item: failedItem(nodeError, i), reasons: [] });
			}
		}
		try {
			await run.flush();
		} catch (error) {
			throw toNodeError(this, error);
		}
		const routes: INodeExecutionData[][] = [[], [], []];
		for (const out of outs) {
			if (out.decision !== undefined) {
				out.item.json.guard = {
					...(out.item.json.guard as IDataObject | undefined),
					...(run.stamp(out.decision, out.reasons, out.agentId, out.entry) as unknown as IDataObject),
					spend: out.spend,
				};
			}
			routes[out.route].push(out.item);
		}
		return routes;
	}
}

function loadCaps(ctx: IExecuteFunctions): CapRule[] {
	const rows = (ctx.getNodeParameter('caps', 0, {}) as { cap?: IDataObject[] }).cap ?? [];
	try {
		return parseCaps(rows.map(({ maxAmount, ...row }) => ({ ...row, limit: maxAmount })));
	} catch (error) {
		if (error instanceof SpendInputError) {
			throw new NodeOperationError(ctx.getNode(), `Invalid cap: ${error.message}`, { description: `Fix "${error.field}" in Caps. Nothing was reserved or charged.` });
		}
		throw toNodeError(ctx, error);
	}
}

function spendError(ctx: IExecuteFunctions, error: unknown, i: number): NodeOperationError {
	if (error instanceof SpendInputError) {
		return new NodeOperationError(ctx.getNode(), `Item ${i}, field "${error.field}": ${error.message}`, { itemIndex: i, description: 'Nothing was reserved or charged for this item.' });
	}
	if (error instanceof PriceUnknownError) {
		return new NodeOperationError(ctx.getNode(), `Item ${i}, field "model": ${error.message}`, {
			itemIndex: i,
			description: 'Add the model under Price Overrides, or set Unknown Model to charge a fallback price. Nothing was charged for this item.',
		});
	}
	return toNodeError(ctx, error, i);
}

function invalid(ctx: IExecuteFunctions, i: number, field: string, message: string): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), `Item ${i}, field "${field}": ${message}`, { itemIndex: i, description: 'Nothing was reserved or charged for this item.' });
}

function amountParam(ctx: IExecuteFunctions, unit: SpendUnit, name: string, i: number): number {
	return toMicro(unit, ctx.getNodeParameter(name, i), name);
}

function spendSummary(reservationId: string | undefined, caps: CapStatus[], extra: IDataObject = {}): IDataObject {
	return { reservationId, ...extra, caps: caps as unknown as IDataObject[] };
}

function capWords(c: CapStatus): string {
	return `${c.limit} per ${c.period}`;
}

async function reserveItem(ctx: IExecuteFunctions, run: GuardRun, caps: CapRule[], i: number, item: INodeExecutionData, agentId: string): Promise<Out> {
	const options = ctx.getNodeParameter('options', i, {}) as { holdMinutes?: number; owner?: string; suspendOnOverCap?: boolean };
	const agent = await run.agent(agentId);
	await run.noteOwner(agentId, options.owner || undefined, agent);
	const json: IDataObject = { ...item.json };
	if (options.owner) json.owner = options.owner;
	const base = { item: { json, pairedItem: { item: i } }, agentId };
	if (agent?.status === 'suspended') {
		const reasons = [{ code: 'agent_suspended', message: suspendedMessage(agent) }];
		const entry = run.record({ agentId, actor: { type: 'agent', id: agentId }, event: 'spend.blocked', details: { reasons } });
		return { ...base, route: 2, decision: 'over_cap', reasons, entry };
	}
	const amounts: Partial<Record<SpendUnit, number>> = {
		usd: amountParam(ctx, 'usd', 'estimateUsd', i),
		tokens: amountParam(ctx, 'tokens', 'estimateTokens', i),
		writes: amountParam(ctx, 'writes', 'writes', i),
		runs: 1,
	};
	const warnRatio = warnRatioOf(ctx, i);
	const holdMs = Math.round((options.holdMinutes ?? 60) * 60_000);
	const result = await checkAndReserve(run.store, { agentId, caps, amounts, holdMs, warnRatio, now: Date.now(), executionId: ctx.getExecutionId() });
	const asked = Object.fromEntries(caps.map((c) => [c.unit, amounts[c.unit] ?? 0]));
	const reasons: Reason[] = [];
	if (result.verdict === 'over_cap' && result.blockedBy) {
		const b = result.blockedBy;
		reasons.push({ code: 'over_cap', message: `Agent "${agentId}" would exceed its cap of ${capWords(b)}: spent ${b.spent}, held ${b.reserved}, this item asks for more than the ${b.remaining} left.` });
	} else if (result.verdict === 'warning') {
		const c = result.caps.reduce((a, b) => (b.used > a.used ? b : a));
		reasons.push({ code: 'cap_warning', message: `Agent "${agentId}" has used ${Math.round(c.used * 100)}% of its cap of ${capWords(c)} (${c.remaining} left).` });
	}
	const event = result.verdict === 'over_cap' ? 'spend.blocked' : 'spend.reserved';
	const entry = run.record({
		agentId,
		actor: { type: 'agent', id: agentId },
		event,
		details: { reservationId: result.reservationId, verdict: result.verdict, asked, holdUntil: result.holdUntil, replayed: result.replayed, caps: result.caps.map(ledgerDetail), reasons },
	});
	if (result.verdict === 'over_cap' && options.suspendOnOverCap) {
		run.record({ agentId, actor: { type: 'system', id: 'spend-cap' }, event: AGENT_EVENTS.suspended, details: { reason: `over_cap: ${reasons[0]?.message ?? ''}` } });
		reasons.push({ code: 'agent_suspended', message: `Agent "${agentId}" was suspended because it hit a cap. Resume it with Agent Control after checking why.` });
	}
	return {
		...base,
		route: ROUTE[result.verdict],
		decision: result.verdict,
		reasons,
		entry,
		spend: spendSummary(result.verdict === 'over_cap' ? undefined : result.reservationId, result.caps, { holdUntil: result.verdict === 'over_cap' ? undefined : result.holdUntil }),
	};
}

function warnRatioOf(ctx: IExecuteFunctions, i: number): number {
	const percent = Number(ctx.getNodeParameter('warningPercent', i, 80));
	if (!Number.isFinite(percent) || percent <= 0 || percent > 100) throw invalid(ctx, i, 'warningPercent', `Warning Threshold must be between 1 and 100, not ${String(percent)}`);
	return percent / 100;
}

function ledgerDetail(c: CapStatus): IDataObject {
	return { unit: c.unit, period: c.periodKey, limit: c.limitMicro, spent: c.spentMicro, reserved: c.reservedMicro };
}

function actualUsage(ctx: IExecuteFunctions, i: number, item: INodeExecutionData): { actual: Partial<Record<SpendUnit, number>>; detail: IDataObject } {
	const source = ctx.getNodeParameter('usageSource', i, 'item') as string;
	if (source === 'explicit') {
		const actual = { usd: amountParam(ctx, 'usd', 'amountUsd', i), tokens: amountParam(ctx, 'tokens', 'amountTokens', i) };
		return { actual, detail: { source: 'explicit' } };
	}
	const usage = extractUsage(item.json);
	if (!usage) {
		throw invalid(ctx, i, 'usage', 'no token usage was found on the item (looked for usage.prompt_tokens, usage.input_tokens and tokenUsage.promptTokens): connect the AI model output here, or choose "Amounts Below"');
	}
	const model = String(ctx.getNodeParameter('model', i, '') || usage.model || '').trim();
	if (!model) throw invalid(ctx, i, 'model', `token usage was found at "${usage.path}" but no model name: set Model`);
	const overrides: Record<string, PerMillionPrice> = {};
	for (const row of (ctx.getNodeParameter('priceOverrides', i, {}) as { price?: Array<{ model: string; inputPerMillion: number; outputPerMillion: number }> }).price ?? []) {
		if (row.model) overrides[row.model] = { inputPerMillion: row.inputPerMillion, outputPerMillion: row.outputPerMillion };
	}
	const fallback =
		ctx.getNodeParameter('unknownModel', i, 'error') === 'fallback'
			? { inputPerMillion: Number(ctx.getNodeParameter('fallbackInputPerMillion', i)), outputPerMillion: Number(ctx.getNodeParameter('fallbackOutputPerMillion', i)) }
			: undefined;
	const price = priceTokens({ model, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens }, overrides, fallback);
	return {
		actual: { usd: price.micro, tokens: usage.inputTokens + usage.outputTokens },
		detail: { source: 'item', path: usage.path, model, pricedAs: price.model, priceSource: price.source, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens },
	};
}

function routeOf(caps: CapStatus[], warnRatio: number): SpendVerdict {
	if (caps.some((c) => c.spentMicro >= c.limitMicro)) return 'over_cap';
	return caps.some((c) => c.used >= warnRatio) ? 'warning' : 'within';
}

async function recordItem(ctx: IExecuteFunctions, run: GuardRun, caps: CapRule[], i: number, item: INodeExecutionData, agentId: string): Promise<Out> {
	const reservationId = String(ctx.getNodeParameter('reservationId', i, '') ?? '').trim() || undefined;
	const { actual, detail } = actualUsage(ctx, i, item);
	const result = await recordUsage(run.store, { agentId, reservationId, actual, caps, now: Date.now(), executionId: ctx.getExecutionId() });
	const verdict = routeOf(result.caps, warnRatioOf(ctx, i));
	const reasons: Reason[] = [];
	if (verdict === 'over_cap') reasons.push({ code: 'over_cap', message: `Agent "${agentId}" has reached a cap: ${result.caps.filter((c) => c.spentMicro >= c.limitMicro).map((c) => `${c.spent} of ${capWords(c)}`).join('; ')}. Its next Check & Reserve is refused.` });
	if (result.late) reasons.push({ code: 'spend_unreserved', message: reservationId ? `Reservation ${reservationId} had expired or was unknown: the usage was charged all the same.` : 'No reservation id: the usage was charged to the caps configured here.' });
	const entry = run.record({
		agentId,
		actor: { type: 'agent', id: agentId },
		event: 'spend.settled',
		details: { reservationId: result.reservationId, actual, usage: detail, late: result.late, replayed: result.replayed, caps: result.caps.map(ledgerDetail) },
	});
	return {
		route: ROUTE[verdict],
		item: { json: { ...item.json }, pairedItem: { item: i } },
		agentId,
		decision: verdict,
		reasons,
		entry,
		spend: spendSummary(result.reservationId, result.caps, { charged: actual as IDataObject, usage: detail, late: result.late }),
	};
}

async function statusItem(ctx: IExecuteFunctions, run: GuardRun, caps: CapRule[], i: number, item: INodeExecutionData, agentId: string): Promise<Out> {
	const status = await spendStatus(run.store, agentId, caps, Date.now(), ctx.getExecutionId());
	const verdict = routeOf(status, warnRatioOf(ctx, i));
	return { route: ROUTE[verdict], item: { json: { ...item.json }, pairedItem: { item: i } }, agentId, decision: verdict, reasons: [], spend: spendSummary(undefined, status) };
}

async function resetItem(ctx: IExecuteFunctions, run: GuardRun, caps: CapRule[], i: number, item: INodeExecutionData, agentId: string): Promise<Out> {
	const reason = String(ctx.getNodeParameter('resetReason', i, '') ?? '').trim();
	if (!reason) throw invalid(ctx, i, 'resetReason', 'a reset needs a reason: it goes into the audit trail');
	const by = String(ctx.getNodeParameter('resetBy', i, '') ?? '').trim();
	const cleared = await resetSpend(run.store, agentId, caps, Date.now(), ctx.getExecutionId());
	const entry = run.record({
		agentId,
		actor: by ? { type: 'human', id: by } : { type: 'system', id: `workflow:${ctx.getWorkflow().id ?? ''}` },
		event: 'spend.reset',
		details: { reason, cleared: cleared.map((c) => ledgerDetail(c.before)) },
	});
	return {
		route: 0,
		item: { json: { ...item.json }, pairedItem: { item: i } },
		agentId,
		decision: 'reset',
		reasons: [{ code: 'spend_reset', message: `Spending of "${agentId}" set to zero for the current period: ${reason}` }],
		entry,
		spend: spendSummary(undefined, cleared.map((c) => c.before), { reset: true }),
	};
}
