import { MICRO_PER_USD, SpendInputError, formatAmount, fromMicro, toMicro } from '../../../lib/spend';

describe('toMicro', () => {
	test('USD becomes exact micro-dollars, without float error', () => {
		expect(toMicro('usd', 0.1, 'limit')).toBe(100_000);
		expect(toMicro('usd', 0.29, 'limit')).toBe(290_000);
		expect(toMicro('usd', '0.10', 'limit')).toBe(100_000);
		expect(toMicro('usd', '1e-3', 'limit')).toBe(1_000);
		expect(toMicro('usd', 1.1 + 2.2, 'limit')).toBe(3_300_000); // 3.3000000000000003 rounds to the micro-dollar
		expect(toMicro('usd', ' 12.5 ', 'limit')).toBe(12_500_000);
		expect(toMicro('usd', '.5', 'limit')).toBe(500_000);
		expect(toMicro('usd', '+2', 'limit')).toBe(2 * MICRO_PER_USD);
		expect(toMicro('usd', 1e-7, 'limit')).toBe(0);
		expect(toMicro('usd', 0, 'limit')).toBe(0);
		expect(toMicro('usd', -0, 'limit')).toBe(0);
		expect(toMicro('usd', '1.5E+3', 'limit')).toBe(1_500_000_000);
	});

	test('USD rounds half up to the nearest micro-dollar', () => {
		expect(toMicro('usd', '0.0000005', 'x')).toBe(1);
		expect(toMicro('usd', '0.00000049999', 'x')).toBe(0);
		expect(toMicro('usd', '0.0000015', 'x')).toBe(2);
		expect(toMicro('usd', '2.9999995', 'x')).toBe(3_000_000);
		expect(toMicro('usd', '1e-30', 'x')).toBe(0);
	});

	test('counts are whole numbers', () => {
		expect(toMicro('tokens', 1200, 'tokens')).toBe(1200);
		expect(toMicro('runs', '3', 'runs')).toBe(3);
		expect(toMicro('writes', '1.0', 'writes')).toBe(1);
		expect(toMicro('tokens', '1.2e3', 'tokens')).toBe(1200);
		expect(() => toMicro('tokens', 1.5, 'caps[1].limit')).toThrow('caps[1].limit: tokens are counted in whole numbers, got 1.5');
		expect(() => toMicro('runs', '1e-9', 'x')).toThrow(/whole numbers/);
	});

	test('the largest amount is Number.MAX_SAFE_INTEGER micro-units', () => {
		expect(toMicro('tokens', Number.MAX_SAFE_INTEGER, 'x')).toBe(Number.MAX_SAFE_INTEGER);
		expect(() => toMicro('tokens', '9007199254740992', 'x')).toThrow(/too large/);
		expect(toMicro('usd', '9007199254.740991', 'x')).toBe(Number.MAX_SAFE_INTEGER);
		expect(() => toMicro('usd', '9007199254.740992', 'x')).toThrow(/too large; amounts in USD can be at most \$9,007,199,254/);
		expect(() => toMicro('usd', 1e300, 'x')).toThrow(/too large/);
		expect(() => toMicro('usd', '1e99999', 'x')).toThrow(SpendInputError);
	});

	test.each([
		[-1, /must not be negative, got -1/],
		['-0.01', /must not be negative/],
		[Number.NaN, /finite number/],
		[Number.POSITIVE_INFINITY, /finite number/],
		['', /is empty; enter an amount such as 0.10/],
		['   ', /is empty/],
		['abc', /"abc" is not a number; write a plain number such as 0.10/],
		['$5', /without currency signs/],
		['1,000', /thousands separators/],
		['0x10', /is not a number/],
		['Infinity', /is not a number/],
		['.', /is not a number/],
		['1e', /is not a number/],
		[true, /must be a number such as 0.10, got boolean true/],
		[null, /got null/],
		[undefined, /got undefined/],
		[{}, /got an object/],
		[[1], /got a list/],
		['9'.repeat(101), /characters long/],
	])('%p is refused with a SpendInputError naming the field', (value, message) => {
		let error: unknown;
		try {
			toMicro('usd', value, 'caps[2].limit');
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(SpendInputError);
		expect(error).toMatchObject({ field: 'caps[2].limit', code: 'invalid_amount' });
		expect((error as Error).message).toMatch(message);
	});

	test('an unknown unit is refused', () => {
		expect(() => toMicro('euro' as 'usd', 1, 'x')).toThrow(/Unit must be one of usd, tokens, runs, writes/);
	});
});

describe('fromMicro and formatAmount', () => {
	test('fromMicro returns the unit a person reads', () => {
		expect(fromMicro('usd', 100_000)).toBe(0.1);
		expect(fromMicro('usd', 290_000)).toBe(0.29);
		expect(fromMicro('tokens', 1200)).toBe(1200);
		expect(() => fromMicro('usd', 1.5)).toThrow(SpendInputError);
		expect(() => fromMicro('runs', -1)).toThrow(/≥ 0/);
	});

	test('formatAmount shows cents always and sub-cent digits when present', () => {
		expect(formatAmount('usd', 100_000)).toBe('$0.10');
		expect(formatAmount('usd', 0)).toBe('$0.00');
		expect(formatAmount('usd', 5 * MICRO_PER_USD)).toBe('$5.00');
		expect(formatAmount('usd', 1_234_567_891)).toBe('$1,234.567891');
		expect(formatAmount('usd', 2_500)).toBe('$0.0025');
		expect(formatAmount('usd', 1)).toBe('$0.000001');
		expect(formatAmount('tokens', 1200)).toBe('1,200 tokens');
		expect(formatAmount('tokens', 1)).toBe('1 token');
		expect(formatAmount('runs', 0)).toBe('0 runs');
		expect(formatAmount('writes', 1_000_000)).toBe('1,000,000 writes');
	});

	test('toMicro and formatAmount round-trip typed amounts', () => {
		for (const typed of ['0.01', '0.10', '0.29', '1.00', '19.99', '1234.50', '0.000001']) {
			expect(formatAmount('usd', toMicro('usd', typed, 'x'))).toBe(`$${typed.replace(/^(\d)(\d{3})\./, '$1,$2.')}`);
		}
	});
});
