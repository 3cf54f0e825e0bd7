import { randomUUID } from 'node:crypto';
import Redis, { RedisOptions } from 'ioredis';
import { AgentRecord, mergePatches } from '../agents/agent';
import { canonicalJson } from '../audit/canonical';
import { AuditEntry, Checkpoint, EntryDraft, GENESIS_HASH, WrongSecretError, assertSameSecret, canonicalDraft, prepareDraft, sealLines, signCheckpoint } from '../audit/entry';
import { AuditPage, AuditQuery, matchesQuery, normaliseQuery } from '../audit/query';
import { StoredRecord, VerifyReport, verifyTrail } from '../audit/verify';
import { APPEND_DIRECT, ENQUEUE, SEAL_COMMIT, SEAL_READ, UNLOCK } from './redisScripts';
import { collectAll } from './paging';
import { deriveKeyFrom } from './secret';
import { SETTLED_MEMORY_MS } from './ledgers';
import { DOC_PUT, SPEND_RESERVE, SPEND_RESET, SPEND_SETTLE, SPEND_STATUS } from './redisStateScripts';
import {
	GuardStore,
	LedgerRef,
	LedgerState,
	PutDocOptions,
	ReserveOutcome,
	ReserveRequest,
	SettleOutcome,
	SettleRequest,
	StoreConfigError,
	StoreCorruptError,
	StoredDoc,
	StoreUnavailableError,
} from './types';

export interface RedisStoreOptions {
	host?: string;
	port?: number;
	password?: string;
	username?: string;
	db?: number;
	tls?: boolean;
	/** One installation's keys; two installations on one Redis use two prefixes. */
	keyPrefix?: string;
	secret: string;
	/** Milliseconds before a command counts as failed; guards deny after it. */
	commandTimeoutMs?: number;
	url?: string;
}

type ScriptClient = Redis & {
	agAppendDirect(...args: Array<string | number>): Promise<string[]>;
	agEnqueue(...args: Array<string | number>): Promise<number>;
	agSealRead(...args: Array<string | number>): Promise<string[]>;
	agSealCommit(...args: Array<string | number>): Promise<string>;
	agUnlock(...args: Array<string | number>): Promise<number>;
	agSpendReserve(...args: Array<string | number>): Promise<Array<string | number>>;
	agSpendSettle(...args: Array<string | number>): Promise<Array<string | number>>;
	agSpendStatus(...args: Array<string | number>): Promise<string[]>;
	agSpendReset(...args: Array<string | number>): Promise<string[]>;
	agDocPut(...args: Array<string | number>): Promise<number>;
};

const SEAL_BATCH = 1000;
const LOCK_MS = 5000;
const APPEND_WAIT_MS = 10_000;
const DIRECT_ATTEMPTS = 50;

const PREFIX = /^[A-Za-z0-9:_.-]{1,64}$/;

/** Options that make a guard fail in milliseconds, closed, when Redis is away. */
export function failFastOptions(o: RedisStoreOptions): RedisOptions {
	const timeout = o.commandTimeoutMs ?? 800;
	return {
		host: o.host ?? '127.0.0.1',
		port: o.port ?? 6379,
		password: o.password || undefined,
		username: o.username || undefined,
		db: o.db ?? 0,
		tls: o.tls ? {} : undefined,
		enableOfflineQueue: false,
		maxRetriesPerRequest: 0,
		commandTimeout: timeout,
		connectTimeout: timeout,
		lazyConnect: true,
		enableReadyCheck: true,
		retryStrategy: (times: number) => Math.min(50 * times, 1000),
	};
}

/**
 * The store for one n8n or many (queue mode). The trail's entries live in one hash by
 * seq, with per-execution and per-agent seq lists as indexes; agents are hashes.
 */
export class RedisStore implements GuardStore {
	readonly kind = 'redis' as const;
	private secretChecked = false;
	/** The head as of our last direct append: lets the next one go in a single round trip. */
	private knownHead: { seq: number; hash: string; mac?: string } | undefined;
	private dataLoss: StoreCorruptError | undefined;
	private readonly k: Record<'ctr' | 'pending' | 'entries' | 'head' | 'lock' | 'checkpoints' | 'agents' | 'agent', string>;

