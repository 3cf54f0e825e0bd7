import { SPEND_UNITS, SpendUnit, formatAmount, isSpendUnit, toMicro } from './amounts';
import { SpendInputError } from './errors';
import { PERIOD_KINDS, PeriodKind, PeriodSpec, validateTimeZone } from './periods';

/** One cap: at most `limitMicro` of `unit` per period. */
export interface CapSpec {
	unit: SpendUnit;
	limitMicro: number;
	period: PeriodSpec;
}

/** A ledger as a store reports it: settled spending plus holds of reservations still running. */
export interface LedgerState {
	spentMicro: number;
	reservedMicro: number;
}

export type CapDecision = 'within' | 'warning' | 'over';

/** Warn when a reservation takes the total to 80% of the cap, unless the builder says otherwise. */
export const DEFAULT_WARN_RATIO = 0.8;

/** Warn ratios are compared in parts per million so that the check is exact integer arithmetic. */
const RATIO_SCALE = 1_000_000n;

function wholeAmount(value: number, name: string): bigint {
	if (!Number.isSafeInteger(value) || value < 0) throw new SpendInputError(name, `${name} must be a whole number of micro-units ≥ 0, got ${String(value)}`);
	return BigInt(value);
}

/**
 * The decision both stores implement atomically, written once here as the reference.
 * `over`: the request would take spent + reserved past the limit (reaching it exactly is allowed).
 * `warning`: granted, and spent + reserved + request reaches warnRatio × limit.
 * Arithmetic is exact (BigInt) so no sum of large amounts rounds its way under a limit.
 */
export function decideReservation(limitMicro: number, state: LedgerState, requestMicro: number, warnRatio: number = DEFAULT_WARN_RATIO): CapDecision {
	const limit = wholeAmount(limitMicro, 'limitMicro');
	if (!state || typeof state !== 'object') throw new SpendInputError('state', 'The ledger state must be an object with spentMicro and reservedMicro');
	const spent = wholeAmount(state.spentMicro, 'spentMicro');
	const reserved = wholeAmount(state.reservedMicro, 'reservedMicro');
	const request = wholeAmount(requestMicro, 'requestMicro');
	if (typeof warnRatio !== 'number' || !Number.isFinite(warnRatio) || warnRatio < 0 || warnRatio > 1) {
		throw new SpendInputError('warnRatio', `The warning threshold must be a fraction from 0 to 1 (0.8 warns at 80% of the cap), got ${String(warnRatio)}`);
	}
	const total = spent + reserved + request;
	if (total > limit) return 'over';
	const ratio = BigInt(Math.round(warnRatio * Number(RATIO_SCALE)));
	return total * RATIO_SCALE >= ratio * limit ? 'warning' : 'within';
}

/** One row of the node's Caps parameter, as n8n hands it over. */
export interface CapRow {
	unit?: unknown;
	limit?: unknown;
	period?: unknown;
	timeZone?: unknown;
}

function isPeriodKind(value: string): value is PeriodKind {
	return (PERIOD_KINDS as readonly string[]).includes(value);
}

/** Rewrites an error from a shared checker so it names the row the way the builder sees it. */
function inRow(error: unknown, row: number, field: string): never {
	if (error instanceof SpendInputError) {
		const detail = error.message.startsWith(`${error.field}: `) ? error.message.slice(error.field.length + 2) : error.message;
		throw new SpendInputError(`caps[${row}].${field}`, `Cap ${row}, ${field}: ${detail}`);
	}
	throw error;
}

/**
 * Checks the Caps parameter once per run and returns the caps it describes. Stops at the
 * first bad row with a SpendInputError whose field is `caps[<row>].<field>`, rows counted from
 * 1 as they appear in the node. Daily and hourly caps need a time zone: the row's, else
 * `defaultTimeZone` (the workflow's). Two rows for the same unit and period kind are an error,
 * since which of two limits applies would otherwise be a guess.
 */
export function parseCaps(rows: unknown, defaultTimeZone?: string): CapSpec[] {
	if (!Array.isArray(rows)) throw new SpendInputError('caps', 'Caps must be a list of rows, each with a unit, a limit and a period');
	if (rows.length === 0) throw new SpendInputError('caps', 'No caps are set: add at least one row (for example 5 USD per day), or nothing would be limited');
	const seen = new Map<string, number>();
	return rows.map((raw: unknown, index): CapSpec => {
		const row = index + 1;
		if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new SpendInputError(`caps[${row}]`, `Cap ${row}: must be a row with unit, limit and period`);
		const { unit: rawUnit, limit: rawLimit, period: rawPeriod, timeZone: rawZone } = raw as CapRow;

		const unit = typeof rawUnit === 'string' ? rawUnit.trim().toLowerCase() : '';
		if (!isSpendUnit(unit)) throw new SpendInputError(`caps[${row}].unit`, `Cap ${row}, unit: must be one of ${SPEND_UNITS.join(', ')}, got ${rawUnit === undefined ? 'nothing' : JSON.stringify(rawUnit)}`);

		let limitMicro: number;
		try {
			limitMicro = toMicro(unit, rawLimit, 'limit');
		} catch (error) {
			inRow(error, row, 'limit');
		}

		const kind = typeof rawPeriod === 'string' ? rawPeriod.trim() : '';
		if (!isPeriodKind(kind)) throw new SpendInputError(`caps[${row}].period`, `Cap ${row}, period: must be one of ${PERIOD_KINDS.join(', ')}, got ${rawPeriod === undefined ? 'nothing' : JSON.stringify(rawPeriod)}`);

		let period: PeriodSpec;
		if (kind === 'day' || kind === 'hour') {
			const zone = rawZone === undefined || rawZone === null || rawZone === '' ? defaultTimeZone : rawZone;
			try {
				period = { kind, timeZone: validateTimeZone(zone) };
			} catch (error) {
				inRow(error, row, 'timeZone');
			}
		} else {
			// A time zone on a rolling or per-run cap has no effect; the node may still send the field.
			period = { kind };
		}

		const identity = `${unit} per ${kind}`;
		const earlier = seen.get(identity);
		if (earlier !== undefined) {
			throw new SpendInputError(`caps[${row}].period`, `Cap ${row}: cap ${earlier} already limits ${identity} (${formatAmount(unit, limitMicro)} here); keep one row per unit and period`);
		}
		seen.set(identity, row);
		return { unit, limitMicro, period };
	});
}
