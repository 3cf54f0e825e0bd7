import { AuditEntry } from '../audit/entry';
import { AuditPage, AuditQuery } from '../audit/query';

/** Every entry matching a query, page after page (for trace and export). */
export async function collectAll(store: { query(q: AuditQuery): Promise<AuditPage> }, q: AuditQuery): Promise<AuditEntry[]> {
	const out: AuditEntry[] = [];
	let afterSeq = q.afterSeq;
	do {
		const page = await store.query({ ...q, limit: 10_000, afterSeq });
		out.push(...page.entries);
		afterSeq = page.nextAfterSeq;
	} while (afterSeq !== undefined);
	return out;
}
