import { randomUUID } from 'node:crypto';
import { GuardStore, LedgerRef, LedgerState } from '../store/types';
import { SpendUnit, formatAmount } from './amounts';
import { SpendInputError } from './errors';
import { DAY_MS, PeriodSpec, periodFor } from './periods';

/**
 * What a Spend Cap node and the CLI do with a store: turn caps (unit, limit, period)
 * into ledgers, reserve before, settle after, report and reset. The arithmetic that must
 * be atomic runs inside the store; this module decides what to ask it.
 */
export interface CapRule {
	unit: SpendUnit;
	limitMicro: number;
	period: PeriodSpec;
}

export type SpendVerdict = 'within' | 'warning' | 'over_cap';

export interface CapStatus {
	unit: SpendUnit;
	period: string;
	periodKey: string;
	limit: string;
	spent: string;
	reserved: string;
	remaining: string;
	limitMicro: number;
	spentMicro: number;
	reservedMicro: number;
	remainingMicro: number;
	/** ISO time the period ends (calendar periods only). */
	periodEnd?: string;
	/** Share of the limit spent or held, 0..1 (rounded to 4 places). */
	used: number;
}

/** How long a ledger outlives its period, so last month's spending can still be reported. */
const RETAIN_AFTER_MS = 35 * DAY_MS;
/** The reservation record: which ledgers a hold is in, so Record Usage settles exactly those. */
export const RESERVATION_DOC = 'spend-reservation';

/** A cap made concrete for now: its ledger. A stored reservation brings these back without the period rule. */
interface Resolved {
	cap: Pick<CapRule, 'unit' | 'limitMicro'>;
	ref: LedgerRef;
	label: string;
	end?: number;
}

function resolve(agentId: string, caps: CapRule[], now: number, executionId: string | undefined): Resolved[] {
	return caps.map((cap) => {
		const period = periodFor(cap.period, now, executionId);
		const retainUntil = period.end !== undefined ? period.end + RETAIN_AFTER_MS : now + (period.windowMs ?? 0) + RETAIN_AFTER_MS;
		return { cap, ref: { key: `${agentId}|${cap.unit}|${period.key}`, windowMs: period.windowMs, retainUntil }, label: period.label, end: period.end };
	});
}

function statusOf(r: Resolved, state: LedgerState): CapStatus {
	const { unit, limitMicro } = r.cap;
	const remainingMicro = Math.max(0, limitMicro - state.spentMicro - state.reservedMicro);
	return {
		unit,
		period: r.label,
		periodKey: r.ref.key.split('|').slice(2).join('|'),
		limit: formatAmount(unit, limitMicro),
		spent: formatAmount(unit, state.spentMicro),
		reserved: formatAmount(unit, state.reservedMicro),
		remaining: formatAmount(unit, remainingMicro),
		limitMicro,
		spentMicro: state.spentMicro,
		reservedMicro: state.reservedMicro,
		remainingMicro,
		periodEnd: r.end === undefined ? undefined : new Date(r.end).toISOString(),
		used: limitMicro === 0 ? 1 : Math.round(((state.spentMicro + state.reservedMicro) / limitMicro) * 10_000) / 10_000,
	};
}

export interface ReserveInput {
	agentId: string;
	caps: CapRule[];
	/** Amount to hold per unit, in micro-units; units without an amount hold 0. */
	amounts: Partial<Record<SpendUnit, number>>;
	holdMs: number;
	/** 0..1: at or above this share of a limit the verdict is `warning`. */
	warnRatio: number;
	now: number;
	executionId?: string;
	reservationId?: string;
}

export interface ReserveResult {
	verdict: SpendVerdict;
	reservationId: string;
	replayed: boolean;
	holdUntil: string;
	caps: CapStatus[];
	/** The cap the request would overrun. */
	blockedBy?: CapStatus;
}

