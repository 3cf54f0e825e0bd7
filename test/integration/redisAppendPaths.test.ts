import Redis from 'ioredis';
import { RedisStore } from '../../lib/store/redis';
import { TEST_REDIS, redisOptions } from '../helpers/stores';

/**
 * RedisStore appends in one round trip when no one else is appending, and otherwise
 * queues entries in server order for whoever holds the seal lock. Both paths, and a
 * switch between them in mid-stream, must give one valid chain with nothing lost.
 */
const draft = (i: number, executionId = 'x') => ({ agentId: 'bot', executionId, actor: { type: 'agent' as const, id: 'bot' }, event: 'test.appended', details: { i } });

describe('Redis append paths', () => {
	let admin: Redis;
	beforeAll(() => {
		admin = new Redis(TEST_REDIS.toString());
	});
	afterAll(async () => {
		await admin.quit();
	});

	test('while the seal lock is held, appends queue in server order and are sealed once it is free', async () => {
		const options = redisOptions();
		const store = await RedisStore.open(options);
		const other = await RedisStore.open(options);
		try {
			await store.append([draft(0)]);
			// Someone (a crashed sealer) holds the lock for 300 ms: the one-round-trip path must step aside.
			await admin.set(`${options.keyPrefix}:seal`, 'someone-else', 'PX', 300);
			const started = Date.now();
			const results = await Promise.all([store.append([draft(1), draft(2)]), other.append([draft(3)]), store.append([draft(4)])]);
			expect(Date.now() - started).toBeGreaterThanOrEqual(250);
			const seqs = results.flat().map((e) => e.seq).sort((a, b) => a - b);
			expect(seqs).toEqual([2, 3, 4, 5]);
			expect(Number(await admin.hlen(`${options.keyPrefix}:pending`))).toBe(0);
			// And the direct path takes over again afterwards.
			const [after] = await other.append([draft(5)]);
			expect(after.seq).toBe(6);
			await expect(store.verify()).resolves.toMatchObject({ valid: true, entries: 6 });
			expect((await store.trace('x')).map((e) => (e.details as { i: number }).i).sort()).toEqual([0, 1, 2, 3, 4, 5]);
		} finally {
			await store.close();
			await other.close();
		}
	});

	test('two handles racing on the one-round-trip path retry against the new head and never fork', async () => {
		const options = redisOptions();
		const a = await RedisStore.open(options);
		const b = await RedisStore.open(options);
		try {
			const writes: Array<Promise<unknown>> = [];
			for (let i = 0; i < 30; i++) writes.push((i % 2 ? a : b).append([draft(i, `e${i % 3}`)]));
			await Promise.all(writes);
			await expect(a.verify()).resolves.toMatchObject({ valid: true, entries: 30 });
			const traced = [...(await a.trace('e0')), ...(await a.trace('e1')), ...(await a.trace('e2'))];
			expect(traced).toHaveLength(30);
		} finally {
			await a.close();
			await b.close();
		}
	});
});

describe('Redis data loss', () => {
	test('a trail that went back behind what this process wrote is refused, not silently restarted', async () => {
		const options = redisOptions();
		const store = await RedisStore.open(options);
		const admin = new Redis(TEST_REDIS.toString());
		try {
			await store.append([draft(1), draft(2), draft(3)]);
			const keys = await admin.keys(`${options.keyPrefix}:*`);
			await admin.del(...keys);
			await expect(store.append([draft(4)])).rejects.toThrow(/went back from seq 3 to seq 0: Redis lost data/);
			await expect(store.append([draft(5)])).rejects.toThrow(/Redis lost data/);
		} finally {
			await store.close();
			await admin.quit();
		}
	});
});
