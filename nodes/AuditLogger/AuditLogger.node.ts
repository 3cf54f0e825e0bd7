import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { ActorType, AuditEntry, Checkpoint, EntryDraft } from '../../lib/audit/entry';
import { toCsv, toJsonl } from '../../lib/audit/export';
import { PublishedHeadError, decodePublishedHeads, publicReport } from '../../lib/audit/publishedHead';
import { AuditQuery } from '../../lib/audit/query';
import { GuardRun } from '../../lib/runtime/guardRun';
import { collectAll } from '../../lib/store/paging';
import { agentGuardApiTest, failedItem, openGuardRun, toNodeError } from '../shared/runtime';
import { properties } from './description';

export class AuditLogger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Audit Logger',
		name: 'auditLogger',
		icon: 'file:auditLogger.svg',
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] }}',
		description: 'Write to, query, verify and export the hash-chained audit trail of your AI agents',
		defaults: { name: 'Audit Logger' },
		inputs: ['main'],
		outputs: ['main'],
		// Optional: without it the embedded journal in the n8n user folder is used.
		credentials: [{ name: 'agentGuardApi', required: false, testedBy: 'agentGuardApiTest' }],
		properties,
	};

	methods = { credentialTest: { agentGuardApiTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = this.getNodeParameter('operation', 0) as string;
		const run = await openGuardRun(this);
		if (operation === 'logEvent') return [await logEvents(this, run)];
		// The read operations answer once per run, whatever the number of input items.
		try {
			switch (operation) {
				case 'query':
					return [await query(this, run)];
				case 'trace':
					return [entriesToItems(await run.store.trace(String(this.getNodeParameter('executionId', 0))))];
				case 'verify':
					return [await verify(this, run)];
				case 'export':
					return [await exportTrail(this, run)];
				default:
					throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}"`);
			}
		} catch (error) {
			if (this.continueOnFail()) return [[failedItem(toNodeError(this, error, 0), 0)]];
			throw toNodeError(this, error, 0);
		}
	}
}

function detailsOf(ctx: IExecuteFunctions, i: number, item: INodeExecutionData): Record<string, unknown> | undefined {
	const source = ctx.getNodeParameter('detailsSource', i) as string;
	if (source === 'none') return undefined;
	if (source === 'item') return item.json;
	const raw = ctx.getNodeParameter('detailsJson', i, '{}') as unknown;
	let value = raw;
	if (typeof raw === 'string') {
		try {
			value = JSON.parse(raw);
		} catch (error) {
			throw new NodeOperationError(ctx.getNode(), `Item ${i}, field "Details (JSON)": not valid JSON (${(error as Error).message})`, {
				itemIndex: i,
				description: 'Write a JSON object such as {"ticket": "{{ $json.id }}"}; nothing was logged for this item.',
			});
		}
	}
	if (value === null || typeof value !== 'object' || Array.isArray(value)) {
		throw new NodeOperationError(ctx.getNode(), `Item ${i}, field "Details (JSON)": must be a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}`, { itemIndex: i });
	}
	return value as Record<string, unknown>;
}

async function logEvents(ctx: IExecuteFunctions, run: GuardRun): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	const slots: Array<{ index: number; entry?: number; error?: NodeOperationError }> = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const agentId = run.agentId(ctx.getNodeParameter('agentId', i));
			const actorType = ctx.getNodeParameter('actorType', i) as ActorType;
			const actorId = (ctx.getNodeParameter('actorId', i, '') as string) || (actorType === 'agent' ? agentId : 'n8n');
			const subject = ctx.getNodeParameter('subject', i, {}) as EntryDraft['subject'];
			const draft: EntryDraft = {
				agentId,
				actor: { type: actorType, id: actorId },
				event: String(ctx.getNodeParameter('event', i)).trim(),
				subject: subject && Object.keys(subject).length ? subject : undefined,
				details: detailsOf(ctx, i, items[i]),
			};
			slots.push({ index: i, entry: run.record(draft) });
		} catch (error) {
			const nodeError = toNodeError(ctx, error, i, fieldOf(error));
			if (!ctx.continueOnFail()) throw nodeError;
			slots.push({ index: i, error: nodeError });
		}
	}
	try {
		await run.flush();
	} catch (error) {
		// Nothing of this batch was written: no item may claim it was logged.
		throw toNodeError(ctx, error);
	}
	return slots.map(({ index, entry, error }) => {
		if (error) return failedItem(error, index);
		const guard = run.stamp('logged', [{ code: 'logged', message: 'Written to the audit trail' }], run.entryFor(entry!)?.agentId, entry);
		return { json: { ...items[index].json, guard: guard as unknown as IDataObject }, pairedItem: { item: index } };
	});
}

