import { SpendInputError, decideReservation, parseCaps } from '../../../lib/spend';

describe('decideReservation', () => {
	const state = (spentMicro: number, reservedMicro = 0) => ({ spentMicro, reservedMicro });

	test('within, warning at the threshold, over past the limit', () => {
		expect(decideReservation(1_000_000, state(0), 100_000)).toBe('within');
		expect(decideReservation(1_000_000, state(700_000), 99_999)).toBe('within');
		expect(decideReservation(1_000_000, state(700_000), 100_000)).toBe('warning'); // exactly 80%
		expect(decideReservation(1_000_000, state(900_000), 100_000)).toBe('warning'); // exactly the limit is allowed
		expect(decideReservation(1_000_000, state(900_000), 100_001)).toBe('over');
	});

	test('holds of running reservations count like spending', () => {
		expect(decideReservation(10, state(4, 5), 1)).toBe('warning');
		expect(decideReservation(10, state(4, 5), 2)).toBe('over');
		expect(decideReservation(10, state(0, 11), 0)).toBe('over');
	});

	test('the warning ratio is the builder’s, from 0 (always warn) to 1 (warn only at the limit)', () => {
		expect(decideReservation(100, state(50), 0, 0.5)).toBe('warning');
		expect(decideReservation(100, state(49), 0, 0.5)).toBe('within');
		expect(decideReservation(100, state(0), 0, 0)).toBe('warning');
		expect(decideReservation(100, state(99), 0, 1)).toBe('within');
		expect(decideReservation(100, state(100), 0, 1)).toBe('warning');
		// 0.29 × 100 is 28.999999999999996 as a float; the comparison is exact.
		expect(decideReservation(100, state(29), 0, 0.29)).toBe('warning');
		expect(decideReservation(100, state(28), 0, 0.29)).toBe('within');
	});

	test('a zero cap refuses everything but an empty request', () => {
		expect(decideReservation(0, state(0), 1)).toBe('over');
		expect(decideReservation(0, state(0), 0)).toBe('warning');
	});

	test('sums past 2^53 are exact, so large amounts cannot round their way under a limit', () => {
		const max = Number.MAX_SAFE_INTEGER;
		expect(decideReservation(max, state(max), 0)).toBe('warning');
		expect(decideReservation(max, state(max), 1)).toBe('over');
		expect(decideReservation(max, state(max - 1, 1), 1)).toBe('over');
	});

	test.each([
		[() => decideReservation(-1, { spentMicro: 0, reservedMicro: 0 }, 0), 'limitMicro'],
		[() => decideReservation(10, { spentMicro: 0.5, reservedMicro: 0 }, 0), 'spentMicro'],
		[() => decideReservation(10, { spentMicro: 0, reservedMicro: Number.NaN }, 0), 'reservedMicro'],
		[() => decideReservation(10, { spentMicro: 0, reservedMicro: 0 }, 2 ** 53), 'requestMicro'],
		[() => decideReservation(10, { spentMicro: 0, reservedMicro: 0 }, 1, 1.5), 'warnRatio'],
		[() => decideReservation(10, null as unknown as { spentMicro: number; reservedMicro: number }, 1), 'state'],
	])('bad input is an error, never a decision (%#)', (call, field) => {
		expect(call).toThrow(SpendInputError);
		expect(call).toThrow(expect.objectContaining({ field }));
	});
});

