import { SpendInputError } from './errors';

/** The span a cap counts over. Calendar periods are read in a named IANA time zone. */
export type PeriodSpec = { kind: 'day'; timeZone: string } | { kind: 'hour'; timeZone: string } | { kind: 'rolling24h' } | { kind: 'execution' };
export type PeriodKind = PeriodSpec['kind'];
export const PERIOD_KINDS: readonly PeriodKind[] = ['day', 'hour', 'rolling24h', 'execution'];

/**
 * One concrete period. `key` identifies the ledger: everything spent under the same key
 * counts together. Calendar periods have `start`/`end` (epoch ms, end exclusive); the
 * rolling window has `windowMs`; a run has only its key.
 */
export interface Period {
	key: string;
	start?: number;
	end?: number;
	windowMs?: number;
	label: string;
}

/** A day or an hour in a time zone: always bounded. */
export interface CalendarPeriod extends Period {
	start: number;
	end: number;
}

export const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MAX_TIME_ZONE_LENGTH = 64;
const MAX_EXECUTION_ID_LENGTH = 200;

/** Formatters are costly to build and a run asks for the same zone on every item. */
const formatters = new Map<string, Intl.DateTimeFormat>();
const MAX_CACHED_FORMATTERS = 500;
/** Zone names already checked (as typed → as used in keys): building a formatter to check one costs ~0.5 ms. */
const validZones = new Map<string, string>();
let caseInsensitiveZones: Map<string, string> | undefined;

function formatterFor(timeZone: string): Intl.DateTimeFormat {
	let formatter = formatters.get(timeZone);
	if (!formatter) {
		formatter = new Intl.DateTimeFormat('en-US', {
			timeZone,
			hourCycle: 'h23',
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
			hour: '2-digit',
			minute: '2-digit',
			second: '2-digit',
		});
		if (formatters.size >= MAX_CACHED_FORMATTERS) formatters.clear();
		formatters.set(timeZone, formatter);
	}
	return formatter;
}

/** Intl accepts any letter case; keys must not, or "europe/berlin" and "Europe/Berlin" would be two ledgers. */
function knownSpelling(timeZone: string, resolved: string): string {
	if (timeZone === resolved) return timeZone;
	if (timeZone.toLowerCase() === resolved.toLowerCase()) return resolved;
	if (!caseInsensitiveZones) {
		caseInsensitiveZones = new Map();
		for (const zone of Intl.supportedValuesOf('timeZone')) caseInsensitiveZones.set(zone.toLowerCase(), zone);
	}
	const listed = caseInsensitiveZones.get(timeZone.toLowerCase());
	if (listed) return listed;
	// An alias that this ICU resolves to another name (Asia/Kolkata → Asia/Calcutta) is kept as typed, so keys
	// read the way the builder wrote them; in lower case it gets the usual capitals (asia/kolkata → Asia/Kolkata).
	return timeZone === timeZone.toLowerCase() ? timeZone.replace(/(^|[/_-])([a-z])/g, (_, before: string, letter: string) => before + letter.toUpperCase()) : timeZone;
}

/**
 * Checks an IANA time zone name and returns it in its usual spelling (letter case fixed).
 * Offsets and abbreviations are refused because they do not follow daylight saving.
 */
export function validateTimeZone(timeZone: unknown): string {
	const hint = 'use an IANA time zone name such as Europe/Berlin, America/New_York or UTC';
	if (typeof timeZone !== 'string' || timeZone.trim() === '') throw new SpendInputError('timeZone', `Time zone is required for daily and hourly caps: ${hint}`);
	const name = timeZone.trim();
	if (name.length > MAX_TIME_ZONE_LENGTH) throw new SpendInputError('timeZone', `Time zone is too long to be a zone name: ${hint}`);
	const known = validZones.get(name);
	if (known) return known;
	let resolved: string;
	try {
		resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
	} catch {
		throw new SpendInputError('timeZone', `Time zone "${name}" is not known: ${hint}`);
	}
	const spelling = knownSpelling(name, resolved);
	if (validZones.size >= MAX_CACHED_FORMATTERS) validZones.clear();
	validZones.set(name, spelling);
	return spelling;
}

/** Local wall-clock fields of an instant in a zone. */
interface WallClock {
	year: number;
	month: number;
	day: number;
	hour: number;
	minute: number;
	second: number;
}

