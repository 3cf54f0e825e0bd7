import { GuardStore, ReserveRequest } from '../../lib/store/types';
import { storeFactories } from '../helpers/stores';

/** Spend ledgers and versioned documents behave the same on both stores. */
const T0 = Date.UTC(2026, 10, 30, 9, 0, 0);
const DAY = 86_400_000;
const usd = (dollars: number) => Math.round(dollars * 1_000_000);
const ledger = (key: string, limit: number, amount: number, extra: Partial<ReserveRequest> = {}): ReserveRequest => ({
	key,
	limitMicro: limit,
	amountMicro: amount,
	retainUntil: T0 + 2 * DAY,
	...extra,
});

describe.each(storeFactories())('GuardStore state contract: $name', (factory) => {
	const opened: GuardStore[] = [];
	const open = async (same = false) => {
		const s = await factory.open(same);
		opened.push(s);
		return s;
	};
	afterEach(async () => {
		await Promise.all(opened.splice(0).map((s) => s.close()));
	});

	test('reservations are granted until the next one would exceed the cap, then refused naming the ledger', async () => {
		const store = await open();
		const outcomes = [];
		for (let i = 0; i < 12; i++) outcomes.push(await store.reserveSpend(`r${i}`, [ledger('bot|usd|day', usd(1), usd(0.1))], T0 + 60_000, T0));
		expect(outcomes.filter((o) => o.granted)).toHaveLength(10);
		expect(outcomes[10]).toMatchObject({ granted: false, blockedBy: 'bot|usd|day', ledgers: [{ spentMicro: 0, reservedMicro: usd(1) }] });
	});

	test('a reservation across two ledgers is all or nothing', async () => {
		const store = await open();
		await store.reserveSpend('w1', [ledger('bot|writes|day', 1, 1)], T0 + 60_000, T0);
		const second = await store.reserveSpend('both', [ledger('bot|usd|day', usd(5), usd(1)), ledger('bot|writes|day', 1, 1)], T0 + 60_000, T0);
		expect(second).toMatchObject({ granted: false, blockedBy: 'bot|writes|day' });
		expect(await store.spendStatus([{ key: 'bot|usd|day', retainUntil: 0 }], T0)).toEqual([{ key: 'bot|usd|day', spentMicro: 0, reservedMicro: 0 }]);
	});

	test('the same reservation id sent twice is charged once', async () => {
		const store = await open();
		const first = await store.reserveSpend('same', [ledger('bot|usd|day', usd(1), usd(0.4))], T0 + 60_000, T0);
		const again = await store.reserveSpend('same', [ledger('bot|usd|day', usd(1), usd(0.4))], T0 + 60_000, T0);
		expect(first).toMatchObject({ granted: true, replayed: false });
		expect(again).toMatchObject({ granted: true, replayed: true, ledgers: [{ reservedMicro: usd(0.4) }] });
		const settled = await store.settleSpend('same', [{ key: 'bot|usd|day', actualMicro: usd(0.25), retainUntil: T0 + DAY }], T0 + 1000);
		const settledAgain = await store.settleSpend('same', [{ key: 'bot|usd|day', actualMicro: usd(0.25), retainUntil: T0 + DAY }], T0 + 1000);
		expect(settled).toMatchObject({ replayed: false, late: false, ledgers: [{ spentMicro: usd(0.25), reservedMicro: 0 }] });
		expect(settledAgain).toMatchObject({ replayed: true, ledgers: [{ spentMicro: usd(0.25), reservedMicro: 0 }] });
		// A reserve re-sent after its settle must not hold budget again.
		expect(await store.reserveSpend('same', [ledger('bot|usd|day', usd(1), usd(0.4))], T0 + 60_000, T0 + 2000)).toMatchObject({ replayed: true, ledgers: [{ reservedMicro: 0 }] });
	});

	test('settling without an amount charges what was held; settling with 0 releases it', async () => {
		const store = await open();
		await store.reserveSpend('run1', [ledger('bot|runs|day', 10, 1)], T0 + 60_000, T0);
		await store.reserveSpend('run2', [ledger('bot|runs|day', 10, 1)], T0 + 60_000, T0);
		await store.settleSpend('run1', [{ key: 'bot|runs|day', retainUntil: T0 + DAY }], T0);
		const after = await store.settleSpend('run2', [{ key: 'bot|runs|day', actualMicro: 0, retainUntil: T0 + DAY }], T0);
		expect(after.ledgers).toEqual([{ key: 'bot|runs|day', spentMicro: 1, reservedMicro: 0 }]);
	});

	test('a hold that expires returns its budget, and a late settle is still charged', async () => {
		const store = await open();
		await store.reserveSpend('dies', [ledger('bot|usd|day', usd(1), usd(0.9))], T0 + 60_000, T0);
		expect(await store.reserveSpend('blocked', [ledger('bot|usd|day', usd(1), usd(0.2))], T0 + 60_000, T0 + 59_999)).toMatchObject({ granted: false });
		expect(await store.reserveSpend('later', [ledger('bot|usd|day', usd(1), usd(0.2))], T0 + 120_000, T0 + 60_000)).toMatchObject({ granted: true, ledgers: [{ reservedMicro: usd(0.2) }] });
		const late = await store.settleSpend('dies', [{ key: 'bot|usd|day', actualMicro: usd(0.5), retainUntil: T0 + DAY }], T0 + 70_000);
		expect(late).toMatchObject({ late: true, ledgers: [{ spentMicro: usd(0.5), reservedMicro: usd(0.2) }] });
	});

	test('a rolling window forgets spending older than the window', async () => {
		const store = await open();
		const rolling = { key: 'bot|usd|rolling24h', windowMs: DAY, retainUntil: T0 + 3 * DAY };
		await store.settleSpend('a', [{ ...rolling, actualMicro: usd(0.3) }], T0);
		await store.settleSpend('b', [{ ...rolling, actualMicro: usd(0.2) }], T0 + 12 * 3_600_000);
		expect((await store.spendStatus([rolling], T0 + DAY - 1))[0].spentMicro).toBe(usd(0.5));
		expect((await store.spendStatus([rolling], T0 + DAY))[0].spentMicro).toBe(usd(0.2));
		expect((await store.spendStatus([rolling], T0 + 36 * 3_600_000))[0].spentMicro).toBe(0);
	});

	test('reset zeroes spending, keeps holds in flight, and reports what it cleared', async () => {
		const store = await open();
		await store.settleSpend('a', [{ key: 'bot|usd|day', actualMicro: usd(0.7), retainUntil: T0 + DAY }], T0);
		await store.reserveSpend('b', [ledger('bot|usd|day', usd(1), usd(0.2))], T0 + 60_000, T0);
		expect(await store.resetSpend({ key: 'bot|usd|day', retainUntil: T0 + DAY }, T0)).toEqual({ key: 'bot|usd|day', spentMicro: usd(0.7), reservedMicro: usd(0.2) });
		expect(await store.spendStatus([{ key: 'bot|usd|day', retainUntil: 0 }], T0)).toEqual([{ key: 'bot|usd|day', spentMicro: 0, reservedMicro: usd(0.2) }]);
	});

	test('amounts beyond 2^32 micro-units stay exact', async () => {
		const store = await open();
		const big = 4_000_000_000_000; // four million dollars in micro-dollars
		const r = await store.reserveSpend('big', [ledger('bot|usd|day', big * 2, big)], T0 + 60_000, T0);
		expect(r.ledgers[0].reservedMicro).toBe(big);
		const s = await store.settleSpend('big', [{ key: 'bot|usd|day', actualMicro: big + 1, retainUntil: T0 + DAY }], T0);
		expect(s.ledgers[0]).toMatchObject({ spentMicro: big + 1, reservedMicro: 0 });
	});

	test('a second handle sees the same ledgers (another worker or the CLI)', async () => {
		const store = await open();
		await store.reserveSpend('x', [ledger('bot|usd|day', usd(1), usd(0.6))], T0 + 60_000, T0);
		const other = await open(true);
		expect(await other.reserveSpend('y', [ledger('bot|usd|day', usd(1), usd(0.6))], T0 + 60_000, T0)).toMatchObject({ granted: false });
	});

	test('documents are written with compare-and-set: a stale version loses', async () => {
		const store = await open();
		const retain = { retainUntil: Date.now() + DAY };
		expect(await store.putDoc('approval', 'a1', '{"v":1}', 0, retain)).toBe(true);
		expect(await store.putDoc('approval', 'a1', '{"v":"again"}', 0, retain)).toBe(false);
		expect(await store.getDoc('approval', 'a1')).toEqual({ version: 1, body: '{"v":1}' });
		expect(await store.putDoc('approval', 'a1', '{"v":2}', 1, retain)).toBe(true);
		expect(await store.putDoc('approval', 'a1', '{"v":"late"}', 1, retain)).toBe(false);
		expect(await store.getDoc('approval', 'a1')).toEqual({ version: 2, body: '{"v":2}' });
		expect(await store.getDoc('approval', 'missing')).toBeUndefined();
	});

	test('documents with a due time are listed once due, and no longer after a rewrite without one', async () => {
		const store = await open();
		const now = Date.now();
		const retain = now + DAY;
		await store.putDoc('approval', 'due-soon', '{}', 0, { retainUntil: retain, dueAt: now - 10 });
		await store.putDoc('approval', 'due-later', '{}', 0, { retainUntil: retain, dueAt: now + 60_000 });
		await store.putDoc('other', 'due-soon', '{}', 0, { retainUntil: retain, dueAt: now - 10 });
		expect(await store.dueDocs('approval', now, 10)).toEqual(['due-soon']);
		await store.putDoc('approval', 'due-soon', '{"closed":true}', 1, { retainUntil: retain });
		expect(await store.dueDocs('approval', now, 10)).toEqual([]);
	});

	test('50 concurrent reservations of $0.10 against a $1.00 cap grant exactly 10', async () => {
		const store = await open();
		const outcomes = await Promise.all(
			Array.from({ length: 50 }, (_, i) => store.reserveSpend(`c${i}`, [ledger('bot|usd|day', usd(1), usd(0.1))], T0 + 60_000, T0)),
		);
		expect(outcomes.filter((o) => o.granted)).toHaveLength(10);
	});
});