function fieldOf(error: unknown): string | undefined {
	const message = error instanceof Error ? error.message : '';
	if (/Agent ID/.test(message)) return 'Agent ID';
	if (/^event /.test(message)) return 'Event';
	if (/^actor/.test(message)) return 'Actor ID';
	return undefined;
}

function filtersOf(ctx: IExecuteFunctions): AuditQuery {
	const f = ctx.getNodeParameter('filters', 0, {}) as Record<string, string>;
	return {
		agentId: f.agentId, event: f.event, executionId: f.executionId, workflowId: f.workflowId, system: f.system,
		object: f.object, recordId: f.recordId, since: f.since, until: f.until,
	};
}

async function query(ctx: IExecuteFunctions, run: GuardRun): Promise<INodeExecutionData[]> {
	const afterSeq = ctx.getNodeParameter('afterSeq', 0, 0) as number;
	const page = await run.store.query({ ...filtersOf(ctx), limit: ctx.getNodeParameter('limit', 0) as number, afterSeq: afterSeq || undefined });
	const items = entriesToItems(page.entries);
	if (items.length) items[items.length - 1].json.nextAfterSeq = page.nextAfterSeq ?? null;
	return items;
}

function entriesToItems(entries: AuditEntry[]): INodeExecutionData[] {
	return entries.map((e) => ({ json: e as unknown as IDataObject, pairedItem: { item: 0 } }));
}

async function verify(ctx: IExecuteFunctions, run: GuardRun): Promise<INodeExecutionData[]> {
	let published: Checkpoint[];
	try {
		published = decodePublishedHeads(ctx.getNodeParameter('publishedHeads', 0, '') as string);
	} catch (e) {
		if (!(e instanceof PublishedHeadError)) throw e;
		throw new NodeOperationError(ctx.getNode(), `Published Heads: ${e.message}`, { description: 'Paste the "signed head" value of a digest or of an earlier Verify exactly as it was (agh1.<seq>.<hash>.<time>.<mac>), or leave the field empty.' });
	}
	const report = await run.store.verify(published);
	if (!report.valid && ctx.getNodeParameter('errorIfBroken', 0)) {
		throw new NodeOperationError(ctx.getNode(), `Audit trail does not verify: ${report.message}`, {
			description: `First bad seq: ${report.firstBadSeq ?? 'n/a'} (${report.problem}). Entries before it are intact. Export the trail and investigate before trusting anything after it.`,
		});
	}
	return [{ json: { ...publicReport(report), store: run.store.kind } as unknown as IDataObject, pairedItem: { item: 0 } }];
}

async function exportTrail(ctx: IExecuteFunctions, run: GuardRun): Promise<INodeExecutionData[]> {
	const format = ctx.getNodeParameter('format', 0) as 'jsonl' | 'csv';
	const property = ctx.getNodeParameter('binaryPropertyName', 0) as string;
	const entries = await collectAll(run.store, filtersOf(ctx));
	const body = format === 'csv' ? toCsv(entries) : toJsonl(entries);
	const stamp = new Date().toISOString().replace(/[:.]/g, '-');
	const binary = await ctx.helpers.prepareBinaryData(
		Buffer.from(body, 'utf8'),
		`agent-guard-audit-${stamp}.${format}`,
		format === 'csv' ? 'text/csv' : 'application/x-ndjson',
	);
	return [{ json: { entries: entries.length, format, firstSeq: entries[0]?.seq ?? null, lastSeq: entries.at(-1)?.seq ?? null }, binary: { [property]: binary }, pairedItem: { item: 0 } }];
}