describe('parseCaps', () => {
	test('reads rows into caps in micro-units', () => {
		expect(
			parseCaps([
				{ unit: 'usd', limit: '5', period: 'day', timeZone: 'Europe/Berlin' },
				{ unit: 'tokens', limit: 200000, period: 'hour', timeZone: 'asia/kolkata' },
				{ unit: 'runs', limit: 100, period: 'rolling24h', timeZone: 'Europe/Berlin' },
				{ unit: 'writes', limit: '10', period: 'execution' },
				{ unit: 'USD', limit: 0.29, period: 'execution' },
			]),
		).toEqual([
			{ unit: 'usd', limitMicro: 5_000_000, period: { kind: 'day', timeZone: 'Europe/Berlin' } },
			{ unit: 'tokens', limitMicro: 200_000, period: { kind: 'hour', timeZone: 'Asia/Kolkata' } },
			{ unit: 'runs', limitMicro: 100, period: { kind: 'rolling24h' } },
			{ unit: 'writes', limitMicro: 10, period: { kind: 'execution' } },
			{ unit: 'usd', limitMicro: 290_000, period: { kind: 'execution' } },
		]);
	});

	test('daily and hourly caps without a zone use the workflow zone, and fail without one', () => {
		expect(parseCaps([{ unit: 'usd', limit: 1, period: 'day' }], 'America/New_York')[0].period).toEqual({ kind: 'day', timeZone: 'America/New_York' });
		expect(parseCaps([{ unit: 'usd', limit: 1, period: 'day', timeZone: 'UTC' }], 'America/New_York')[0].period).toEqual({ kind: 'day', timeZone: 'UTC' });
		expect(() => parseCaps([{ unit: 'usd', limit: 1, period: 'hour' }])).toThrow(expect.objectContaining({ field: 'caps[1].timeZone' }));
	});

	test.each([
		[[{ unit: 'usd', limit: 1, period: 'day', timeZone: 'UTC' }, { unit: 'usd', limit: -2, period: 'hour', timeZone: 'UTC' }], 'caps[2].limit', /^Cap 2, limit: must not be negative, got -2$/],
		[[{ unit: 'usd', limit: '', period: 'day', timeZone: 'UTC' }], 'caps[1].limit', /Cap 1, limit: is empty/],
		[[{ unit: 'tokens', limit: 1.5, period: 'day', timeZone: 'UTC' }], 'caps[1].limit', /whole numbers/],
		[[{ unit: 'euros', limit: 1, period: 'day' }], 'caps[1].unit', /Cap 1, unit: must be one of usd, tokens, runs, writes, got "euros"/],
		[[{ limit: 1, period: 'day' }], 'caps[1].unit', /got nothing/],
		[[{ unit: 'runs', limit: 1, period: 'week' }], 'caps[1].period', /must be one of day, hour, rolling24h, execution, got "week"/],
		[[{ unit: 'runs', limit: 1, period: 'day', timeZone: 'Berlin' }], 'caps[1].timeZone', /Cap 1, timeZone: .*Europe\/Berlin/],
		[[{ unit: 'runs', limit: 1, period: 'day', timeZone: 'UTC' }, 'row'], 'caps[2]', /Cap 2: must be a row/],
		[
			[
				{ unit: 'usd', limit: 5, period: 'day', timeZone: 'UTC' },
				{ unit: 'runs', limit: 5, period: 'day', timeZone: 'UTC' },
				{ unit: 'usd', limit: 9, period: 'day', timeZone: 'Europe/Berlin' },
			],
			'caps[3].period',
			/Cap 3: cap 1 already limits usd per day \(\$9.00 here\); keep one row per unit and period/,
		],
		[[], 'caps', /No caps are set/],
		[{ unit: 'usd' }, 'caps', /must be a list of rows/],
	])('a bad row fails with the row and field named (%#)', (rows, field, message) => {
		let error: unknown;
		try {
			parseCaps(rows);
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(SpendInputError);
		expect(error).toMatchObject({ field, code: 'invalid_amount' });
		expect((error as Error).message).toMatch(message);
	});

	test('the same unit with different periods is fine', () => {
		expect(parseCaps([
			{ unit: 'usd', limit: 5, period: 'day', timeZone: 'UTC' },
			{ unit: 'usd', limit: 1, period: 'hour', timeZone: 'UTC' },
			{ unit: 'usd', limit: 0.5, period: 'execution' },
		])).toHaveLength(3);
	});
});
