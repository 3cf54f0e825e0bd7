/**
 * Shared by the Spend Cap benchmark driver (spend.bench.ts) and its caller processes
 * (spendWorker.ts): the ledger every measurement reserves in, the reservation loop and
 * the overspend caller, so that in-process and cross-process runs do exactly the same.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { MICRO_PER_USD } from '../lib/spend/amounts';
import { DAY_MS, PeriodSpec, periodFor } from '../lib/spend/periods';
import { GuardStateStore, LedgerRef } from '../lib/store/types';

/** How long a hold lasts: far beyond any run, so no hold expires during a measurement. */
export const HOLD_MS = 10 * 60_000;
/** A cap that never blocks the throughput runs (safe integer, 1e9 USD). */
export const NEVER_BLOCK_MICRO = 1_000_000_000 * MICRO_PER_USD;
/** What every throughput reservation holds: $0.25. */
export const RATE_AMOUNT_MICRO = 250_000;
/** Overspend callers reserve $0.01 to $0.50, uniformly. */
export const MIN_AMOUNT_MICRO = 10_000;
export const MAX_AMOUNT_MICRO = 500_000;

const PERIOD: PeriodSpec = { kind: 'day', timeZone: 'UTC' };

/** The ledger the Spend Cap node would use for `agentId`, unit USD, a UTC day (lib/spend/spendCap.ts `resolve`). */
export function benchLedger(agentId: string, now = Date.now()): LedgerRef {
	const period = periodFor(PERIOD, now);
	const end = period.end ?? now + DAY_MS;
	return { key: `${agentId}|usd|${period.key}`, windowMs: period.windowMs, retainUntil: end + 35 * DAY_MS };
}

// ---------------------------------------------------------------- throughput

export interface RateResult {
	ops: number;
	ms: number;
	/** Wall time of each reserveSpend call, ms. */
	latencies: number[];
	/** User + system CPU of this process while reserving, µs. */
	cpuUs: number;
}

/**
 * `total` reservations of RATE_AMOUNT_MICRO, `inflight` at a time (lane i uses stores[i % n]),
 * each with a fresh reservation id; every one must be granted.
 */
export async function reserveMany(stores: GuardStateStore[], ledger: LedgerRef, total: number, inflight: number): Promise<RateResult> {
	let next = 0;
	const latencies: number[] = new Array<number>(total);
	const lane = async (store: GuardStateStore): Promise<void> => {
		while (next < total) {
			const i = next++;
			const now = Date.now();
			const t = performance.now();
			const outcome = await store.reserveSpend(randomUUID(), [{ ...ledger, limitMicro: NEVER_BLOCK_MICRO, amountMicro: RATE_AMOUNT_MICRO }], now + HOLD_MS, now);
			latencies[i] = performance.now() - t;
			if (!outcome.granted || outcome.replayed) throw new Error(`reservation ${i} was ${outcome.granted ? 'replayed' : 'refused'} under a cap that cannot block`);
		}
	};
	const cpu0 = process.cpuUsage();
	const t0 = performance.now();
	await Promise.all(Array.from({ length: inflight }, (_, i) => lane(stores[i % stores.length])));
	const ms = performance.now() - t0;
	const cpu = process.cpuUsage(cpu0);
	return { ops: total, ms, latencies, cpuUs: cpu.user + cpu.system };
}

// ---------------------------------------------------------------- overspend

export interface Grant {
	id: string;
	amount: number;
}

/** One caller's reserve phase: what it was granted, the refusal that stopped it, and reply checks. */
export interface ReservePhase {
	grants: Grant[];
	/** Amount of the request that was refused (the caller stops there). */
	refusedAmount: number;
	/** Largest spent + reserved any grant reply reported. */
	maxSeenMicro: number;
	/** Replies that contradict the cap: a grant reporting spent + reserved > cap, or a refusal where the amount would have fitted. */
	violations: string[];
	replayed: number;
	ms: number;
}

/** One caller's settle phase. */
export interface SettlePhase {
	settled: number;
	released: number;
	/** Sum of the actual amounts this caller settled (released holds count 0). */
	actualMicro: number;
	late: number;
	replayed: number;
}

/** Reserves random amounts against `capMicro` until the first refusal. */
export async function reserveUntilRefused(store: GuardStateStore, ledger: LedgerRef, capMicro: number): Promise<ReservePhase> {
	const out: ReservePhase = { grants: [], refusedAmount: 0, maxSeenMicro: 0, violations: [], replayed: 0, ms: 0 };
	const t0 = performance.now();
	for (;;) {
		const amount = randomInt(MIN_AMOUNT_MICRO, MAX_AMOUNT_MICRO + 1);
		const id = randomUUID();
		const now = Date.now();
		const outcome = await store.reserveSpend(id, [{ ...ledger, limitMicro: capMicro, amountMicro: amount }], now + HOLD_MS, now);
		const state = outcome.ledgers[0];
		const seen = state.spentMicro + state.reservedMicro;
		if (outcome.replayed) out.replayed++;
		if (outcome.granted) {
			out.grants.push({ id, amount });
			if (seen > out.maxSeenMicro) out.maxSeenMicro = seen;
			if (seen > capMicro) out.violations.push(`grant of ${amount} reported spent+reserved ${seen} > cap ${capMicro}`);
		} else {
			out.refusedAmount = amount;
			if (seen + amount <= capMicro) out.violations.push(`refusal of ${amount} with spent+reserved ${seen}: it fitted under ${capMicro}`);
			break;
		}
	}
	out.ms = performance.now() - t0;
	return out;
}

/** Settles about 60% of `grants` with a random actual amount ≤ held, releases the others (actual 0). */
export async function settleOrRelease(store: GuardStateStore, ledger: LedgerRef, grants: Grant[]): Promise<SettlePhase> {
	const out: SettlePhase = { settled: 0, released: 0, actualMicro: 0, late: 0, replayed: 0 };
	for (const g of grants) {
		const settle = randomInt(0, 10) < 6;
		const actual = settle ? randomInt(0, g.amount + 1) : 0;
		const outcome = await store.settleSpend(g.id, [{ ...ledger, actualMicro: actual }], Date.now());
		if (outcome.late) out.late++;
		if (outcome.replayed) out.replayed++;
		else out.actualMicro += actual;
		if (settle) out.settled++;
		else out.released++;
	}
	return out;
}