describe('spend ledgers in Redis expire', () => {
	test('every key a reservation, a settlement and a reset leave behind has an expiry', async () => {
		const { RedisStore } = await import('../../lib/store/redis');
		const { redisOptions } = await import('../helpers/stores');
		const Redis = (await import('ioredis')).default;
		const options = redisOptions();
		const store = await RedisStore.open(options);
		const raw = new Redis({ host: options.host, port: options.port, db: options.db });
		try {
			const now = Date.now();
			const rolling = { key: 'bot|usd|rolling24h', windowMs: DAY, retainUntil: now + 2 * DAY };
			await store.reserveSpend('r1', [{ ...rolling, limitMicro: usd(5), amountMicro: usd(1) }], now + 60_000, now);
			await store.settleSpend('r1', [{ ...rolling, actualMicro: usd(0.5) }], now);
			await store.reserveSpend('r2', [{ ...rolling, limitMicro: usd(5), amountMicro: usd(1) }], now + 60_000, now);
			await store.resetSpend(rolling, now);
			const keys = await raw.keys(`${options.keyPrefix}:spend:*`);
			expect(keys.length).toBeGreaterThanOrEqual(2);
			for (const key of keys) expect(await raw.pttl(key)).toBeGreaterThan(DAY);
		} finally {
			raw.disconnect();
			await store.close();
		}
	});
});
