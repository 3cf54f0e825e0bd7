#!/usr/bin/env node
import { promises as fs } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { AGENT_EVENTS, AgentRecord, isStale, validateAgentId } from '../agents/agent';
import { AuditEntry, Checkpoint, EntryDraft, ActorType } from '../audit/entry';
import { toCsv, toJsonl } from '../audit/export';
import { PublishedHeadError, decodePublishedHeads, publicReport } from '../audit/publishedHead';
import { AuditQuery } from '../audit/query';
import { closeAllStores, openStore } from '../store/open';
import { collectAll } from '../store/paging';
import { GuardStore } from '../store/types';
import { ParsedArgs, UsageError, flag, parseArgs } from './args';
import { storeConfigFromArgs } from './storeFromArgs';
import { CapRule, CapStatus, resetSpend, spendStatus } from '../spend/spendCap';
import { parseCaps } from '../spend/caps';
import { SpendInputError } from '../spend/errors';
import { REVERSE_USAGE, reverseCommand } from './reverse';
import { CHECK_USAGE, checkCommand } from './check';

const USAGE = `agent-guard: the Agent Guard trail and kill switch from a terminal

  agent-guard audit verify                       check the hash chain; exit 1 and say where when broken
                  [--published-head agh1.…]     … and that it still holds heads published earlier (comma-separated)
  agent-guard audit query [filters] [--limit N] [--after SEQ]
  agent-guard audit trace <executionId>
  agent-guard audit export [filters] [--format jsonl|csv] [--out FILE]
  agent-guard audit log --agent ID --event ns.name [--actor WHO] [--actor-type human|agent|system] [--details JSON]
                        [--system S --object O --record-id R]
  agent-guard agent suspend <agentId> --reason TEXT [--by WHO]
  agent-guard agent resume <agentId> [--reason TEXT] [--by WHO]
  agent-guard agent status <agentId>
  agent-guard agent list [--stale-days 30] [--only-stale]
  agent-guard spend status <agentId> --cap usd:5/day@Europe/Berlin [--cap writes:100/rolling24h ...]
  agent-guard spend reset <agentId> --cap ... --reason TEXT [--by WHO]
${REVERSE_USAGE}
${CHECK_USAGE}

caps: <usd|tokens|runs|writes>:<limit>/<day|hour|rolling24h>[@<IANA time zone, default UTC>], as in the Spend Cap node

filters: --agent ID --execution ID --workflow ID --event NAME|ns.* --system S --object O --record-id R --since ISO --until ISO

store (first that applies):
  --redis redis://[:password@]host:port/db   with AGENT_GUARD_SECRET or --secret-file, and --prefix (default agent-guard)
  --dir PATH                                  an embedded journal folder
  AGENT_GUARD_REDIS_URL                       as --redis
  default                                     the journal of the local n8n: $N8N_USER_FOLDER/.n8n/agent-guard (else ~/.n8n/agent-guard)

--json prints machine-readable output.`;

const BOOLEANS = new Set(['json', 'only-stale', 'help', 'preview', 'force']);

export interface CliIo {
	out: (text: string) => void;
	err: (text: string) => void;
	env: NodeJS.ProcessEnv;
}

