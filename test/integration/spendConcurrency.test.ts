import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { checkAndReserve, recordUsage, spendStatus } from '../../lib/spend/spendCap';
import { openStore, closeAllStores } from '../../lib/store/open';
import { RedisStore } from '../../lib/store/redis';
import { StoreUnavailableError } from '../../lib/store/types';
import { PrivateRedis } from '../helpers/privateRedis';
import { REPO, requireBuild, runCliProcess, start } from '../helpers/processes';
import { TEST_REDIS, TEST_SECRET, tempDir } from '../helpers/stores';

const WORKER = join(REPO, 'test', 'integration', 'workers', 'reserveWorker.js');
const usdPerDay = (limitDollars: number, timeZone = 'UTC') => [{ unit: 'usd' as const, limitMicro: limitDollars * 1_000_000, period: { kind: 'day' as const, timeZone } }];

afterAll(closeAllStores);

describe.each([
	['redis', () => ({ target: TEST_REDIS.toString(), prefix: `agtest:${randomUUID()}` })],
	['embedded', () => ({ target: tempDir(), prefix: '' })],
])('spend caps across processes (%s)', (backend, where) => {
	test('50 concurrent reservations of $0.10 against a $1.00 cap, from 5 processes, grant exactly 10', async () => {
		requireBuild();
		const { target, prefix } = where();
		const workers = Array.from({ length: 5 }, () => start(process.execPath, [WORKER, backend, target, prefix, '10', TEST_SECRET]));
		await new Promise((r) => setTimeout(r, 1500));
		for (const w of workers) w.child.stdin?.end('go\n');
		const results = await Promise.all(workers.map((w) => w.done));
		for (const r of results) expect(r.code).toBe(0);
		const granted = results.reduce((sum, r) => sum + (JSON.parse(r.stdout) as { granted: number }).granted, 0);
		expect(granted).toBe(10);
		const store = await openStore(backend === 'redis' ? { backend: 'redis', url: target, keyPrefix: prefix, secret: TEST_SECRET } : { backend: 'embedded', dir: target, secret: TEST_SECRET });
		const [status] = await spendStatus(store, 'shared-bot', usdPerDay(1, 'Europe/Berlin'), Date.now());
		expect(status).toMatchObject({ spentMicro: 0, reservedMicro: 1_000_000, remainingMicro: 0 });
	}, 120_000);
});

test('Redis stopped mid-run: reservations and settlements fail within a second with store_unavailable; after it returns the totals are exact', async () => {
	const redis = await PrivateRedis.create(tempDir('redis'));
	await redis.start();
	const store = await RedisStore.open({ url: redis.url, secret: TEST_SECRET });
	const caps = usdPerDay(10);
	try {
		const first = await checkAndReserve(store, { agentId: 'bot', caps, amounts: { usd: 500_000 }, holdMs: 60_000, warnRatio: 0.8, now: Date.now() });
		await recordUsage(store, { agentId: 'bot', reservationId: first.reservationId, actual: { usd: 300_000 }, caps, now: Date.now() });
		await redis.stop();
		for (const op of [
			() => checkAndReserve(store, { agentId: 'bot', caps, amounts: { usd: 500_000 }, holdMs: 60_000, warnRatio: 0.8, now: Date.now() }),
			() => recordUsage(store, { agentId: 'bot', reservationId: first.reservationId, actual: { usd: 300_000 }, caps, now: Date.now() }),
		]) {
			const started = Date.now();
			const error = await op().then(() => undefined, (e: unknown) => e);
			expect(error).toBeInstanceOf(StoreUnavailableError);
			expect(Date.now() - started).toBeLessThan(1000);
		}
		await redis.start();
		let settled = false;
		for (let i = 0; i < 40 && !settled; i++) {
			// The settlement that failed is sent again: it must not charge twice.
			settled = await recordUsage(store, { agentId: 'bot', reservationId: first.reservationId, actual: { usd: 300_000 }, caps, now: Date.now() }).then((r) => r.replayed, () => false);
			if (!settled) await new Promise((r) => setTimeout(r, 100));
		}
		expect(settled).toBe(true);
		const [status] = await spendStatus(store, 'bot', caps, Date.now());
		expect(status).toMatchObject({ spentMicro: 300_000, reservedMicro: 0 });
	} finally {
		await store.close();
		await redis.stop();
	}
}, 30_000);

