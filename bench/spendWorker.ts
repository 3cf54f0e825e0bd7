/**
 * One Spend Cap caller process for bench/spend.bench.ts, a separate OS process like a second
 * n8n worker, using the built package (dist/lib).
 *
 *   spendWorker.js rate <keyPrefix> <ledgerKey> <retainUntil> <reservations> <inflight> <warm-up reservations>
 *     one RedisStore, `inflight` concurrent reserveSpend calls; warms up (JIT, script cache)
 *     on a ledger of its own, prints "ready", reserves on
 *     the first stdin line, prints one RateResult JSON line and exits.
 *   spendWorker.js overspend <keyPrefix> <ledgerKey> <retainUntil> <callers> <capMicro>
 *     `callers` RedisStores (one connection each); prints "ready"; on the first stdin line
 *     every caller reserves until refused, then one JSON line of ReservePhase[]; on the
 *     second line they settle or release, then one JSON line of SettlePhase[]; exits.
 */
import { RedisStore } from '../lib/store/redis';
import { LedgerRef } from '../lib/store/types';
import { BENCH_SECRET, COMMAND_TIMEOUT_MS, REDIS_HOST, REDIS_PORT } from './common';
import { reserveMany, reserveUntilRefused, settleOrRelease } from './spendCommon';

const waiting: Array<() => void> = [];
let pendingLines = 0;
let buffer = '';
process.stdin.on('data', (d: Buffer) => {
	buffer += d.toString();
	for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
		buffer = buffer.slice(nl + 1);
		const w = waiting.shift();
		if (w) w();
		else pendingLines++;
	}
});

function nextLine(): Promise<void> {
	if (pendingLines > 0) {
		pendingLines--;
		return Promise.resolve();
	}
	return new Promise((resolve) => waiting.push(resolve));
}

function positiveInt(text: string | undefined, what: string): number {
	const n = Number(text);
	if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${what} must be a positive integer, got ${String(text)}`);
	return n;
}

async function openStores(keyPrefix: string, n: number): Promise<RedisStore[]> {
	const stores: RedisStore[] = [];
	for (let i = 0; i < n; i++) stores.push(await RedisStore.open({ host: REDIS_HOST, port: REDIS_PORT, keyPrefix, secret: BENCH_SECRET, commandTimeoutMs: COMMAND_TIMEOUT_MS }));
	return stores;
}

async function main(): Promise<void> {
	const [mode, keyPrefix, ledgerKey, retainArg, countArg, lastArg, warmArg] = process.argv.slice(2);
	if ((mode !== 'rate' && mode !== 'overspend') || !keyPrefix || !ledgerKey) {
		throw new Error('usage: spendWorker.js rate|overspend <keyPrefix> <ledgerKey> <retainUntil> <reservations|callers> <inflight|capMicro> [<warm-up reservations>]');
	}
	const ledger: LedgerRef = { key: ledgerKey, retainUntil: positiveInt(retainArg, 'retainUntil') };
	const count = positiveInt(countArg, 'count');
	const last = positiveInt(lastArg, 'inflight or capMicro');
	if (mode === 'rate') {
		const [store] = await openStores(keyPrefix, 1);
		try {
			await reserveMany([store], { key: `${ledgerKey}:warm:${process.pid}`, retainUntil: ledger.retainUntil }, positiveInt(warmArg, 'warm-up reservations'), 1);
			process.stdout.write('ready\n');
			await nextLine();
			const result = await reserveMany([store], ledger, count, last);
			process.stdout.write(JSON.stringify(result) + '\n');
		} finally {
			await store.close();
		}
		return;
	}
	const stores = await openStores(keyPrefix, count);
	try {
		await Promise.all(stores.map((s) => s.ping()));
		process.stdout.write('ready\n');
		await nextLine();
		const reserved = await Promise.all(stores.map((s) => reserveUntilRefused(s, ledger, last)));
		process.stdout.write(JSON.stringify(reserved) + '\n');
		await nextLine();
		const settled = await Promise.all(stores.map((s, i) => settleOrRelease(s, ledger, reserved[i].grants)));
		process.stdout.write(JSON.stringify(settled) + '\n');
	} finally {
		await Promise.all(stores.map((s) => s.close()));
	}
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
		process.exit(1);
	},
);