/** Runs one command; returns the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
	let args: ParsedArgs;
	try {
		args = parseArgs(argv, BOOLEANS);
	} catch (error) {
		io.err(`${(error as Error).message}\n\n${USAGE}\n`);
		return 2;
	}
	const [group, command, ...rest] = args.positionals;
	if (args.flags.has('help') || !group) {
		io.out(USAGE + '\n');
		return group ? 0 : 2;
	}
	try {
		if (group === 'check') return await checkCommand([command, ...rest].filter((p): p is string => p !== undefined), args, io);
		const store = await openStore(await storeConfigFromArgs(args, io.env));
		if (group === 'audit') return await audit(store, command, rest, args, io);
		if (group === 'agent') return await agent(store, command, rest, args, io);
		if (group === 'spend') return await spend(store, command, rest, argv, args, io);
		if (group === 'reverse') return await reverseCommand(store, args, io, whoAmI(args));
		throw new UsageError(`unknown command "${group}"`);
	} catch (error) {
		if (error instanceof UsageError) {
			io.err(`agent-guard: ${error.message}\n\n${USAGE}\n`);
			return 2;
		}
		io.err(`agent-guard: ${(error as Error).message}\n`);
		return 1;
	} finally {
		await closeAllStores();
	}
}

function filters(args: ParsedArgs): AuditQuery {
	return {
		agentId: flag(args, 'agent'), executionId: flag(args, 'execution'), workflowId: flag(args, 'workflow'), event: flag(args, 'event'),
		system: flag(args, 'system'), object: flag(args, 'object'), recordId: flag(args, 'record-id'), since: flag(args, 'since'), until: flag(args, 'until'),
	};
}

function intFlag(args: ParsedArgs, name: string, fallback?: number): number | undefined {
	const raw = flag(args, name);
	if (raw === undefined) return fallback;
	if (!/^\d+$/.test(raw)) throw new UsageError(`--${name} must be a whole number, got "${raw}"`);
	return Number(raw);
}

function whoAmI(args: ParsedArgs): string {
	return flag(args, 'by') ?? `${safeUser()}@${hostname()}`;
}

function safeUser(): string {
	try {
		return userInfo().username;
	} catch {
		return 'unknown';
	}
}

function printEntries(entries: AuditEntry[], args: ParsedArgs, io: CliIo): void {
	if (args.flags.has('json')) {
		io.out(toJsonl(entries));
		return;
	}
	for (const e of entries) {
		const subject = e.subject ? ` ${[e.subject.system, e.subject.object, e.subject.recordId].filter(Boolean).join('/')}` : '';
		io.out(`${String(e.seq).padStart(6)}  ${e.ts}  ${e.event.padEnd(20)} ${e.agentId ?? '-'}  ${e.actor.type}:${e.actor.id}${subject}  exec=${e.executionId ?? '-'}\n`);
	}
	if (entries.length === 0) io.out('no entries\n');
}

async function audit(store: GuardStore, command: string | undefined, rest: string[], args: ParsedArgs, io: CliIo): Promise<number> {
	switch (command) {
		case 'verify': {
			let published: Checkpoint[];
			try {
				published = decodePublishedHeads(flag(args, 'published-head') ?? '');
			} catch (e) {
				if (e instanceof PublishedHeadError) throw new UsageError(`--published-head: ${e.message}`);
				throw e;
			}
			const report = publicReport(await store.verify(published));
			if (args.flags.has('json')) io.out(JSON.stringify(report) + '\n');
			else if (report.valid) io.out(`OK: ${report.message}${report.checkpointSeq ? ` (last signed checkpoint at seq ${report.checkpointSeq})` : ''}\n${report.signedHead !== undefined ? `signed head (keep it outside this machine; pass it back with --published-head): ${report.signedHead}\n` : ''}`);
			else io.out(`BROKEN at seq ${report.firstBadSeq} (${report.problem}): ${report.message}\n${report.entries} entries before it verify.\n`);
			return report.valid ? 0 : 1;
		}
		case 'query': {
			const page = await store.query({ ...filters(args), limit: intFlag(args, 'limit', 100), afterSeq: intFlag(args, 'after') });
			printEntries(page.entries, args, io);
			if (page.nextAfterSeq !== undefined && !args.flags.has('json')) io.out(`more: --after ${page.nextAfterSeq}\n`);
			return 0;
		}
		case 'trace': {
			const executionId = rest[0] ?? flag(args, 'execution');
			if (!executionId) throw new UsageError('trace needs an execution id');
			printEntries(await store.trace(executionId), args, io);
			return 0;
		}
		case 'export': {
			const format = flag(args, 'format') ?? 'jsonl';
			if (format !== 'jsonl' && format !== 'csv') throw new UsageError(`--format must be jsonl or csv, got "${format}"`);
			const entries = await collectAll(store, filters(args));
			const body = format === 'csv' ? toCsv(entries) : toJsonl(entries);
			const out = flag(args, 'out');
			if (out) {
				await fs.writeFile(out, body, { mode: 0o600 });
				io.err(`wrote ${entries.length} entries to ${out}\n`);
			} else io.out(body);
			return 0;
		}
		case 'log': {
			const agentId = validateAgentId(flag(args, 'agent'));
			const event = flag(args, 'event');
			if (!event) throw new UsageError('log needs --event, e.g. --event incident.note');
			const actorType = (flag(args, 'actor-type') ?? 'human') as ActorType;
			let details: Record<string, unknown> | undefined;
			const raw = flag(args, 'details');
			if (raw !== undefined) {
				try {
					details = JSON.parse(raw) as Record<string, unknown>;
				} catch (error) {
					throw new UsageError(`--details is not valid JSON: ${(error as Error).message}`);
				}
			}
			const subject = { system: flag(args, 'system'), object: flag(args, 'object'), recordId: flag(args, 'record-id') };
			const draft: EntryDraft = {
				agentId, event, details, actor: { type: actorType, id: flag(args, 'actor') ?? whoAmI(args) },
				subject: Object.values(subject).some(Boolean) ? subject : undefined,
			};
			const [entry] = await store.append([draft]);
			io.out(args.flags.has('json') ? JSON.stringify(entry) + '\n' : `logged seq ${entry.seq} ${entry.hash}\n`);
			return 0;
		}
		default:
			throw new UsageError(`unknown audit command "${command ?? ''}"`);
	}
}

function describeAgent(a: AgentRecord, staleDays: number): string {
	const state = a.status === 'suspended' ? `SUSPENDED since ${a.suspendedAt} by ${a.suspendedBy}: "${a.suspendedReason ?? ''}"` : 'active';
	return `${a.agentId}  ${state}  owner=${a.owner ?? '-'}  lastSeen=${a.lastSeen ?? 'never'}${isStale(a, staleDays) ? '  STALE' : ''}`;
}

async function agent(store: GuardStore, command: string | undefined, rest: string[], args: ParsedArgs, io: CliIo): Promise<number> {
	const staleDays = intFlag(args, 'stale-days', 30) ?? 30;
	if (command === 'list') {
		const agents = (await store.listAgents()).filter((a) => !args.flags.has('only-stale') || isStale(a, staleDays));
		if (args.flags.has('json')) io.out(JSON.stringify(agents.map((a) => ({ ...a, stale: isStale(a, staleDays) }))) + '\n');
		else io.out(agents.length ? agents.map((a) => describeAgent(a, staleDays)).join('\n') + '\n' : 'no agents\n');
		return 0;
	}
	if (command !== 'suspend' && command !== 'resume' && command !== 'status') throw new UsageError(`unknown agent command "${command ?? ''}"`);
	if (!rest[0]) throw new UsageError(`agent ${command} needs an agent id`);
	const agentId = validateAgentId(rest[0]);
	if (command !== 'status') {
		const reason = flag(args, 'reason') ?? '';
		if (command === 'suspend' && reason.trim() === '') throw new UsageError('suspend needs --reason "why", for whoever reads the trail');
		const [entry] = await store.append([
			{ agentId, actor: { type: 'human', id: whoAmI(args) }, event: command === 'suspend' ? AGENT_EVENTS.suspended : AGENT_EVENTS.resumed, details: reason ? { reason } : {} },
		]);
		io.err(`recorded ${entry.event} as seq ${entry.seq}\n`);
	}
	const record = (await store.getAgent(agentId)) ?? { agentId, status: 'active' as const };
	io.out(args.flags.has('json') ? JSON.stringify({ ...record, stale: isStale(record, staleDays) }) + '\n' : describeAgent(record, staleDays) + '\n');
	return 0;
}

/** `--cap` may repeat; the parser keeps the last of a flag, so the caps are read from argv itself. */
function capsFrom(argv: string[]): CapRule[] {
	const specs: string[] = [];
	argv.forEach((arg, i) => {
		if (arg === '--cap' && argv[i + 1] !== undefined) specs.push(argv[i + 1]);
		else if (arg.startsWith('--cap=')) specs.push(arg.slice('--cap='.length));
	});
	if (specs.length === 0) throw new UsageError('give at least one --cap, e.g. --cap usd:5/day@Europe/Berlin');
	const rows = specs.map((spec) => {
		const m = /^(usd|tokens|runs|writes):([0-9.]+)\/(day|hour|rolling24h)(?:@(.+))?$/.exec(spec.trim());
		if (!m) throw new UsageError(`--cap "${spec}" is not <unit>:<limit>/<day|hour|rolling24h>[@zone], e.g. usd:5/day@Europe/Berlin`);
		return { unit: m[1], limit: m[2], period: m[3], timeZone: m[4] ?? 'UTC' };
	});
	try {
		return parseCaps(rows);
	} catch (error) {
		if (error instanceof SpendInputError) throw new UsageError(error.message);
		throw error;
	}
}

