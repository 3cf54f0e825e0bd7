/** The Spend Cap's pure core: amounts, periods, prices, usage found on items and cap arithmetic. No n8n, no I/O. */
export { PriceUnknownError, SpendInputError } from './errors';
export { MICRO_PER_USD, SPEND_UNITS, formatAmount, fromMicro, isSpendUnit, toMicro, type SpendUnit } from './amounts';
export { DAY_MS, PERIOD_KINDS, calendarSpan, periodFor, validateTimeZone, type CalendarPeriod, type Period, type PeriodKind, type PeriodSpec } from './periods';
export { priceTokens, type PerMillionPrice, type PriceSource, type TokenPrice, type TokenUsage } from './pricing';
export { USAGE_SEARCH_MAX_DEPTH, USAGE_SEARCH_MAX_NODES, extractUsage, type FoundUsage } from './usage';
export { DEFAULT_WARN_RATIO, decideReservation, parseCaps, type CapDecision, type CapRow, type CapSpec, type LedgerState } from './caps';