	private constructor(
		private readonly client: ScriptClient,
		private readonly prefix: string,
		private readonly secret: string,
		private readonly where: string,
	) {
		this.k = {
			ctr: `${prefix}ctr`,
			pending: `${prefix}pending`,
			entries: `${prefix}entries`,
			head: `${prefix}head`,
			lock: `${prefix}seal`,
			checkpoints: `${prefix}checkpoints`,
			agents: `${prefix}agents`,
			agent: `${prefix}agent:`,
		};
	}

	static async open(o: RedisStoreOptions): Promise<RedisStore> {
		const rawPrefix = o.keyPrefix ?? 'agent-guard';
		if (!PREFIX.test(rawPrefix)) throw new StoreConfigError(`Redis key prefix "${rawPrefix}" may hold letters, digits and : _ . - only (at most 64)`);
		const prefix = rawPrefix.endsWith(':') ? rawPrefix : `${rawPrefix}:`;
		if (!o.secret) throw new StoreConfigError('the signing secret is empty: set it in the Agent Guard credential (or AGENT_GUARD_SECRET for the CLI)');
		const options = failFastOptions(o);
		let client: ScriptClient;
		if (o.url) {
			// The URL carries host, port, database and password; the options only the fail-fast settings.
			const { host: _h, port: _p, db: _d, password: _pw, username: _u, tls: _t, ...failFast } = options;
			client = new Redis(o.url, failFast) as ScriptClient;
		} else client = new Redis(options) as ScriptClient;
		const where = o.url ? redactUrl(o.url) : `${options.host}:${options.port}/${options.db}`;
		// Errors are surfaced per command; an unhandled 'error' event would crash n8n. The last
		// one is kept because connect() itself only says "Connection is closed".
		let lastError: unknown;
		client.on('error', (error: unknown) => (lastError = error));
		client.defineCommand('agAppendDirect', { numberOfKeys: 7, lua: APPEND_DIRECT });
		client.defineCommand('agEnqueue', { numberOfKeys: 4, lua: ENQUEUE });
		client.defineCommand('agSealRead', { numberOfKeys: 3, lua: SEAL_READ });
		client.defineCommand('agSealCommit', { numberOfKeys: 5, lua: SEAL_COMMIT });
		client.defineCommand('agUnlock', { numberOfKeys: 1, lua: UNLOCK });
		// Spend scripts take three keys per ledger: the count goes first on each call.
		client.defineCommand('agSpendReserve', { lua: SPEND_RESERVE });
		client.defineCommand('agSpendSettle', { lua: SPEND_SETTLE });
		client.defineCommand('agSpendStatus', { lua: SPEND_STATUS });
		client.defineCommand('agSpendReset', { numberOfKeys: 3, lua: SPEND_RESET });
		client.defineCommand('agDocPut', { numberOfKeys: 2, lua: DOC_PUT });
		try {
			await withTimeout(client.connect(), (options.connectTimeout ?? 800) + 200, `connect to Redis at ${where}`);
		} catch (error) {
			client.disconnect();
			throw unavailable(lastError ?? error, where);
		}
		return new RedisStore(client, prefix, o.secret, where);
	}

	async ping(): Promise<void> {
		await this.run(() => this.client.ping());
	}

	private async run<T>(task: () => Promise<T>): Promise<T> {
		try {
			return await task();
		} catch (error) {
			throw unavailable(error, this.where);
		}
	}

	async append(drafts: EntryDraft[]): Promise<AuditEntry[]> {
		if (drafts.length === 0) return [];
		const prepared = drafts.map((d) => prepareDraft(d));
		try {
			return await this.appendPrepared(prepared);
		} catch (error) {
			throw unavailable(error, this.where);
		}
	}