function describeCap(c: CapStatus): string {
	return `${c.unit.padEnd(6)} ${c.period.padEnd(34)} limit ${c.limit}  spent ${c.spent}  held ${c.reserved}  remaining ${c.remaining}${c.periodEnd ? `  until ${c.periodEnd}` : ''}`;
}

async function spend(store: GuardStore, command: string | undefined, rest: string[], argv: string[], args: ParsedArgs, io: CliIo): Promise<number> {
	if (command !== 'status' && command !== 'reset') throw new UsageError(`unknown spend command "${command ?? ''}"`);
	if (!rest[0]) throw new UsageError(`spend ${command} needs an agent id`);
	const agentId = validateAgentId(rest[0]);
	const caps = capsFrom(argv);
	const now = Date.now();
	if (command === 'reset') {
		const reason = (flag(args, 'reason') ?? '').trim();
		if (!reason) throw new UsageError('reset needs --reason "why", for whoever reads the trail');
		const cleared = await resetSpend(store, agentId, caps, now);
		const [entry] = await store.append([
			{
				agentId,
				actor: { type: 'human', id: whoAmI(args) },
				event: 'spend.reset',
				details: { reason, cleared: cleared.map(({ before: c }) => ({ unit: c.unit, period: c.periodKey, limit: c.limitMicro, spent: c.spentMicro, reserved: c.reservedMicro })) },
			},
		]);
		io.err(`recorded spend.reset as seq ${entry.seq}\n`);
	}
	const status = await spendStatus(store, agentId, caps, now);
	io.out(args.flags.has('json') ? JSON.stringify({ agentId, caps: status }) + '\n' : `${agentId}\n${status.map((c) => '  ' + describeCap(c)).join('\n')}\n`);
	return 0;
}

if (require.main === module) {
	runCli(process.argv.slice(2), { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t), env: process.env }).then(
		(code) => process.exit(code),
		(error: unknown) => {
			process.stderr.write(`agent-guard: ${(error as Error).message}\n`);
			process.exit(1);
		},
	);
}
