import { LedgerRef, LedgerState, ReserveOutcome, ReserveRequest, SettleOutcome, SettleRequest } from './types';

/**
 * Spend ledger semantics on plain objects: what EmbeddedStore runs under its lock, and
 * what the Redis scripts (redisSpendScripts.ts) do inside Redis. One contract suite
 * holds both to the same behaviour.
 */
export interface LedgerData {
	spent: number;
	reserved: number;
	/** reservation id → [amount held, expires at] */
	holds: Record<string, [number, number]>;
	/** reservation id → when it was settled: makes a re-sent settle or reserve a no-op. */
	settled: Record<string, number>;
	/** Rolling ledgers: [when, amount] of each charge still inside the window, oldest first. */
	charges: Array<[number, number]>;
	retainUntil: number;
}

/** How long a settled reservation id is remembered, so a command re-sent after a reconnect is recognised. */
export const SETTLED_MEMORY_MS = 86_400_000;

export type LedgerMap = Record<string, LedgerData>;

function ledgerOf(map: LedgerMap, ref: LedgerRef, now: number): LedgerData {
	let ledger = map[ref.key];
	if (!ledger) {
		ledger = { spent: 0, reserved: 0, holds: {}, settled: {}, charges: [], retainUntil: ref.retainUntil };
		map[ref.key] = ledger;
	}
	expire(ledger, ref, now);
	return ledger;
}

/** Releases holds whose time is up and forgets charges that left the rolling window. */
function expire(ledger: LedgerData, ref: LedgerRef, now: number): void {
	for (const [id, [amount, until]] of Object.entries(ledger.holds)) {
		if (until <= now) {
			ledger.reserved -= amount;
			delete ledger.holds[id];
		}
	}
	if (ref.windowMs) {
		const cutoff = now - ref.windowMs;
		let drop = 0;
		while (drop < ledger.charges.length && ledger.charges[drop][0] <= cutoff) ledger.spent -= ledger.charges[drop++][1];
		if (drop) ledger.charges.splice(0, drop);
	}
	for (const [id, at] of Object.entries(ledger.settled)) if (at <= now - SETTLED_MEMORY_MS) delete ledger.settled[id];
}

function stateOf(key: string, ledger: LedgerData): LedgerState {
	return { key, spentMicro: ledger.spent, reservedMicro: ledger.reserved };
}

function keep(ledger: LedgerData, until: number): void {
	if (until > ledger.retainUntil) ledger.retainUntil = until;
}

export function reserveIn(map: LedgerMap, reservationId: string, requests: ReserveRequest[], holdUntil: number, now: number): ReserveOutcome {
	const ledgers = requests.map((r) => ledgerOf(map, r, now));
	const states = () => requests.map((r, i) => stateOf(r.key, ledgers[i]));
	if (ledgers.some((l) => reservationId in l.holds || reservationId in l.settled)) return { granted: true, replayed: true, ledgers: states() };
	const blocked = requests.findIndex((r, i) => ledgers[i].spent + ledgers[i].reserved + r.amountMicro > r.limitMicro);
	if (blocked >= 0) return { granted: false, replayed: false, blockedBy: requests[blocked].key, ledgers: states() };
	requests.forEach((r, i) => {
		const ledger = ledgers[i];
		ledger.reserved += r.amountMicro;
		ledger.holds[reservationId] = [r.amountMicro, holdUntil];
		keep(ledger, Math.max(r.retainUntil, holdUntil));
	});
	return { granted: true, replayed: false, ledgers: states() };
}

export function settleIn(map: LedgerMap, reservationId: string, requests: SettleRequest[], now: number): SettleOutcome {
	const ledgers = requests.map((r) => ledgerOf(map, r, now));
	const states = () => requests.map((r, i) => stateOf(r.key, ledgers[i]));
	if (ledgers.some((l) => reservationId in l.settled)) return { replayed: true, late: false, ledgers: states() };
	let late = false;
	requests.forEach((r, i) => {
		const ledger = ledgers[i];
		const hold = ledger.holds[reservationId];
		if (hold) {
			ledger.reserved -= hold[0];
			delete ledger.holds[reservationId];
		} else late = true;
		const amount = r.actualMicro ?? hold?.[0] ?? 0;
		ledger.spent += amount;
		if (r.windowMs && amount > 0) ledger.charges.push([now, amount]);
		ledger.settled[reservationId] = now;
		keep(ledger, r.retainUntil);
	});
	return { replayed: false, late, ledgers: states() };
}

export function statusIn(map: LedgerMap, refs: LedgerRef[], now: number): LedgerState[] {
	return refs.map((r) => {
		const ledger = map[r.key];
		if (!ledger) return { key: r.key, spentMicro: 0, reservedMicro: 0 };
		expire(ledger, r, now);
		return stateOf(r.key, ledger);
	});
}

export function resetIn(map: LedgerMap, ref: LedgerRef, now: number): LedgerState {
	const ledger = ledgerOf(map, ref, now);
	const before = stateOf(ref.key, ledger);
	ledger.spent = 0;
	ledger.charges = [];
	keep(ledger, ref.retainUntil);
	return before;
}

/** Drops ledgers nobody needs any more (past their retention and holding nothing) and old settled ids of every ledger. */
export function pruneLedgers(map: LedgerMap, now: number): void {
	for (const [key, ledger] of Object.entries(map)) {
		if (ledger.retainUntil < now && Object.keys(ledger.holds).length === 0) delete map[key];
		else for (const [id, at] of Object.entries(ledger.settled)) if (at <= now - SETTLED_MEMORY_MS) delete ledger.settled[id];
	}
}
