import { SpendInputError } from './errors';

/** What a cap counts. USD is money; the others are plain counts. */
export const SPEND_UNITS = ['usd', 'tokens', 'runs', 'writes'] as const;
export type SpendUnit = (typeof SPEND_UNITS)[number];

/** Amounts are stored as integers so that Redis scripts and the journal add them exactly. */
export const MICRO_PER_USD = 1_000_000;

/** Decimal places kept per unit: USD to the micro-dollar, counts as whole numbers. */
const SCALE: Record<SpendUnit, number> = { usd: 6, tokens: 0, runs: 0, writes: 0 };

const NOUN: Record<SpendUnit, [string, string]> = {
	usd: ['USD', 'USD'],
	tokens: ['token', 'tokens'],
	runs: ['run', 'runs'],
	writes: ['write', 'writes'],
};

/** Longer text is no amount anyone typed; refusing it early keeps parsing cheap. */
const MAX_TEXT_LENGTH = 100;
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,5}))?$/;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export function isSpendUnit(value: unknown): value is SpendUnit {
	return typeof value === 'string' && (SPEND_UNITS as readonly string[]).includes(value);
}

/** A decimal number as `digits × 10^exponent`, read from text without going through a float. */
interface Decimal {
	negative: boolean;
	digits: bigint;
	digitCount: number;
	exponent: number;
}

function parseDecimal(text: string): Decimal | undefined {
	const match = DECIMAL.exec(text);
	if (!match) return undefined;
	const [, sign, whole = '', fraction = '', exponent = '0'] = match;
	if (whole === '' && fraction === '') return undefined;
	const allDigits = (whole + fraction).replace(/^0+/, '');
	return {
		negative: sign === '-',
		digits: allDigits === '' ? 0n : BigInt(allDigits),
		digitCount: allDigits.length,
		exponent: Number(exponent) - fraction.length,
	};
}

/**
 * Scales a decimal by 10^scale to an integer. USD rounds half up to the nearest
 * micro-dollar; counts must already be whole (`exact`), else undefined.
 */
function scaleToInteger(value: Decimal, scale: number, exact: boolean): bigint | undefined {
	if (value.digits === 0n) return 0n;
	const shift = value.exponent + scale;
	if (shift >= 0) {
		// Anything with more than 16 integer digits is over the limit; stop before building a huge BigInt.
		if (value.digitCount + shift > 17) return MAX_SAFE + 1n;
		return value.digits * 10n ** BigInt(shift);
	}
	if (-shift > value.digitCount + 1) return exact ? undefined : 0n;
	const divisor = 10n ** BigInt(-shift);
	const quotient = value.digits / divisor;
	const remainder = value.digits % divisor;
	if (remainder === 0n) return quotient;
	if (exact) return undefined;
	return remainder * 2n >= divisor ? quotient + 1n : quotient;
}

function describe(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'object') return 'an object';
	if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
	return `${typeof value} ${String(value)}`;
}

function example(unit: SpendUnit): string {
	return unit === 'usd' ? '0.10' : '1200';
}

/**
 * Reads an amount from a parameter or an item (a number, or text such as "0.10" or "1e-3")
 * into micro-units: micro-dollars for USD, the plain count for tokens, runs and writes.
 * Text is parsed as a decimal, never through a float, so 0.1 is exactly 100000.
 */
export function toMicro(unit: SpendUnit, value: unknown, field: string): number {
	if (!isSpendUnit(unit)) throw new SpendInputError('unit', `Unit must be one of ${SPEND_UNITS.join(', ')}, got ${describe(unit)}`);
	let text: string;
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) throw new SpendInputError(field, `${field}: must be a finite number such as ${example(unit)}, got ${String(value)}`);
		// String() gives the shortest text that reads back as the same double: 0.1 → "0.1", 1e-7 → "1e-7".
		text = String(value);
	} else if (typeof value === 'string') {
		text = value.trim();
		if (text === '') throw new SpendInputError(field, `${field}: is empty; enter an amount such as ${example(unit)}`);
		if (text.length > MAX_TEXT_LENGTH) throw new SpendInputError(field, `${field}: is ${text.length} characters long, which is not an amount; enter a number such as ${example(unit)}`);
	} else {
		throw new SpendInputError(field, `${field}: must be a number such as ${example(unit)}, got ${describe(value)}`);
	}
	const decimal = parseDecimal(text);
	if (!decimal) {
		throw new SpendInputError(field, `${field}: ${describe(value)} is not a number; write a plain number such as ${example(unit)}, without currency signs, units or thousands separators`);
	}
	if (decimal.negative && decimal.digits !== 0n) throw new SpendInputError(field, `${field}: must not be negative, got ${text}`);
	const scaled = scaleToInteger(decimal, SCALE[unit], unit !== 'usd');
	if (scaled === undefined) throw new SpendInputError(field, `${field}: ${unit} are counted in whole numbers, got ${text}`);
	if (scaled > MAX_SAFE) {
		const largest = unit === 'usd' ? `$${formatGrouped(Math.floor(Number.MAX_SAFE_INTEGER / MICRO_PER_USD))}` : formatGrouped(Number.MAX_SAFE_INTEGER);
		throw new SpendInputError(field, `${field}: ${text} is too large; amounts in ${NOUN[unit][1]} can be at most ${largest}`);
	}
	return Number(scaled);
}

function checkMicro(unit: SpendUnit, micro: number): void {
	if (!isSpendUnit(unit)) throw new SpendInputError('unit', `Unit must be one of ${SPEND_UNITS.join(', ')}, got ${describe(unit)}`);
	if (!Number.isSafeInteger(micro) || micro < 0) throw new SpendInputError('amount', `A stored amount must be a whole number of micro-units ≥ 0, got ${String(micro)}`);
}

/** Back from micro-units to the unit a person reads (USD as a float, for display and JSON only). */
export function fromMicro(unit: SpendUnit, micro: number): number {
	checkMicro(unit, micro);
	return unit === 'usd' ? micro / MICRO_PER_USD : micro;
}

function formatGrouped(whole: number): string {
	return String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "$0.10", "$1,234.567891", "1,200 tokens", "1 run": cents always shown, sub-cent digits only when present. */
export function formatAmount(unit: SpendUnit, micro: number): string {
	checkMicro(unit, micro);
	if (unit === 'usd') {
		const dollars = Math.floor(micro / MICRO_PER_USD);
		const fraction = String(micro % MICRO_PER_USD).padStart(6, '0').replace(/0{1,4}$/, '');
		return `$${formatGrouped(dollars)}.${fraction}`;
	}
	return `${formatGrouped(micro)} ${NOUN[unit][micro === 1 ? 0 : 1]}`;
}