test('at local midnight in a non-UTC zone the day rolls over: yesterday is full, today starts from zero', async () => {
	const store = await openStore({ backend: 'embedded', dir: tempDir(), secret: TEST_SECRET });
	const caps = usdPerDay(1, 'Asia/Tokyo');
	const beforeMidnight = Date.parse('2026-11-30T14:59:59.999Z'); // 23:59:59.999 in Tokyo
	const atMidnight = beforeMidnight + 1;
	const full = await checkAndReserve(store, { agentId: 'tokyo-bot', caps, amounts: { usd: 1_000_000 }, holdMs: 3_600_000, warnRatio: 0.8, now: beforeMidnight });
	expect(full.verdict).toBe('warning');
	expect((await checkAndReserve(store, { agentId: 'tokyo-bot', caps, amounts: { usd: 1 }, holdMs: 3_600_000, warnRatio: 0.8, now: beforeMidnight })).verdict).toBe('over_cap');
	const next = await checkAndReserve(store, { agentId: 'tokyo-bot', caps, amounts: { usd: 100_000 }, holdMs: 3_600_000, warnRatio: 0.8, now: atMidnight });
	expect(next.verdict).toBe('within');
	expect(next.caps[0]).toMatchObject({ periodKey: 'day:2026-12-01@Asia/Tokyo', reservedMicro: 100_000, periodEnd: '2026-12-01T15:00:00.000Z' });
});

test('agent-guard spend status and reset show and clear a period, and the reset is in the trail', async () => {
	requireBuild();
	const dir = tempDir();
	const env = { ...process.env, AGENT_GUARD_SECRET: TEST_SECRET, AGENT_GUARD_REDIS_URL: '' };
	const store = await openStore({ backend: 'embedded', dir, secret: TEST_SECRET });
	const caps = usdPerDay(5, 'Europe/Berlin');
	const r = await checkAndReserve(store, { agentId: 'cli-bot', caps, amounts: { usd: 2_000_000 }, holdMs: 60_000, warnRatio: 0.8, now: Date.now() });
	await recordUsage(store, { agentId: 'cli-bot', reservationId: r.reservationId, actual: { usd: 1_250_000 }, caps, now: Date.now() });
	const status = await runCliProcess(['spend', 'status', 'cli-bot', '--cap', 'usd:5/day@Europe/Berlin', '--dir', dir, '--json'], env);
	expect(status.code).toBe(0);
	expect(JSON.parse(status.stdout)).toMatchObject({ agentId: 'cli-bot', caps: [{ unit: 'usd', spent: '$1.25', remaining: '$3.75' }] });
	expect((await runCliProcess(['spend', 'reset', 'cli-bot', '--cap', 'usd:5/day@Europe/Berlin', '--dir', dir], env)).code).toBe(2);
	const reset = await runCliProcess(['spend', 'reset', 'cli-bot', '--cap', 'usd:5/day@Europe/Berlin', '--reason', 'refund from vendor', '--by', 'cfo@acme.test', '--dir', dir, '--json'], env);
	expect(reset.code).toBe(0);
	expect(JSON.parse(reset.stdout).caps[0]).toMatchObject({ spentMicro: 0 });
	const trail = await store.query({ event: 'spend.reset' });
	expect(trail.entries.map((e) => [e.actor.id, (e.details as { reason: string }).reason])).toEqual([['cfo@acme.test', 'refund from vendor']]);
	expect((await runCliProcess(['spend', 'status', 'cli-bot', '--cap', 'usd:5/fortnight', '--dir', dir], env)).code).toBe(2);
});
