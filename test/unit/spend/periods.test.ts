import { DAY_MS, SpendInputError, calendarSpan, periodFor, validateTimeZone } from '../../../lib/spend';

const utc = (iso: string): number => Date.parse(iso);
const HOUR = 3_600_000;

describe('validateTimeZone', () => {
	test('accepts IANA names and fixes their letter case', () => {
		expect(validateTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
		expect(validateTimeZone(' europe/berlin ')).toBe('Europe/Berlin');
		expect(validateTimeZone('UTC')).toBe('UTC');
		expect(validateTimeZone('Asia/Kolkata')).toBe('Asia/Kolkata');
		expect(validateTimeZone('america/new_york')).toBe('America/New_York');
	});

	test.each([['Mars/Olympus'], [''], ['  '], [undefined], [42], ['x'.repeat(65)]])('refuses %p, naming timeZone and giving an example', (zone) => {
		let error: unknown;
		try {
			validateTimeZone(zone);
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(SpendInputError);
		expect(error).toMatchObject({ field: 'timeZone', code: 'invalid_amount' });
		expect((error as Error).message).toMatch(/Europe\/Berlin/);
	});
});

describe('periodFor: calendar day', () => {
	test('an ordinary day in Berlin runs from local midnight to local midnight', () => {
		expect(periodFor({ kind: 'day', timeZone: 'Europe/Berlin' }, utc('2026-11-30T10:00:00Z'))).toEqual({
			key: 'day:2026-11-30@Europe/Berlin',
			start: utc('2026-11-29T23:00:00Z'),
			end: utc('2026-11-30T23:00:00Z'),
			label: 'day 2026-11-30 (Europe/Berlin)',
		});
	});

	test('the key uses the zone as validated, so letter case does not split a ledger', () => {
		expect(periodFor({ kind: 'day', timeZone: 'europe/BERLIN' }, utc('2026-11-30T10:00:00Z')).key).toBe('day:2026-11-30@Europe/Berlin');
	});

	test('rolls over exactly at local midnight in Tokyo', () => {
		const spec = { kind: 'day' as const, timeZone: 'Asia/Tokyo' };
		const lastMs = periodFor(spec, utc('2026-11-30T14:59:59.999Z'));
		const firstMs = periodFor(spec, utc('2026-11-30T15:00:00.000Z'));
		expect(lastMs).toMatchObject({ key: 'day:2026-11-30@Asia/Tokyo', start: utc('2026-11-29T15:00:00Z'), end: utc('2026-11-30T15:00:00Z') });
		expect(firstMs).toMatchObject({ key: 'day:2026-12-01@Asia/Tokyo', start: utc('2026-11-30T15:00:00Z'), end: utc('2026-12-01T15:00:00Z') });
	});

	test('the day clocks spring forward in New York is 23 hours long', () => {
		const day = periodFor({ kind: 'day', timeZone: 'America/New_York' }, utc('2026-03-08T16:00:00Z'));
		expect(day).toMatchObject({ key: 'day:2026-03-08@America/New_York', start: utc('2026-03-08T05:00:00Z'), end: utc('2026-03-09T04:00:00Z') });
		expect(day.end! - day.start!).toBe(23 * HOUR);
		// Just before the change (01:59 EST) and just after it (03:00 EDT) are the same day.
		expect(periodFor({ kind: 'day', timeZone: 'America/New_York' }, utc('2026-03-08T06:59:00Z'))).toEqual(day);
		expect(periodFor({ kind: 'day', timeZone: 'America/New_York' }, utc('2026-03-08T07:00:00Z'))).toEqual(day);
	});

	test('the day clocks fall back in New York is 25 hours long', () => {
		const day = periodFor({ kind: 'day', timeZone: 'America/New_York' }, utc('2026-11-01T16:00:00Z'));
		expect(day).toMatchObject({ key: 'day:2026-11-01@America/New_York', start: utc('2026-11-01T04:00:00Z'), end: utc('2026-11-02T05:00:00Z') });
		expect(day.end! - day.start!).toBe(25 * HOUR);
	});

	test('a zone 5:45 ahead of UTC (Kathmandu) starts its day at 18:15 UTC', () => {
		expect(periodFor({ kind: 'day', timeZone: 'Asia/Kathmandu' }, utc('2026-11-30T00:00:00Z'))).toMatchObject({
			key: 'day:2026-11-30@Asia/Kathmandu',
			start: utc('2026-11-29T18:15:00Z'),
			end: utc('2026-11-30T18:15:00Z'),
		});
		expect(periodFor({ kind: 'day', timeZone: 'Asia/Kathmandu' }, utc('2026-11-30T18:14:59.999Z')).key).toBe('day:2026-11-30@Asia/Kathmandu');
		expect(periodFor({ kind: 'day', timeZone: 'Asia/Kathmandu' }, utc('2026-11-30T18:15:00Z')).key).toBe('day:2026-12-01@Asia/Kathmandu');
	});

	test('where midnight does not exist (Santiago skips 00:00–01:00), the day starts at 01:00', () => {
		const day = periodFor({ kind: 'day', timeZone: 'America/Santiago' }, utc('2026-09-06T12:00:00Z'));
		expect(day).toMatchObject({ key: 'day:2026-09-06@America/Santiago', start: utc('2026-09-06T04:00:00Z'), end: utc('2026-09-07T03:00:00Z') });
		expect(periodFor({ kind: 'day', timeZone: 'America/Santiago' }, utc('2026-09-06T03:59:59.999Z')).key).toBe('day:2026-09-05@America/Santiago');
	});
});

describe('periodFor: calendar hour', () => {
	test('an hour in Kolkata (UTC+5:30) starts at half past in UTC', () => {
		expect(periodFor({ kind: 'hour', timeZone: 'Asia/Kolkata' }, utc('2026-11-30T03:45:00Z'))).toEqual({
			key: 'hour:2026-11-30T09@Asia/Kolkata',
			start: utc('2026-11-30T03:30:00Z'),
			end: utc('2026-11-30T04:30:00Z'),
			label: 'hour 09:00 on 2026-11-30 (Asia/Kolkata)',
		});
	});

	test('an hour in Kathmandu (UTC+5:45)', () => {
		expect(periodFor({ kind: 'hour', timeZone: 'Asia/Kathmandu' }, utc('2026-11-30T00:00:00Z'))).toMatchObject({
			key: 'hour:2026-11-30T05@Asia/Kathmandu',
			start: utc('2026-11-29T23:15:00Z'),
			end: utc('2026-11-30T00:15:00Z'),
		});
	});

	test('spring forward: 01:00 EST is followed directly by 03:00 EDT', () => {
		const spec = { kind: 'hour' as const, timeZone: 'America/New_York' };
		expect(periodFor(spec, utc('2026-03-08T06:30:00Z'))).toMatchObject({ key: 'hour:2026-03-08T01@America/New_York', start: utc('2026-03-08T06:00:00Z'), end: utc('2026-03-08T07:00:00Z') });
		expect(periodFor(spec, utc('2026-03-08T07:30:00Z'))).toMatchObject({ key: 'hour:2026-03-08T03@America/New_York', start: utc('2026-03-08T07:00:00Z'), end: utc('2026-03-08T08:00:00Z') });
	});

	test('fall back: the repeated 01:00 hour is one two-hour period with one key', () => {
		const spec = { kind: 'hour' as const, timeZone: 'America/New_York' };
		const first = periodFor(spec, utc('2026-11-01T05:30:00Z')); // 01:30 EDT
		const second = periodFor(spec, utc('2026-11-01T06:30:00Z')); // 01:30 EST
		const expected = { key: 'hour:2026-11-01T01@America/New_York', start: utc('2026-11-01T05:00:00Z'), end: utc('2026-11-01T07:00:00Z') };
		expect(first).toMatchObject(expected);
		expect(second).toMatchObject(expected);
	});

	test('a half-hour clock change (Lord Howe) makes a 30-minute hour', () => {
		expect(periodFor({ kind: 'hour', timeZone: 'Australia/Lord_Howe' }, utc('2026-10-03T15:40:00Z'))).toMatchObject({
			key: 'hour:2026-10-04T02@Australia/Lord_Howe',
			start: utc('2026-10-03T15:30:00Z'),
			end: utc('2026-10-03T16:00:00Z'),
		});
	});
});

describe('calendar periods are exactly the span of their key', () => {
	/** An independent reading of the local date and hour, to check the computed bounds against. */
	const oracles = new Map<string, Intl.DateTimeFormat>();
	const localKey = (kind: 'day' | 'hour', timeZone: string, ms: number): string => {
		let format = oracles.get(timeZone);
		if (!format) {
			format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' });
			oracles.set(timeZone, format);
		}
		const parts = Object.fromEntries(format.formatToParts(ms).map((p) => [p.type, p.value]));
		return kind === 'day' ? `${parts.year}-${parts.month}-${parts.day}` : `${parts.year}-${parts.month}-${parts.day}T${parts.hour}`;
	};
	const zones = ['UTC', 'Asia/Tokyo', 'Europe/Berlin', 'America/New_York', 'Asia/Kathmandu', 'Asia/Kolkata', 'Australia/Lord_Howe', 'America/Santiago', 'America/Havana', 'Pacific/Chatham'];
	// Two days around each 2026 clock change of these zones, and an ordinary stretch.
	const windows = ['2026-03-07', '2026-03-28', '2026-04-04', '2026-09-05', '2026-09-26', '2026-10-03', '2026-10-24', '2026-10-31', '2026-11-30'];

	test.each(zones)('%s: start and end are where the local date (hour) changes, and now lies between', (timeZone) => {
		for (const kind of ['day', 'hour'] as const) {
			for (const window of windows) {
				const from = utc(`${window}T00:00:00Z`);
				for (let now = from; now < from + 2 * DAY_MS; now += 37 * 60_000) {
					const { key, start, end } = calendarSpan(kind, timeZone, now);
					const local = localKey(kind, timeZone, now);
					expect(key).toBe(`${kind}:${local}@${timeZone}`);
					expect(start).toBeLessThanOrEqual(now);
					expect(end).toBeGreaterThan(now);
					expect(localKey(kind, timeZone, start)).toBe(local);
					expect(localKey(kind, timeZone, end - 1)).toBe(local);
					expect(localKey(kind, timeZone, start - 1)).not.toBe(local);
					expect(localKey(kind, timeZone, end)).not.toBe(local);
					const length = end - start;
					if (kind === 'day') expect(length >= 23 * HOUR && length <= 25 * HOUR).toBe(true);
					// Chatham springs from 02:45 to 03:45, so its 03 hour that day lasts 15 minutes.
					else expect(length >= HOUR / 4 && length <= 2 * HOUR).toBe(true);
				}
			}
		}
	});

	test('periodFor remembers the last period, and hands out copies', () => {
		const spec = { kind: 'day' as const, timeZone: 'Europe/Berlin' };
		const first = periodFor(spec, utc('2026-11-30T10:00:00Z'));
		first.key = 'changed by a caller';
		expect(periodFor(spec, utc('2026-11-30T22:59:59.999Z'))).toEqual({ ...first, key: 'day:2026-11-30@Europe/Berlin' });
		expect(periodFor(spec, utc('2026-11-30T23:00:00Z')).key).toBe('day:2026-12-01@Europe/Berlin');
		expect(periodFor(spec, utc('2026-11-29T12:00:00Z')).key).toBe('day:2026-11-29@Europe/Berlin');
	});
});

describe('periodFor: rolling and per run', () => {
	test('rolling 24 hours has a window and no calendar bounds', () => {
		expect(periodFor({ kind: 'rolling24h' }, utc('2026-11-30T10:00:00Z'))).toEqual({ key: 'rolling24h', windowMs: 86_400_000, label: 'last 24 hours' });
	});

	test('per run is keyed by the execution id', () => {
		expect(periodFor({ kind: 'execution' }, 0, '1234')).toEqual({ key: 'exec:1234', label: 'run 1234' });
		expect(() => periodFor({ kind: 'execution' }, 0)).toThrow(SpendInputError);
		expect(() => periodFor({ kind: 'execution' }, 0, '  ')).toThrow(/needs the execution id/);
		expect(() => periodFor({ kind: 'execution' }, 0, 'x'.repeat(201))).toThrow(/at most 200/);
	});

	test('bad specs and times are refused', () => {
		expect(() => periodFor({ kind: 'week' } as unknown as { kind: 'rolling24h' }, 0)).toThrow(/Period must be one of day, hour, rolling24h, execution/);
		expect(() => periodFor({ kind: 'day', timeZone: 'Nowhere/Town' }, 0)).toThrow(expect.objectContaining({ field: 'timeZone' }));
		expect(() => periodFor({ kind: 'day', timeZone: 'UTC' }, Number.NaN)).toThrow(/epoch milliseconds/);
	});
});
