import { AuditEntry } from './entry';

/** What the trail can be asked for. All filters are optional and combine with AND. */
export interface AuditQuery {
	agentId?: string;
	executionId?: string;
	workflowId?: string;
	event?: string; // exact, or a namespace with a trailing ".*" ("scope.*")
	system?: string;
	object?: string;
	recordId?: string;
	since?: string; // ISO-8601, inclusive
	until?: string; // ISO-8601, exclusive
	afterSeq?: number; // paging: entries with seq > afterSeq
	limit?: number;
}

export const MAX_QUERY_LIMIT = 10_000;

export class InvalidQueryError extends Error {}

export function normaliseQuery(q: AuditQuery): AuditQuery & { limit: number } {
	for (const key of ['since', 'until'] as const) {
		const value = q[key];
		if (value !== undefined && value !== '' && Number.isNaN(Date.parse(value))) {
			throw new InvalidQueryError(`${key} "${value}" is not a date; use ISO-8601 such as 2026-11-30T09:00:00Z`);
		}
	}
	const limit = q.limit ?? 100;
	if (!Number.isInteger(limit) || limit < 1 || limit > MAX_QUERY_LIMIT) {
		throw new InvalidQueryError(`limit must be an integer from 1 to ${MAX_QUERY_LIMIT}, got ${String(q.limit)}`);
	}
	const out: AuditQuery & { limit: number } = { limit };
	for (const [key, value] of Object.entries(q)) {
		if (value !== undefined && value !== '' && key !== 'limit') (out as unknown as Record<string, unknown>)[key] = value;
	}
	return out;
}

export function matchesQuery(e: AuditEntry, q: AuditQuery): boolean {
	if (q.afterSeq !== undefined && e.seq <= q.afterSeq) return false;
	if (q.agentId !== undefined && e.agentId !== q.agentId) return false;
	if (q.executionId !== undefined && e.executionId !== q.executionId) return false;
	if (q.workflowId !== undefined && e.workflowId !== q.workflowId) return false;
	if (q.event !== undefined) {
		if (q.event.endsWith('.*')) {
			if (!e.event.startsWith(q.event.slice(0, -1))) return false;
		} else if (e.event !== q.event) return false;
	}
	if (q.system !== undefined && e.subject?.system !== q.system) return false;
	if (q.object !== undefined && e.subject?.object !== q.object) return false;
	if (q.recordId !== undefined && e.subject?.recordId !== q.recordId) return false;
	if (q.since !== undefined && Date.parse(e.ts) < Date.parse(q.since)) return false;
	if (q.until !== undefined && Date.parse(e.ts) >= Date.parse(q.until)) return false;
	return true;
}

/** A page of results and where the next page starts. */
export interface AuditPage {
	entries: AuditEntry[];
	nextAfterSeq?: number;
}