function wallClock(timeZone: string, ms: number): WallClock {
	const fields: Record<string, number> = {};
	for (const part of formatterFor(timeZone).formatToParts(ms)) {
		if (part.type !== 'literal') fields[part.type] = Number(part.value);
	}
	return { year: fields.year, month: fields.month, day: fields.day, hour: fields.hour, minute: fields.minute, second: fields.second };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
const dateText = (w: WallClock): string => `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
const dayKey = (timeZone: string, ms: number): string => dateText(wallClock(timeZone, ms));
const hourText = (w: WallClock): string => `${dateText(w)}T${pad(w.hour)}`;
const hourKey = (timeZone: string, ms: number): string => hourText(wallClock(timeZone, ms));

/**
 * The first instant at or after `low` whose key is `key`, given key(low) ≠ key and key(high) = key
 * with one change between them. Used only where the wall-clock guess was wrong (a clock change
 * inside the period), so its ~27 steps are rare.
 */
function firstInstantWithKey(keyAt: (ms: number) => string, key: string, low: number, high: number): number {
	while (high - low > 1) {
		const middle = low + Math.floor((high - low) / 2);
		if (keyAt(middle) === key) high = middle;
		else low = middle;
	}
	return high;
}

/** The first instant after `low` whose key differs from `key`, given key(low) = key and key(high) ≠ key. */
function firstInstantAfterKey(keyAt: (ms: number) => string, key: string, low: number, high: number): number {
	while (high - low > 1) {
		const middle = low + Math.floor((high - low) / 2);
		if (keyAt(middle) === key) low = middle;
		else high = middle;
	}
	return high;
}

/**
 * The largest span around `now` over which the local key stays the same. The guesses come
 * from wall-clock arithmetic and are right unless a clock change falls inside the period;
 * then a binary search finds the real edge. So a DST day is 23 or 25 hours, and the hour
 * that repeats when clocks go back is one two-hour period with one key.
 */
function spanAround(keyAt: (ms: number) => string, key: string, now: number, startGuess: number, endGuess: number, reach: number): { start: number; end: number } {
	let start = startGuess;
	if (!(start <= now && keyAt(start) === key && keyAt(start - 1) !== key)) {
		let low = now - reach;
		for (let i = 0; i < 4 && keyAt(low) === key; i++) low -= reach;
		start = firstInstantWithKey(keyAt, key, low, now);
	}
	let end = endGuess;
	if (!(end > now && keyAt(end - 1) === key && keyAt(end) !== key)) {
		let high = now + reach;
		for (let i = 0; i < 4 && keyAt(high) === key; i++) high += reach;
		end = firstInstantAfterKey(keyAt, key, now, high);
	}
	return { start, end };
}

function checkNow(nowMs: number): void {
	// ±8.64e15 ms is the range of a JavaScript Date.
	if (typeof nowMs !== 'number' || !Number.isFinite(nowMs) || Math.abs(nowMs) > 8.64e15) throw new SpendInputError('now', `The current time must be epoch milliseconds, got ${String(nowMs)}`);
}

/** Milliseconds past the last whole second, also for instants before 1970. */
const msIntoSecond = (ms: number): number => ((ms % 1000) + 1000) % 1000;

function calendarDay(timeZone: string, now: number): CalendarPeriod {
	const w = wallClock(timeZone, now);
	const sinceMidnight = ((w.hour * 60 + w.minute) * 60 + w.second) * 1000 + msIntoSecond(now);
	const startGuess = now - sinceMidnight;
	const key = dateText(w);
	const { start, end } = spanAround((ms) => dayKey(timeZone, ms), key, now, startGuess, startGuess + DAY_MS, 30 * HOUR_MS);
	return { key: `day:${key}@${timeZone}`, start, end, label: `day ${key} (${timeZone})` };
}

function calendarHour(timeZone: string, now: number): CalendarPeriod {
	const w = wallClock(timeZone, now);
	const sinceHour = (w.minute * 60 + w.second) * 1000 + msIntoSecond(now);
	const startGuess = now - sinceHour;
	const key = hourText(w);
	const { start, end } = spanAround((ms) => hourKey(timeZone, ms), key, now, startGuess, startGuess + HOUR_MS, 3 * HOUR_MS);
	const hour = key.slice(11, 13);
	return { key: `hour:${key}@${timeZone}`, start, end, label: `hour ${hour}:00 on ${key.slice(0, 10)} (${timeZone})` };
}

/**
 * Each period is the whole span over which its key holds, so any instant inside the last
 * one found has that same period: a run pricing many items formats no dates after the first.
 */
const lastPeriods = new Map<string, CalendarPeriod>();

/**
 * The calendar day or hour containing `now`, computed afresh (periodFor caches it).
 * Exported so tests can check the computation itself; `timeZone` must come from validateTimeZone.
 */
export function calendarSpan(kind: 'day' | 'hour', timeZone: string, now: number): CalendarPeriod {
	return kind === 'day' ? calendarDay(timeZone, now) : calendarHour(timeZone, now);
}

function calendarPeriod(kind: 'day' | 'hour', timeZone: string, now: number): Period {
	const cacheKey = `${kind}@${timeZone}`;
	let period = lastPeriods.get(cacheKey);
	if (!period || now < period.start || now >= period.end) {
		period = calendarSpan(kind, timeZone, now);
		if (lastPeriods.size >= MAX_CACHED_FORMATTERS) lastPeriods.clear();
		lastPeriods.set(cacheKey, period);
	}
	return { ...period };
}

/**
 * The period of a cap that contains `nowMs`. Calendar periods need a valid time zone and
 * "this run" needs the execution id; either missing is an error, never an unbounded period.
 */
export function periodFor(spec: PeriodSpec, nowMs: number, executionId?: string): Period {
	checkNow(nowMs);
	switch (spec.kind) {
		case 'day':
		case 'hour':
			return calendarPeriod(spec.kind, validateTimeZone(spec.timeZone), nowMs);
		case 'rolling24h':
			return { key: 'rolling24h', windowMs: DAY_MS, label: 'last 24 hours' };
		case 'execution': {
			const id = typeof executionId === 'string' ? executionId.trim() : '';
			if (id === '') throw new SpendInputError('executionId', 'A per-run cap needs the execution id, and none was given: run the workflow normally (not a pinned-data preview), or choose a day, hour or rolling 24-hour period');
			if (id.length > MAX_EXECUTION_ID_LENGTH) throw new SpendInputError('executionId', `The execution id is ${id.length} characters long; at most ${MAX_EXECUTION_ID_LENGTH} are allowed`);
			return { key: `exec:${id}`, label: `run ${id}` };
		}
		default: {
			const kind = (spec as { kind?: unknown }).kind;
			throw new SpendInputError('period', `Period must be one of ${PERIOD_KINDS.join(', ')}, got ${String(kind)}`);
		}
	}
}