export async function checkAndReserve(store: GuardStore, input: ReserveInput): Promise<ReserveResult> {
	if (input.caps.length === 0) throw new SpendInputError('caps', 'no cap is configured: add at least one cap (unit, limit, period); without one nothing would be capped');
	const resolved = resolve(input.agentId, input.caps, input.now, input.executionId);
	const reservationId = input.reservationId ?? randomUUID();
	const holdUntil = input.now + input.holdMs;
	const outcome = await store.reserveSpend(
		reservationId,
		resolved.map((r) => ({ ...r.ref, limitMicro: r.cap.limitMicro, amountMicro: input.amounts[r.cap.unit] ?? 0 })),
		holdUntil,
		input.now,
	);
	const caps = resolved.map((r, i) => statusOf(r, outcome.ledgers[i]));
	if (outcome.granted && !outcome.replayed) {
		// Which ledgers the hold is in travels with the reservation, not with the item, so an
		// AI Agent node that drops the item's fields cannot make Record Usage settle elsewhere.
		const doc = JSON.stringify({ agentId: input.agentId, ledgers: resolved.map((r) => ({ ...r.ref, unit: r.cap.unit, limitMicro: r.cap.limitMicro, label: r.label, end: r.end })) });
		await store.putDoc(RESERVATION_DOC, reservationId, doc, 0, { retainUntil: holdUntil + RETAIN_AFTER_MS });
	}
	const blocked = outcome.blockedBy === undefined ? undefined : caps[resolved.findIndex((r) => r.ref.key === outcome.blockedBy)];
	const verdict: SpendVerdict = !outcome.granted ? 'over_cap' : caps.some((c) => c.limitMicro === 0 || c.used >= input.warnRatio) ? 'warning' : 'within';
	return { verdict, reservationId, replayed: outcome.replayed, holdUntil: new Date(holdUntil).toISOString(), caps, blockedBy: blocked };
}

export interface UsageInput {
	agentId: string;
	reservationId?: string;
	/** Actual use per unit, micro-units; a unit left out settles the amount held (runs, writes). */
	actual: Partial<Record<SpendUnit, number>>;
	/** Used when there is no reservation (usage recorded without one, or its record is gone). */
	caps: CapRule[];
	now: number;
	executionId?: string;
}

export interface UsageResult {
	reservationId: string;
	replayed: boolean;
	/** No hold was found: charged all the same (the usage happened). */
	late: boolean;
	caps: CapStatus[];
	/** A cap is now at or past its limit. */
	exhausted: boolean;
}

export async function recordUsage(store: GuardStore, input: UsageInput): Promise<UsageResult> {
	const reservationId = input.reservationId || randomUUID();
	let resolved: Resolved[] | undefined;
	if (input.reservationId) {
		const doc = await store.getDoc(RESERVATION_DOC, input.reservationId);
		if (doc) {
			const saved = JSON.parse(doc.body) as { agentId: string; ledgers: Array<LedgerRef & { unit: SpendUnit; limitMicro: number; label: string; end?: number }> };
			if (saved.agentId !== input.agentId) {
				throw new SpendInputError('reservationId', `reservation ${input.reservationId} belongs to agent "${saved.agentId}", not "${input.agentId}": record usage with the Agent ID that reserved it`);
			}
			resolved = saved.ledgers.map((l) => ({
				cap: { unit: l.unit, limitMicro: l.limitMicro },
				ref: { key: l.key, windowMs: l.windowMs, retainUntil: Math.max(l.retainUntil, input.now + RETAIN_AFTER_MS) },
				label: l.label,
				end: l.end,
			}));
		}
	}
	if (!resolved) {
		if (input.caps.length === 0) throw new SpendInputError('caps', 'this usage has no reservation and no cap is configured here: add the caps to charge, or pass the reservation id from Check & Reserve');
		resolved = resolve(input.agentId, input.caps, input.now, input.executionId);
	}
	const outcome = await store.settleSpend(
		reservationId,
		resolved.map((r) => ({ ...r.ref, actualMicro: input.actual[r.cap.unit] })),
		input.now,
	);
	const caps = resolved.map((r, i) => statusOf(r, outcome.ledgers[i]));
	return { reservationId, replayed: outcome.replayed, late: outcome.late, caps, exhausted: caps.some((c) => c.spentMicro >= c.limitMicro) };
}

export async function spendStatus(store: GuardStore, agentId: string, caps: CapRule[], now: number, executionId?: string): Promise<CapStatus[]> {
	const resolved = resolve(agentId, caps, now, executionId);
	const states = await store.spendStatus(resolved.map((r) => r.ref), now);
	return resolved.map((r, i) => statusOf(r, states[i]));
}

export async function resetSpend(store: GuardStore, agentId: string, caps: CapRule[], now: number, executionId?: string): Promise<Array<{ before: CapStatus }>> {
	const resolved = resolve(agentId, caps, now, executionId);
	const out: Array<{ before: CapStatus }> = [];
	for (const r of resolved) out.push({ before: statusOf(r, await store.resetSpend(r.ref, now)) });
	return out;
}