	private async appendPrepared(prepared: Array<EntryDraft & { ts: string }>): Promise<AuditEntry[]> {
		if (this.dataLoss) throw this.dataLoss;
		const patches = JSON.stringify(mergePatches(prepared));
		const batch = `${this.prefix}batch:${randomUUID()}`;
		let head = this.knownHead ?? (await this.readHead());
		if (!this.secretChecked) {
			// Before anything is written: a writer with another secret must not add entries at all.
			assertSameSecret(head, this.secret, `the Redis trail at ${this.where} (prefix ${this.prefix})`);
			this.secretChecked = true;
		}
		for (let attempt = 0; attempt < DIRECT_ATTEMPTS; attempt++) {
			const sealed = sealLines(prepared, head, this.secret);
			const tip = sealed[sealed.length - 1].entry;
			const args: Array<string | number> = [head.seq, tip.hash, tip.mac, canonicalJson(signCheckpoint(tip, this.secret)), this.prefix, this.k.agent, patches];
			for (const { entry, json } of sealed) args.push(json, entry.executionId ?? '', entry.agentId ?? '');
			const reply = await this.run(() => this.client.agAppendDirect(this.k.lock, this.k.head, this.k.ctr, this.k.entries, this.k.checkpoints, batch, this.k.agents, ...args));
			if (reply[0] === 'ok' || reply[0] === 'done') {
				// 'done': this very batch was committed by an earlier send of the same command.
				this.knownHead = { seq: tip.seq, hash: tip.hash, mac: tip.mac };
				return sealed.map((s) => s.entry);
			}
			if (reply[0] !== 'stale') break;
			head = { seq: Number(reply[1]), hash: reply[2] || GENESIS_HASH, mac: reply[3] || undefined };
			if (this.knownHead && head.seq < this.knownHead.seq) {
				// The trail is shorter than one we wrote ourselves: Redis lost data (a restart without
				// persistence, a flush). Starting a new chain on top would hide that: refuse.
				const seen = this.knownHead.seq;
				this.knownHead = undefined;
				// Sticky until restart: every later append of this process fails the same way.
				throw (this.dataLoss = new StoreCorruptError(
					`the trail in Redis at ${this.where} (prefix ${this.prefix}) went back from seq ${seen} to seq ${head.seq}: Redis lost data. Enable persistence (appendonly yes), restore it, or if the loss is accepted, restart n8n to start a new chain.`,
				));
			}
			// Another writer won the race: step aside for a random moment so the retries spread out.
			if (attempt > 0) await new Promise((r) => setTimeout(r, Math.random() * Math.min(attempt, 4)));
		}
		// Others are appending: take seqs in server order and let the lock holder seal.
		this.knownHead = undefined;
		const first = await this.run(() =>
			this.client.agEnqueue(this.k.ctr, this.k.pending, batch, this.k.agents, this.k.agent, prepared.length, ...prepared.map((d) => canonicalDraft(d)), patches),
		);
		const last = first + prepared.length - 1;
		await this.sealThrough(last);
		const raw = await this.run(() => this.client.hmget(this.k.entries, ...range(first, last).map(String)));
		return raw.map((json, i) => {
			if (json === null) throw new StoreUnavailableError(`entry seq ${first + i} was sealed but cannot be read back from ${this.where}`);
			return JSON.parse(json) as AuditEntry;
		});
	}

	private async readHead(): Promise<{ seq: number; hash: string; mac?: string }> {
		const [seq, hash, mac] = await this.run(() => this.client.hmget(this.k.head, 'seq', 'hash', 'mac'));
		return { seq: Number(seq ?? 0), hash: hash ?? GENESIS_HASH, mac: mac ?? undefined };
	}

	/** Seals pending entries until `seq` is sealed, by us or by whoever holds the lock. */
	private async sealThrough(seq: number): Promise<void> {
		const deadline = Date.now() + APPEND_WAIT_MS;
		let delay = 0.5;
		for (;;) {
			const token = randomUUID();
			const locked = await this.run(() => this.client.set(this.k.lock, token, 'PX', LOCK_MS, 'NX'));
			if (locked === 'OK') {
				try {
					let headSeq = 0;
					do headSeq = await this.sealPass(token);
					while (headSeq < seq);
					return;
				} finally {
					await this.run(() => this.client.agUnlock(this.k.lock, token)).catch(() => undefined);
				}
			}
			const headSeq = Number((await this.run(() => this.client.hget(this.k.head, 'seq'))) ?? 0);
			if (headSeq >= seq) return;
			if (Date.now() > deadline) throw new StoreUnavailableError(`entry seq ${seq} was not sealed within ${APPEND_WAIT_MS} ms on ${this.where}: a sealer holds the lock too long`);
			await new Promise((r) => setTimeout(r, delay));
			delay = Math.min(delay * 2, 4);
		}
	}

