/**
 * Shared by the benchmark driver and its writer processes: where Redis is, the signing
 * secret, and the drafts every measurement appends (the same shape in every process).
 */
import { EntryDraft } from '../lib/audit/entry';

export const REDIS_HOST = process.env.AGENT_GUARD_BENCH_REDIS_HOST ?? '127.0.0.1';
export const REDIS_PORT = Number(process.env.AGENT_GUARD_BENCH_REDIS_PORT ?? 6379);
export const BENCH_SECRET = 'bench-secret-0123456789abcdef0123456789abcdef';
/** Generous, so that a noisy machine never turns a slow command into a failed run. */
export const COMMAND_TIMEOUT_MS = 10_000;

const EVENTS = ['scope.decided', 'approval.requested', 'spend.checked', 'tool.called'] as const;
const SYSTEMS = [
	{ system: 'salesforce', object: 'Opportunity' },
	{ system: 'zendesk', object: 'Ticket' },
	{ system: 'quickbooks', object: 'Invoice' },
] as const;

/**
 * A realistic guard-node entry: one agent, one execution per 10 entries, a subject and a
 * few details. About 320 bytes as canonical JSON once prepared (ts added).
 */
export function makeDraft(label: string, i: number): EntryDraft {
	const target = SYSTEMS[i % SYSTEMS.length];
	return {
		agentId: `sales-bot-${label}`,
		executionId: `exec-${label}-${Math.floor(i / 10)}`,
		actor: { type: 'agent', id: `sales-bot-${label}` },
		event: EVENTS[i % EVENTS.length],
		subject: { ...target, recordId: `0065g00000${String(100000 + i)}AAB` },
		details: { decision: i % 7 === 0 ? 'deny' : 'allow', rule: `${target.object.toLowerCase()}.update`, amount: 1000 + (i % 997) * 1.5, i },
	};
}

/** `total` drafts in batches of `size`. */
export function makeBatches(label: string, total: number, size: number): EntryDraft[][] {
	const out: EntryDraft[][] = [];
	for (let i = 0; i < total; i += size) {
		const batch: EntryDraft[] = [];
		for (let j = i; j < Math.min(total, i + size); j++) batch.push(makeDraft(label, j));
		out.push(batch);
	}
	return out;
}

/** What a writer process reports on its stdout when it is done. */
export interface WorkerResult {
	entries: number;
	ms: number;
	/** User + system CPU of the writer while it appended, microseconds. */
	cpuUs: number;
	/** `append` calls made. */
	appends: number;
	/** Redis commands sent while appending, by name. */
	commands: Record<string, number>;
}
