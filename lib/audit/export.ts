import { AuditEntry } from './entry';
import { canonicalJson } from './canonical';

export type ExportFormat = 'jsonl' | 'csv';

export const CSV_COLUMNS = [
	'seq', 'ts', 'event', 'agentId', 'executionId', 'workflowId', 'node', 'actorType', 'actorId',
	'system', 'object', 'recordId', 'digest', 'details', 'before', 'after', 'prevHash', 'hash', 'mac',
] as const;

/** JSONL keeps each entry exactly as sealed, so an export can be verified on its own. */
export function toJsonl(entries: AuditEntry[]): string {
	return entries.map((e) => canonicalJson(e) + '\n').join('');
}

export function toCsv(entries: AuditEntry[]): string {
	const rows = [CSV_COLUMNS.join(',')];
	for (const e of entries) {
		const cells: Record<(typeof CSV_COLUMNS)[number], unknown> = {
			seq: e.seq, ts: e.ts, event: e.event, agentId: e.agentId, executionId: e.executionId, workflowId: e.workflowId,
			node: e.node, actorType: e.actor.type, actorId: e.actor.id, system: e.subject?.system, object: e.subject?.object,
			recordId: e.subject?.recordId, digest: e.digest,
			details: e.details === undefined ? undefined : canonicalJson(e.details),
			before: e.before === undefined ? undefined : canonicalJson(e.before),
			after: e.after === undefined ? undefined : canonicalJson(e.after),
			prevHash: e.prevHash, hash: e.hash, mac: e.mac,
		};
		rows.push(CSV_COLUMNS.map((c) => csvCell(cells[c])).join(','));
	}
	return rows.join('\r\n') + '\r\n';
}

function csvCell(value: unknown): string {
	if (value === undefined || value === null) return '';
	let text = String(value);
	// A cell a spreadsheet would run as a formula is prefixed, so an export opened in Excel cannot execute agent text.
	if (/^[=+\-@\t\r]/.test(text)) text = "'" + text;
	return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
}