	/** One seal pass: read the head and pending drafts, hash them in order, commit. Returns the new head seq. */
	private async sealPass(token: string): Promise<number> {
		const read = await this.run(() => this.client.agSealRead(this.k.head, this.k.ctr, this.k.pending, SEAL_BATCH, GENESIS_HASH));
		const head = { seq: Number(read[0]), hash: read[1], mac: read[2] || undefined };
		assertSameSecret(head, this.secret, `the Redis trail at ${this.where} (prefix ${this.prefix})`);
		const drafts = read.slice(3).map((d) => JSON.parse(d) as EntryDraft & { ts: string });
		if (drafts.length === 0) return head.seq;
		const sealed = sealLines(drafts, head, this.secret);
		const tip = sealed[sealed.length - 1].entry;
		const args: Array<string | number> = [token, head.seq, tip.hash, tip.mac, canonicalJson(signCheckpoint(tip, this.secret)), this.prefix];
		for (const { entry, json } of sealed) args.push(json, entry.executionId ?? '', entry.agentId ?? '');
		const result = await this.run(() => this.client.agSealCommit(this.k.lock, this.k.head, this.k.pending, this.k.entries, this.k.checkpoints, ...args));
		if (result === 'lost_lock') throw new StoreUnavailableError(`the seal lock on ${this.where} expired during a seal pass; nothing was committed, retry`);
		return result === 'ok' ? tip.seq : head.seq;
	}

	async head(): Promise<{ seq: number; hash: string }> {
		const [seq, hash] = await this.run(() => this.client.hmget(this.k.head, 'seq', 'hash'));
		return { seq: Number(seq ?? 0), hash: hash ?? GENESIS_HASH };
	}

	async query(input: AuditQuery): Promise<AuditPage> {
		const q = normaliseQuery(input);
		const after = q.afterSeq ?? 0;
		const headSeq = (await this.head()).seq;
		const index = q.executionId !== undefined ? `${this.prefix}exec:${q.executionId}` : q.agentId !== undefined ? `${this.prefix}agentlog:${q.agentId}` : undefined;
		const seqs = index
			? (await this.run(() => this.client.lrange(index, 0, -1))).map(Number).filter((s) => s > after)
			: undefined;
		const entries: AuditEntry[] = [];
		let lastSeq: number | undefined;
		let cursor = 0;
		let next = after + 1;
		while (entries.length < q.limit) {
			const chunk = seqs ? seqs.slice(cursor, cursor + 500) : range(next, Math.min(headSeq, next + 499));
			if (chunk.length === 0) break;
			cursor += chunk.length;
			next = chunk[chunk.length - 1] + 1;
			const raw = await this.run(() => this.client.hmget(this.k.entries, ...chunk.map(String)));
			for (let i = 0; i < raw.length && entries.length < q.limit; i++) {
				lastSeq = chunk[i];
				const json = raw[i];
				if (json === null) continue;
				const entry = JSON.parse(json) as AuditEntry;
				if (matchesQuery(entry, q)) entries.push(entry);
			}
		}
		const more = entries.length === q.limit && lastSeq !== undefined && (seqs ? seqs[seqs.length - 1] > lastSeq : lastSeq < headSeq);
		return { entries, nextAfterSeq: more ? lastSeq : undefined };
	}

	async trace(executionId: string): Promise<AuditEntry[]> {
		return collectAll(this, { executionId });
	}

	async *records(): AsyncIterable<StoredRecord> {
		const headSeq = (await this.head()).seq;
		const chunk = (from: number) => {
			const seqs = range(from, Math.min(headSeq, from + 999));
			const raw = this.run(() => this.client.hmget(this.k.entries, ...seqs.map(String)));
			raw.catch(() => undefined); // handled when awaited; a reader that stops early must not leave it unhandled
			return { seqs, raw };
		};
		// The next chunk is on its way while this one is verified.
		let next = headSeq >= 1 ? chunk(1) : undefined;
		while (next) {
			const { seqs, raw: pending } = next;
			const to = seqs[seqs.length - 1];
			next = to < headSeq ? chunk(to + 1) : undefined;
			const raw = await pending;
			for (let i = 0; i < raw.length; i++) {
				const json = raw[i];
				if (json === null) continue; // a deleted entry shows as a gap in seqs
				const where = `${this.k.entries}[${seqs[i]}]`;
				try {
					yield { entry: JSON.parse(json) as AuditEntry, where };
				} catch (error) {
					yield { corrupt: `not valid JSON (${(error as Error).message})`, where };
				}
			}
		}
	}

	async verify(published: Checkpoint[] = []): Promise<VerifyReport> {
		return verifyTrail(this.records(), await this.checkpoints(), this.secret, published);
	}

	async checkpoints(): Promise<Checkpoint[]> {
		const raw = await this.run(() => this.client.lrange(this.k.checkpoints, 0, -1));
		return raw.map((c) => JSON.parse(c) as Checkpoint);
	}

	deriveKey(purpose: string): string {
		return deriveKeyFrom(this.secret, purpose);
	}

	async getAgent(agentId: string): Promise<AgentRecord | undefined> {
		const h = await this.run(() => this.client.hgetall(this.k.agent + agentId));
		return Object.keys(h).length === 0 ? undefined : toAgent(agentId, h);
	}

	async listAgents(): Promise<AgentRecord[]> {
		const ids = (await this.run(() => this.client.smembers(this.k.agents))).sort();
		const pipeline = this.client.pipeline();
		for (const id of ids) pipeline.hgetall(this.k.agent + id);
		const results = (await this.run(() => pipeline.exec())) ?? [];
		return ids.map((id, i) => toAgent(id, (results[i]?.[1] ?? {}) as Record<string, string>));
	}

	private ledgerKeys(key: string): string[] {
		const base = `${this.prefix}spend:${key}`;
		return [base, `${base}:due`, `${base}:charges`];
	}

	async reserveSpend(reservationId: string, ledgers: ReserveRequest[], holdUntil: number, now: number): Promise<ReserveOutcome> {
		const keys = ledgers.flatMap((l) => this.ledgerKeys(l.key));
		const args: Array<string | number> = [reservationId, now, holdUntil, ledgers.length, SETTLED_MEMORY_MS];
		for (const l of ledgers) args.push(micro(l.limitMicro), micro(l.amountMicro), l.windowMs ?? 0, l.retainUntil);
		const reply = await this.run(() => this.client.agSpendReserve(keys.length, ...keys, ...args));
		const blocked = Number(reply[2]);
		return {
			granted: Number(reply[0]) === 1,
			replayed: Number(reply[1]) === 1,
			blockedBy: blocked > 0 ? ledgers[blocked - 1].key : undefined,
			ledgers: statesFrom(ledgers, reply.slice(3)),
		};
	}

	async settleSpend(reservationId: string, ledgers: SettleRequest[], now: number): Promise<SettleOutcome> {
		const keys = ledgers.flatMap((l) => this.ledgerKeys(l.key));
		const args: Array<string | number> = [reservationId, now, ledgers.length, SETTLED_MEMORY_MS];
		for (const l of ledgers) args.push(l.actualMicro === undefined ? '' : micro(l.actualMicro), l.windowMs ?? 0, l.retainUntil);
		const reply = await this.run(() => this.client.agSpendSettle(keys.length, ...keys, ...args));
		return { replayed: Number(reply[0]) === 1, late: Number(reply[1]) === 1, ledgers: statesFrom(ledgers, reply.slice(2)) };
	}

	async spendStatus(ledgers: LedgerRef[], now: number): Promise<LedgerState[]> {
		if (ledgers.length === 0) return [];
		const keys = ledgers.flatMap((l) => this.ledgerKeys(l.key));
		const reply = await this.run(() => this.client.agSpendStatus(keys.length, ...keys, now, ledgers.length, SETTLED_MEMORY_MS, ...ledgers.map((l) => l.windowMs ?? 0)));
		return statesFrom(ledgers, reply);
	}

	async resetSpend(ledger: LedgerRef, now: number): Promise<LedgerState> {
		const reply = await this.run(() => this.client.agSpendReset(...this.ledgerKeys(ledger.key), now, ledger.windowMs ?? 0, ledger.retainUntil, SETTLED_MEMORY_MS));
		return statesFrom([ledger], reply)[0];
	}

	private docKeys(namespace: string, id: string): [string, string] {
		return [`${this.prefix}doc:${namespace}:${id}`, `${this.prefix}due:${namespace}`];
	}

	async getDoc(namespace: string, id: string): Promise<StoredDoc | undefined> {
		const [version, body] = await this.run(() => this.client.hmget(this.docKeys(namespace, id)[0], 'version', 'body'));
		return version === null || body === null ? undefined : { version: Number(version), body };
	}

	async putDoc(namespace: string, id: string, body: string, expectedVersion: number, options: PutDocOptions): Promise<boolean> {
		const [doc, due] = this.docKeys(namespace, id);
		const written = await this.run(() => this.client.agDocPut(doc, due, id, expectedVersion, body, Math.ceil(options.retainUntil), options.dueAt === undefined ? '' : Math.floor(options.dueAt)));
		return written === 1;
	}

	async dueDocs(namespace: string, now: number, limit: number): Promise<string[]> {
		const due = this.docKeys(namespace, '')[1];
		return this.run(() => this.client.zrangebyscore(due, '-inf', now, 'LIMIT', 0, limit));
	}

	async close(): Promise<void> {
		await this.client.quit().catch(() => this.client.disconnect());
	}
}

/** Integer micro-units as a decimal string: Lua must never see 1e+15. */
function micro(n: number): string {
	if (!Number.isSafeInteger(n) || n < 0) throw new StoreConfigError(`amount ${n} is not a non-negative whole number of micro-units`);
	return n.toFixed(0);
}

function statesFrom(ledgers: Array<{ key: string }>, flat: Array<string | number>): LedgerState[] {
	return ledgers.map((l, i) => ({ key: l.key, spentMicro: Number(flat[i * 2] ?? 0), reservedMicro: Number(flat[i * 2 + 1] ?? 0) }));
}

function toAgent(agentId: string, h: Record<string, string>): AgentRecord {
	return { ...h, agentId, status: h.status === 'suspended' ? 'suspended' : 'active' } as AgentRecord;
}

function range(from: number, to: number): number[] {
	const out: number[] = [];
	for (let s = from; s <= to; s++) out.push(s);
	return out;
}

function redactUrl(url: string): string {
	return url.replace(/\/\/[^@/]*@/, '//***@');
}

function unavailable(error: unknown, where: string): Error {
	if (error instanceof StoreUnavailableError || error instanceof StoreConfigError || error instanceof StoreCorruptError) return error;
	if (error instanceof WrongSecretError) return new StoreConfigError(error.message);
	const message = error instanceof Error ? error.message : String(error);
	if (/NOAUTH|WRONGPASS|invalid password/i.test(message)) return new StoreConfigError(`Redis at ${where} refused the password: check the Agent Guard credential`);
	return new StoreUnavailableError(`Redis at ${where} is unavailable (${plainWords(message)}); guards deny until it answers`, error);
}

/** Socket error codes in words (n8n would otherwise replace the whole message with a generic one). */
function plainWords(message: string): string {
	const words: Record<string, string> = {
		ECONNREFUSED: 'connection refused',
		ETIMEDOUT: 'timed out',
		ENOTFOUND: 'host not found',
		ECONNRESET: 'connection reset',
		EHOSTUNREACH: 'host unreachable',
		EAI_AGAIN: 'host name lookup failed',
	};
	return message.replace(/^(?:\w*Error: )+/, '').replace(/\b(?:connect |getaddrinfo |read )?(ECONNREFUSED|ETIMEDOUT|ENOTFOUND|ECONNRESET|EHOSTUNREACH|EAI_AGAIN)\b/g, (_m, code: string) => words[code]);
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	try {
		return await Promise.race([promise, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms trying to ${what}`)), ms)))]);
	} finally {
		if (timer) clearTimeout(timer);
	}
}
