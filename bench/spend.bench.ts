/**
 * Spend Cap benchmark: reservations per second through `RedisStore.reserveSpend` against
 * redis-benchmark running a Lua script of the same kind in the same run (medians of rounds,
 * ratios per round), an overspend check with 64 concurrent callers on separate connections
 * (in one process and across 4 processes), and the embedded store for context.
 *
 *   npm run build && node dist/bench/spend.bench.js [--quick] [--rounds=N] [--only=rate,overspend,embedded] [--write|--no-write]
 *
 * A full run of every section rewrites the "## Spend Cap" block of bench/RESULTS.md (between
 * <!-- spend:begin --> and <!-- spend:end -->); --quick and --only runs only print.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { MICRO_PER_USD } from '../lib/spend/amounts';
import { checkAndReserve } from '../lib/spend/spendCap';
import { EmbeddedStore } from '../lib/store/embedded';
import { LedgerData, SETTLED_MEMORY_MS } from '../lib/store/ledgers';
import { RedisStore } from '../lib/store/redis';
import { SPEND_RESERVE } from '../lib/store/redisStateScripts';
import { EmbeddedState, STATE_FILE } from '../lib/store/stateFile';
import { LedgerRef, LedgerState } from '../lib/store/types';
import { BENCH_SECRET, COMMAND_TIMEOUT_MS, REDIS_HOST, REDIS_PORT } from './common';
import {
	HOLD_MS,
	MAX_AMOUNT_MICRO,
	MIN_AMOUNT_MICRO,
	NEVER_BLOCK_MICRO,
	RATE_AMOUNT_MICRO,
	RateResult,
	ReservePhase,
	SettlePhase,
	benchLedger,
	reserveMany,
	reserveUntilRefused,
	settleOrRelease,
} from './spendCommon';
import { deleteKeys, fmtMs, fmtRate, fmtRatio, fmtUs, logger, median, percentile, run, serverCpuUs, parseBenchOptions, table } from './report';

const log = logger('spend');

// ---------------------------------------------------------------- options

const SECTIONS = ['rate', 'overspend', 'embedded'] as const;

const OPTIONS = parseBenchOptions(process.argv.slice(2), SECTIONS, 'spend.bench.js');

const SIZE = OPTIONS.quick
	? { seq: 800, conc: 4_000, car: 300, warm: 200, workers: 4, refSeconds: 0.5, embSeq: 60, embConc: 60, preload: [[10_000, 10]] as Array<[number, number]>, rawReplace: 20 }
	: { seq: 3_000, conc: 16_000, car: 1_000, warm: 500, workers: 4, refSeconds: 1.5, embSeq: 300, embConc: 300, preload: [[10_000, 30], [100_000, 6]] as Array<[number, number]>, rawReplace: 50 };

/** 64 concurrent callers, as the brief of this benchmark asks. */
const CONC = 64;
const CAP_MICRO = 100 * MICRO_PER_USD;
const TIGHT_CAP_MICRO = 1 * MICRO_PER_USD;
const TARGET_RATIO = 0.5;

const RUN = `agbench:${randomBytes(4).toString('hex')}:`;

// ---------------------------------------------------------------- small helpers

function usd(micro: number): string {
	return `$${(micro / MICRO_PER_USD).toFixed(6).replace(/0{1,4}$/, '')}`;
}

// ---------------------------------------------------------------- Redis side

const admin = new Redis({ host: REDIS_HOST, port: REDIS_PORT, maxRetriesPerRequest: 2, lazyConnect: true });

function deleteRunKeys(): Promise<number> {
	return deleteKeys(admin, `${RUN}*`);
}

function openRedisStore(keyPrefix: string): Promise<RedisStore> {
	return RedisStore.open({ host: REDIS_HOST, port: REDIS_PORT, keyPrefix, secret: BENCH_SECRET, commandTimeoutMs: COMMAND_TIMEOUT_MS });
}

/** The parts of a ledger in Redis (lib/store/redis.ts ledgerKeys): the hash, the due zset, the charges zset (rolling ledgers). */
const LEDGER_PARTS = ['', ':due', ':charges'] as const;
type LedgerPart = (typeof LEDGER_PARTS)[number];

/** The store's key for a ledger's part, to look at holds and settled ids. */
function ledgerKey(storePrefix: string, ledger: LedgerRef, part: LedgerPart): string {
	return `${storePrefix}spend:${ledger.key}${part}`;
}

/** The three keys SPEND_RESERVE takes for one ledger whose keys start with `base`, in its KEYS order. */
function ledgerKeysAt(base: string): string[] {
	return LEDGER_PARTS.map((p) => `${base}${p}`);
}

/** Field names of a ledger hash (small: a few fields per open hold or remembered settled id). */
async function hashFields(key: string): Promise<string[]> {
	return admin.hkeys(key);
}

/**
 * The reference: one reservation reduced to its core, as one Lua script, on the store's layout
 * (a ledger hash and its due zset). Read the totals (HMGET spent, reserved), compare
 * spent + reserved + amount with the limit, then HINCRBY the reserved total, HSET the hold
 * (`h:<id>` = amount) in the same hash and ZADD its end to the due zset. What SPEND_RESERVE adds
 * on top: releasing due holds and forgetting old settled ids (ZRANGEBYSCORE of the due zset), the
 * replay check (the same HMGET also reads `keep`, `h:<id>`, `s:<id>`), the state in the reply,
 * and keeping the keys alive (PEXPIREAT, plus HSET keep when the retention grows).
 * KEYS: ledger hash, due zset. ARGV: id, limit, amount, holdUntil.
 */
const REFERENCE_LUA = `local t = redis.call('HMGET', KEYS[1], 'spent', 'reserved')
if tonumber(t[1] or '0') + tonumber(t[2] or '0') + tonumber(ARGV[3]) > tonumber(ARGV[2]) then return 0 end
redis.call('HINCRBY', KEYS[1], 'reserved', ARGV[3])
redis.call('HSET', KEYS[1], 'h:' .. ARGV[1], ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[4], 'h:' .. ARGV[1])
return 1`;

interface RefResult {
	rps: number;
	serverUsPerOp: number;
	/** Commands Redis ran per request besides the EVALSHA itself (the script's redis.call()s), by name; from INFO commandstats. */
	inner: Record<string, number>;
}

async function commandStats(): Promise<Map<string, number>> {
	const info = await admin.info('commandstats');
	const out = new Map<string, number>();
	for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out.set(m[1], Number(m[2]));
	return out;
}

/** Per request, commands other than the benchmark's own and our INFO polling (global: other clients count too). */
function innerPerRequest(before: Map<string, number>, after: Map<string, number>, requests: number): Record<string, number> {
	const out: Record<string, number> = {};
	for (const [name, calls] of after) {
		if (name === 'evalsha' || name === 'info' || name.startsWith('config') || name === 'ping') continue;
		const n = (calls - (before.get(name) ?? 0)) / requests;
		if (n >= 0.05) out[name] = n;
	}
	return out;
}

function innerTotal(inner: Record<string, number>): number {
	return Object.values(inner).reduce((sum, n) => sum + n, 0);
}

const calibrated = new Map<string, number>();

async function redisBenchmark(name: string, clients: number, pipeline: number, command: string[]): Promise<RefResult> {
	const once = async (requests: number): Promise<RefResult> => {
		const args = ['-h', REDIS_HOST, '-p', String(REDIS_PORT), '-q', '--csv', '-n', String(requests), '-c', String(clients), '-P', String(pipeline), '-r', '1000000000'];
		const stats0 = await commandStats();
		const before = await serverCpuUs(admin);
		const out = await run('redis-benchmark', [...args, ...command]);
		const after = await serverCpuUs(admin);
		const stats1 = await commandStats();
		// The test name is the command itself (quotes and commas included): read the numbers from the end.
		const line = out.split('\n').find((l) => /"[0-9.]+"(,"[0-9.]+"){6}\s*$/.test(l));
		const rps = line ? Number(/"([0-9.]+)"(?:,"[0-9.]+"){6}\s*$/.exec(line)?.[1]) : Number.NaN;
		if (!Number.isFinite(rps) || rps <= 0) throw new Error(`redis-benchmark ${name}: no requests/s in its output:\n${out}`);
		return { rps, serverUsPerOp: (after - before) / requests, inner: innerPerRequest(stats0, stats1, requests) };
	};
	let requests = calibrated.get(name);
	if (requests === undefined) {
		const probe = await once(Math.max(2_000, clients * pipeline * 50));
		requests = Math.min(5_000_000, Math.max(5_000, Math.round((probe.rps * SIZE.refSeconds) / 1000) * 1000));
		calibrated.set(name, requests);
	}
	return once(requests);
}

/** redis-benchmark configurations: [clients, pipeline]. */
const REF_CONFIGS = [
	[1, 1],
	[CONC, 1],
	[1, CONC],
	[SIZE.workers, CONC / SIZE.workers],
] as const;
type RefId = `${number}x${number}`;
const refSamples = new Map<RefId, { rps: number[]; serverUs: number[]; inner: Array<Record<string, number>> }>();

async function reference(round: number, clients: number, pipeline: number, sha: string): Promise<RefResult> {
	const [hash, due] = ledgerKeysAt(`${RUN}ref:${round}:${clients}x${pipeline}:spend`);
	const holdUntil = String(Date.now() + HOLD_MS);
	// Distinct ids: redis-benchmark replaces __rand_int__ with a random number below -r (10^9).
	const command = ['EVALSHA', sha, '2', hash, due, 'res:__rand_int__', String(NEVER_BLOCK_MICRO), String(RATE_AMOUNT_MICRO), holdUntil];
	const r = await redisBenchmark(`c${clients} P${pipeline}`, clients, pipeline, command);
	const granted = Number(await admin.hget(hash, 'reserved')) / RATE_AMOUNT_MICRO;
	await admin.unlink(hash, due);
	if (!(granted > 0)) throw new Error(`the reference script granted nothing at c=${clients} P=${pipeline}`);
	const id: RefId = `${clients}x${pipeline}`;
	const s = refSamples.get(id) ?? { rps: [], serverUs: [], inner: [] };
	s.rps.push(r.rps);
	s.serverUs.push(r.serverUsPerOp);
	s.inner.push(r.inner);
	refSamples.set(id, s);
	log(`round ${round} reference EVALSHA c=${clients} P=${pipeline}: ${fmtRate(r.rps)}/s, Redis ${fmtUs(r.serverUsPerOp)} µs/op`);
	return r;
}

/**
 * Where the gap to the reference comes from, at one concurrency: the store's own script
 * (SPEND_RESERVE, as reserveSpend calls it) run by redis-benchmark, which shows the server
 * side; and the reference script called from Node through ioredis, which shows the client side.
 */
async function scriptByRedisBenchmark(round: number, clients: number, spendSha: string): Promise<RefResult> {
	const now = Date.now();
	const ledger = benchLedger('diag', now);
	// As reserveSpend sends it for one ledger (lib/store/redis.ts): KEYS hash, due, charges;
	// ARGV id, now, holdUntil, n, settledMemoryMs, then limit, amount, windowMs, retainUntil.
	const keys = ledgerKeysAt(`${RUN}diag:${round}:${clients}:spend`);
	const args = ['res:__rand_int__', String(now), String(now + HOLD_MS), '1', String(SETTLED_MEMORY_MS), String(NEVER_BLOCK_MICRO), String(RATE_AMOUNT_MICRO), String(ledger.windowMs ?? 0), String(ledger.retainUntil)];
	const r = await redisBenchmark(`spend c${clients}`, clients, 1, ['EVALSHA', spendSha, String(keys.length), ...keys, ...args]);
	const granted = Number(await admin.hget(keys[0], 'reserved'));
	await admin.unlink(...keys);
	if (!(granted > 0)) throw new Error(`SPEND_RESERVE granted nothing under redis-benchmark at c=${clients}`);
	recordDiag(`script:${clients}`, r.rps, r.serverUsPerOp, Number.NaN);
	scriptInner.push(r.inner);
	log(`round ${round} SPEND_RESERVE by redis-benchmark c=${clients} P=1: ${fmtRate(r.rps)}/s, Redis ${fmtUs(r.serverUsPerOp)} µs/op, ${Object.entries(r.inner).map(([n, v]) => `${n} ${v.toFixed(2)}`).join(', ')} per call`);
	return r;
}

/**
 * A script called straight from Node through ioredis (one connection, no store around it):
 * the reference core (`kind` 'ref'), or the store's own SPEND_RESERVE with the arguments
 * reserveSpend sends ('spend'). Against reserveSpend this isolates the store's JavaScript.
 */
async function scriptFromNode(round: number, kind: 'ref' | 'spend', inflight: number, total: number, sha: string): Promise<void> {
	const ledger = benchLedger('diag');
	const all = ledgerKeysAt(`${RUN}diag:${round}:${inflight}:node-${kind}:spend`);
	// The reference core takes the hash and the due zset; SPEND_RESERVE all three keys of the ledger.
	const keys = kind === 'ref' ? all.slice(0, 2) : all;
	const client = new Redis({ host: REDIS_HOST, port: REDIS_PORT, maxRetriesPerRequest: 2, lazyConnect: true });
	const call = async (id: string): Promise<boolean> => {
		const now = Date.now();
		if (kind === 'ref') return (await client.evalsha(sha, keys.length, ...keys, id, NEVER_BLOCK_MICRO, RATE_AMOUNT_MICRO, now + HOLD_MS)) === 1;
		const reply = (await client.evalsha(sha, keys.length, ...keys, id, now, now + HOLD_MS, 1, SETTLED_MEMORY_MS, NEVER_BLOCK_MICRO, RATE_AMOUNT_MICRO, ledger.windowMs ?? 0, ledger.retainUntil)) as Array<string | number>;
		return Number(reply[0]) === 1;
	};
	await client.connect();
	try {
		for (let i = 0; i < SIZE.warm; i++) await call(`warm-${i}`);
		let next = 0;
		const lane = async (): Promise<void> => {
			while (next < total) {
				next++;
				if (!(await call(randomUUID()))) throw new Error(`the ${kind} script refused from Node`);
			}
		};
		const s0 = await serverCpuUs(admin);
		const cpu0 = process.cpuUsage();
		const t0 = performance.now();
		await Promise.all(Array.from({ length: inflight }, () => lane()));
		const ms = performance.now() - t0;
		const cpu = process.cpuUsage(cpu0);
		const s1 = await serverCpuUs(admin);
		const eps = (total / ms) * 1000;
		recordDiag(`node-${kind}:${inflight}`, eps, (s1 - s0) / total, (cpu.user + cpu.system) / total);
		log(`round ${round} ${kind === 'ref' ? 'reference core' : 'SPEND_RESERVE'} from Node (ioredis, 1 connection, ${inflight} in flight): ${fmtRate(eps)}/s`);
	} finally {
		await client.unlink(...all);
		await client.quit();
	}
}

const diags = new Map<string, { rps: number[]; serverUs: number[]; clientUs: number[] }>();
/** Commands SPEND_RESERVE runs per reservation (redis-benchmark runs of it), per run. */
const scriptInner: Array<Record<string, number>> = [];
function recordDiag(id: string, rps: number, serverUs: number, clientUs: number): void {
	const d = diags.get(id) ?? { rps: [], serverUs: [], clientUs: [] };
	d.rps.push(rps);
	d.serverUs.push(serverUs);
	d.clientUs.push(clientUs);
	diags.set(id, d);
}

// ---------------------------------------------------------------- results

interface RateSamples {
	value: number[];
	ref: number[];
	ratio: number[];
	/** Against the second reference (same shape on the wire), when there is one. */
	ratio2: number[];
	serverUs: number[];
	refServerUs: number[];
	clientUs: number[];
	p50: number[];
	p99: number[];
}

const rates = new Map<string, RateSamples>();
function rateSample(id: string): RateSamples {
	let s = rates.get(id);
	if (!s) rates.set(id, (s = { value: [], ref: [], ratio: [], ratio2: [], serverUs: [], refServerUs: [], clientUs: [], p50: [], p99: [] }));
	return s;
}

function recordRate(id: string, r: RateResult, serverUs: number, ref: RefResult, ref2?: RefResult): number {
	const eps = (r.ops / r.ms) * 1000;
	const s = rateSample(id);
	s.value.push(eps);
	s.ref.push(ref.rps);
	s.ratio.push(eps / ref.rps);
	if (ref2) s.ratio2.push(eps / ref2.rps);
	s.serverUs.push(serverUs);
	s.refServerUs.push(ref.serverUsPerOp);
	s.clientUs.push(r.cpuUs / r.ops);
	s.p50.push(percentile(r.latencies, 50));
	s.p99.push(percentile(r.latencies, 99));
	return eps;
}

// ---------------------------------------------------------------- caller processes

const WORKER = join(__dirname, 'spendWorker.js');
const liveChildren = new Set<ChildProcess>();

interface Child {
	lines: string[];
	waiters: Array<() => void>;
	exited: Promise<number | null>;
	stderr: string[];
	stdin: NodeJS.WritableStream;
}

function startWorker(args: string[]): Child {
	const child = spawn(process.execPath, [WORKER, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
	liveChildren.add(child);
	const c: Child = {
		lines: [],
		waiters: [],
		stderr: [],
		stdin: child.stdin,
		exited: new Promise((resolve) =>
			child.on('close', (code) => {
				liveChildren.delete(child);
				resolve(code);
			}),
		),
	};
	let buffer = '';
	child.stdout.on('data', (d: Buffer) => {
		buffer += d.toString();
		for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
			c.lines.push(buffer.slice(0, nl));
			buffer = buffer.slice(nl + 1);
		}
		for (const w of c.waiters.splice(0)) w();
	});
	child.stderr.on('data', (d: Buffer) => c.stderr.push(d.toString()));
	child.on('close', () => {
		for (const w of c.waiters.splice(0)) w();
	});
	return c;
}

async function nextLine(c: Child, index: number, what: string): Promise<string> {
	const deadline = Date.now() + 120_000;
	for (;;) {
		if (c.lines.length > index) return c.lines[index];
		const code = await Promise.race([c.exited.then((x) => ({ exited: x })), new Promise<undefined>((r) => c.waiters.push(() => r(undefined)))]);
		if (code !== undefined && c.lines.length <= index) throw new Error(`caller process exited (${String(code.exited)}) before it could ${what}: ${c.stderr.join('')}`);
		if (Date.now() > deadline) throw new Error(`caller process took over 120 s to ${what}`);
	}
}

async function finish(children: Child[]): Promise<void> {
	for (const c of children) c.stdin.end();
	const codes = await Promise.all(children.map((c) => c.exited));
	if (codes.some((code) => code !== 0)) throw new Error(`a caller process failed: ${children.map((c) => c.stderr.join('')).join('\n')}`);
}

// ---------------------------------------------------------------- reservations per second

async function measured<T extends RateResult>(task: () => Promise<T>): Promise<{ r: T; serverUs: number }> {
	const s0 = await serverCpuUs(admin);
	const r = await task();
	const s1 = await serverCpuUs(admin);
	return { r, serverUs: (s1 - s0) / r.ops };
}

async function checkReserved(store: RedisStore, ledger: LedgerRef, expected: number, what: string): Promise<void> {
	const [state] = await store.spendStatus([ledger], Date.now());
	if (state.reservedMicro !== expected * RATE_AMOUNT_MICRO || state.spentMicro !== 0) {
		throw new Error(`${what}: the ledger holds ${state.reservedMicro} reserved and ${state.spentMicro} spent after ${expected} grants of ${RATE_AMOUNT_MICRO}`);
	}
}

async function unlinkLedger(storePrefix: string, ledger: LedgerRef): Promise<void> {
	await admin.unlink(...LEDGER_PARTS.map((p) => ledgerKey(storePrefix, ledger, p)));
}

async function rateRound(round: number, sha: string, spendSha: string): Promise<void> {
	const prefix = `${RUN}r${round}:`;
	const store = await openRedisStore(prefix);
	const stores: RedisStore[] = [];
	try {
		// Connection, script cache and JIT warm (ioredis and the store), on a ledger of its own.
		const warm = benchLedger(`warm-${round}`);
		await reserveMany([store], warm, SIZE.warm, 1);

		// 1 client, one call at a time.
		const ref1 = await reference(round, 1, 1, sha);
		let ledger = benchLedger(`seq-${round}`);
		const seq = await measured(() => reserveMany([store], ledger, SIZE.seq, 1));
		await checkReserved(store, ledger, SIZE.seq, 'sequential');
		let eps = recordRate('seq', seq.r, seq.serverUs, ref1);
		log(`round ${round} reserveSpend, 1 client: ${fmtRate(eps)}/s = ${fmtRatio(eps / ref1.rps)} of reference`);
		await unlinkLedger(prefix, ledger);
		await scriptByRedisBenchmark(round, 1, spendSha);
		await scriptFromNode(round, 'ref', 1, SIZE.seq, sha);
		await scriptFromNode(round, 'spend', 1, SIZE.seq, spendSha);

		// The same through checkAndReserve (what the node calls: reserve + the reservation document).
		const car = await measured(async () => {
			const latencies: number[] = [];
			const cpu0 = process.cpuUsage();
			const t0 = performance.now();
			for (let i = 0; i < SIZE.car; i++) {
				const t = performance.now();
				const result = await checkAndReserve(store, {
					agentId: `car-${round}`,
					caps: [{ unit: 'usd', limitMicro: NEVER_BLOCK_MICRO, period: { kind: 'day', timeZone: 'UTC' } }],
					amounts: { usd: RATE_AMOUNT_MICRO },
					holdMs: HOLD_MS,
					warnRatio: 0.8,
					now: Date.now(),
				});
				latencies.push(performance.now() - t);
				if (result.verdict !== 'within') throw new Error(`checkAndReserve answered ${result.verdict}`);
			}
			const ms = performance.now() - t0;
			const cpu = process.cpuUsage(cpu0);
			return { ops: SIZE.car, ms, latencies, cpuUs: cpu.user + cpu.system };
		});
		eps = recordRate('car', car.r, car.serverUs, ref1);
		log(`round ${round} checkAndReserve, 1 client: ${fmtRate(eps)}/s = ${fmtRatio(eps / ref1.rps)} of reference`);

		// 64 in flight on one store (one connection), 64 stores (connections) in this process, 4 processes × 16.
		const ref64 = await reference(round, CONC, 1, sha);
		const refP = await reference(round, 1, CONC, sha);
		ledger = benchLedger(`one64-${round}`);
		const one = await measured(() => reserveMany([store], ledger, SIZE.conc, CONC));
		await checkReserved(store, ledger, SIZE.conc, '1 store, 64 in flight');
		eps = recordRate('one64', one.r, one.serverUs, ref64, refP);
		log(`round ${round} reserveSpend, 1 store × ${CONC} in flight: ${fmtRate(eps)}/s = ${fmtRatio(eps / ref64.rps)} of c=${CONC} P=1, ${fmtRatio(eps / refP.rps)} of c=1 P=${CONC}`);
		await unlinkLedger(prefix, ledger);
		await scriptByRedisBenchmark(round, CONC, spendSha);
		await scriptFromNode(round, 'ref', CONC, SIZE.conc, sha);
		await scriptFromNode(round, 'spend', CONC, SIZE.conc, spendSha);

		for (let i = 0; i < CONC; i++) {
			const s = await openRedisStore(prefix);
			stores.push(s);
			await reserveMany([s], warm, 2, 1);
		}
		ledger = benchLedger(`conn64-${round}`);
		const conns = await measured(() => reserveMany(stores, ledger, SIZE.conc, CONC));
		await checkReserved(store, ledger, SIZE.conc, '64 stores');
		eps = recordRate('conn64', conns.r, conns.serverUs, ref64);
		log(`round ${round} reserveSpend, ${CONC} stores × 1 in flight: ${fmtRate(eps)}/s = ${fmtRatio(eps / ref64.rps)} of c=${CONC} P=1`);
		await unlinkLedger(prefix, ledger);
		await Promise.all(stores.splice(0).map((s) => s.close()));

		const ref4 = await reference(round, SIZE.workers, CONC / SIZE.workers, sha);
		ledger = benchLedger(`proc64-${round}`);
		const per = Math.floor(SIZE.conc / SIZE.workers);
		const children = Array.from({ length: SIZE.workers }, () => startWorker(['rate', prefix, ledger.key, String(ledger.retainUntil), String(per), String(CONC / SIZE.workers), String(SIZE.warm)]));
		let procs: { r: RateResult; serverUs: number };
		try {
			await Promise.all(children.map((c) => nextLine(c, 0, 'get ready')));
			procs = await measured(async () => {
				const t0 = performance.now();
				for (const c of children) c.stdin.write('go\n');
				const lines = await Promise.all(children.map((c) => nextLine(c, 1, 'finish')));
				const ms = performance.now() - t0;
				const results = lines.map((l) => JSON.parse(l) as RateResult);
				return { ops: per * SIZE.workers, ms, latencies: results.flatMap((x) => x.latencies), cpuUs: results.reduce((sum, x) => sum + x.cpuUs, 0) };
			});
		} finally {
			await finish(children);
		}
		await checkReserved(store, ledger, per * SIZE.workers, `${SIZE.workers} processes`);
		eps = recordRate('proc64', procs.r, procs.serverUs, ref64, ref4);
		log(`round ${round} reserveSpend, ${SIZE.workers} processes × ${CONC / SIZE.workers} in flight: ${fmtRate(eps)}/s = ${fmtRatio(eps / ref64.rps)} of c=${CONC} P=1, ${fmtRatio(eps / ref4.rps)} of c=${SIZE.workers} P=${CONC / SIZE.workers}`);
	} finally {
		await Promise.all(stores.map((s) => s.close()));
		await store.close();
		await deleteKeys(admin, `${prefix}*`);
	}
}

// ---------------------------------------------------------------- overspend

interface Trial {
	what: string;
	callers: number;
	capMicro: number;
	grants: number;
	grantedMicro: number;
	/** Largest spent + reserved any grant reply reported. */
	maxSeenMicro: number;
	minRefusedMicro: number;
	violations: string[];
	afterReserve: LedgerState;
	settled: number;
	released: number;
	actualMicro: number;
	late: number;
	replayed: number;
	final: LedgerState;
	/** `h:<id>` fields left in the ledger hash. */
	holdsLeft: number;
	/** `h:<id>` members left in the due zset. */
	expiriesLeft: number;
	/** `s:<id>` fields in the ledger hash (settled ids remembered). */
	settledIds: number;
	/** `s:<id>` members in the due zset (when each settled id may be forgotten). */
	settledDue: number;
	ms: number;
	problems: string[];
}

async function overspendTrial(round: number, index: number, what: string, processes: number, callersPerProcess: number, capMicro: number, checker: RedisStore, prefix: string): Promise<Trial> {
	const ledger = benchLedger(`os-${round}-${index}`);
	const callers = processes * callersPerProcess;
	let reserved: ReservePhase[];
	let settled: SettlePhase[];
	let afterReserve: LedgerState;
	let ms: number;
	if (processes === 0) {
		const stores: RedisStore[] = [];
		try {
			for (let i = 0; i < callersPerProcess; i++) stores.push(await openRedisStore(prefix));
			await Promise.all(stores.map((s) => s.ping()));
			const t0 = performance.now();
			reserved = await Promise.all(stores.map((s) => reserveUntilRefused(s, ledger, capMicro)));
			ms = performance.now() - t0;
			[afterReserve] = await checker.spendStatus([ledger], Date.now());
			settled = await Promise.all(stores.map((s, i) => settleOrRelease(s, ledger, reserved[i].grants)));
		} finally {
			await Promise.all(stores.map((s) => s.close()));
		}
	} else {
		const children = Array.from({ length: processes }, () => startWorker(['overspend', prefix, ledger.key, String(ledger.retainUntil), String(callersPerProcess), String(capMicro)]));
		try {
			await Promise.all(children.map((c) => nextLine(c, 0, 'get ready')));
			const t0 = performance.now();
			for (const c of children) c.stdin.write('go\n');
			reserved = (await Promise.all(children.map((c) => nextLine(c, 1, 'reserve')))).flatMap((l) => JSON.parse(l) as ReservePhase[]);
			ms = performance.now() - t0;
			[afterReserve] = await checker.spendStatus([ledger], Date.now());
			for (const c of children) c.stdin.write('go\n');
			settled = (await Promise.all(children.map((c) => nextLine(c, 2, 'settle')))).flatMap((l) => JSON.parse(l) as SettlePhase[]);
		} finally {
			await finish(children);
		}
	}
	const [final] = await checker.spendStatus([ledger], Date.now());
	const fields = await hashFields(ledgerKey(prefix, ledger, ''));
	const due = await admin.zrange(ledgerKey(prefix, ledger, ':due'), 0, -1);
	const grants = reserved.flatMap((r) => r.grants);
	const grantedMicro = grants.reduce((sum, g) => sum + g.amount, 0);
	const actualMicro = settled.reduce((sum, s) => sum + s.actualMicro, 0);
	const t: Trial = {
		what,
		callers,
		capMicro,
		grants: grants.length,
		grantedMicro,
		maxSeenMicro: Math.max(0, ...reserved.map((r) => r.maxSeenMicro)),
		minRefusedMicro: Math.min(...reserved.map((r) => r.refusedAmount)),
		violations: reserved.flatMap((r) => r.violations),
		afterReserve,
		settled: settled.reduce((sum, s) => sum + s.settled, 0),
		released: settled.reduce((sum, s) => sum + s.released, 0),
		actualMicro,
		late: settled.reduce((sum, s) => sum + s.late, 0),
		replayed: settled.reduce((sum, s) => sum + s.replayed, 0) + reserved.reduce((sum, r) => sum + r.replayed, 0),
		final,
		holdsLeft: fields.filter((f) => f.startsWith('h:')).length,
		expiriesLeft: due.filter((m) => m.startsWith('h:')).length,
		settledIds: fields.filter((f) => f.startsWith('s:')).length,
		settledDue: due.filter((m) => m.startsWith('s:')).length,
		ms,
		problems: [],
	};
	const p = t.problems;
	if (new Set(grants.map((g) => g.id)).size !== grants.length) p.push('a reservation id was granted twice');
	if (grantedMicro > capMicro) p.push(`OVERSPEND: ${usd(grantedMicro - capMicro)} granted above the cap`);
	if (t.violations.length > 0) p.push(`${t.violations.length} replies contradict the cap (first: ${t.violations[0]})`);
	if (reserved.some((r) => r.refusedAmount === 0)) p.push('a caller stopped without a refusal');
	if (t.maxSeenMicro !== grantedMicro) p.push(`largest spent+reserved in a grant reply ${t.maxSeenMicro} ≠ sum of grants ${grantedMicro}`);
	if (capMicro - grantedMicro >= t.minRefusedMicro) p.push(`${usd(capMicro - grantedMicro)} left unused although a request of ${usd(t.minRefusedMicro)} was refused`);
	if (afterReserve.reservedMicro !== grantedMicro || afterReserve.spentMicro !== 0) p.push(`after reserving the ledger held ${afterReserve.reservedMicro} reserved / ${afterReserve.spentMicro} spent, the grants sum to ${grantedMicro}`);
	if (final.spentMicro !== actualMicro) p.push(`final spent ${final.spentMicro} ≠ sum of settled actual amounts ${actualMicro}`);
	if (final.reservedMicro !== 0) p.push(`final reserved ${final.reservedMicro} ≠ 0 after every hold was settled or released`);
	if (t.late > 0 || t.replayed > 0) p.push(`${t.late} settles found no hold, ${t.replayed} replies said replayed`);
	if (t.holdsLeft !== 0 || t.expiriesLeft !== 0) p.push(`${t.holdsLeft} holds and ${t.expiriesLeft} expiries left in Redis`);
	if (t.settledIds !== grants.length) p.push(`${t.settledIds} settled ids remembered for ${grants.length} grants`);
	const marked = new Set(fields.filter((f) => f.startsWith('s:')).map((f) => f.slice(2)));
	const unmarked = grants.filter((g) => !marked.has(g.id)).length;
	if (unmarked > 0) p.push(`${unmarked} granted ids have no settled mark`);
	if (t.settledDue !== t.settledIds || due.length !== t.expiriesLeft + t.settledDue) p.push(`the due zset holds ${t.settledDue} settled marks for ${t.settledIds} settled ids (${due.length} members in all)`);
	log(
		`round ${round} overspend ${what}, cap ${usd(capMicro)}: ${t.grants} grants, ${usd(grantedMicro)} granted (overspend ${usd(Math.max(0, grantedMicro - capMicro))}, unused ${usd(capMicro - grantedMicro)}), final spent ${usd(final.spentMicro)} vs settled ${usd(actualMicro)}, reserved ${final.reservedMicro}: ${p.length === 0 ? 'consistent' : p.join('; ')}`,
	);
	return t;
}

const trials: Trial[] = [];

async function overspendRound(round: number): Promise<void> {
	const prefix = `${RUN}o${round}:`;
	const checker = await openRedisStore(prefix);
	try {
		trials.push(await overspendTrial(round, 1, `1 process × ${CONC} stores`, 0, CONC, CAP_MICRO, checker, prefix));
		trials.push(await overspendTrial(round, 2, `${SIZE.workers} processes × ${CONC / SIZE.workers} stores`, SIZE.workers, CONC / SIZE.workers, CAP_MICRO, checker, prefix));
		trials.push(await overspendTrial(round, 3, `${SIZE.workers} processes × ${CONC / SIZE.workers} stores`, SIZE.workers, CONC / SIZE.workers, TIGHT_CAP_MICRO, checker, prefix));
	} finally {
		await checker.close();
		await deleteKeys(admin, `${prefix}*`);
	}
}

// ---------------------------------------------------------------- embedded store

interface EmbeddedResult {
	seq: number[];
	conc: number[];
	seqP50: number[];
	concP99: number[];
	stateBytes: number[];
	/** [settled ids preloaded, reservations/s, state.json bytes, write+fsync+rename of that file /s][] per round */
	preload: Array<Array<[number, number, number, number]>>;
	/** write + fsync + rename of a file the size of state.json, per second (the durable-replace floor). */
	rawReplace: number[];
}

let tempRoot: string | undefined;

/**
 * A state.json whose one ledger remembers `n` settled reservation ids: `n` reservations settled
 * within the last 24 h, spread over 90% of SETTLED_MEMORY_MS so that no change of the
 * measurement prunes any of them (every change forgets older ids, pruneLedgers).
 */
function preloadedState(ledger: LedgerRef, n: number, now: number): EmbeddedState {
	const settled: Record<string, number> = {};
	for (let i = 0; i < n; i++) settled[randomUUID()] = now - Math.floor((i / n) * 0.9 * SETTLED_MEMORY_MS);
	const data: LedgerData = { spent: n * 100_000, reserved: 0, holds: {}, settled, charges: [], retainUntil: ledger.retainUntil };
	return { format: 1, ledgers: { [ledger.key]: data }, docs: {} };
}

async function durableReplace(path: string, bytes: Buffer, times: number): Promise<number> {
	const t0 = performance.now();
	for (let i = 0; i < times; i++) {
		const temp = `${path}.tmp`;
		const handle = await fs.open(temp, 'w', 0o600);
		try {
			await handle.writeFile(bytes);
			await handle.sync();
		} finally {
			await handle.close();
		}
		await fs.rename(temp, path);
	}
	return (times / (performance.now() - t0)) * 1000;
}

async function benchEmbedded(): Promise<EmbeddedResult> {
	const root = await fs.mkdtemp(join(tmpdir(), 'agbench-spend-'));
	tempRoot = root;
	const out: EmbeddedResult = { seq: [], conc: [], seqP50: [], concP99: [], stateBytes: [], preload: [], rawReplace: [] };
	try {
		for (let round = 1; round <= OPTIONS.rounds; round++) {
			const dir = join(root, `r${round}`);
			const store = await EmbeddedStore.open({ dir, secret: BENCH_SECRET, env: {} });
			try {
				await reserveMany([store], benchLedger('warm'), 1, 1);
				const seq = await reserveMany([store], benchLedger('emb-seq'), SIZE.embSeq, 1);
				const conc = await reserveMany([store], benchLedger('emb-conc'), SIZE.embConc, CONC);
				out.seq.push((seq.ops / seq.ms) * 1000);
				out.conc.push((conc.ops / conc.ms) * 1000);
				out.seqP50.push(percentile(seq.latencies, 50));
				out.concP99.push(percentile(conc.latencies, 99));
				const [a, b] = await store.spendStatus([benchLedger('emb-seq'), benchLedger('emb-conc')], Date.now());
				if (a.reservedMicro !== SIZE.embSeq * RATE_AMOUNT_MICRO || b.reservedMicro !== SIZE.embConc * RATE_AMOUNT_MICRO) throw new Error('embedded ledgers do not hold what was granted');
			} finally {
				await store.close();
			}
			const statePath = join(dir, STATE_FILE);
			const bytes = await fs.readFile(statePath);
			out.stateBytes.push(bytes.length);
			out.rawReplace.push(await durableReplace(join(dir, 'raw-state.json'), bytes, SIZE.rawReplace));
			const rows: Array<[number, number, number, number]> = [];
			for (const [n, ops] of SIZE.preload) {
				const pdir = join(root, `p${round}-${n}`);
				await fs.mkdir(pdir, { recursive: true, mode: 0o700 });
				const ledger = benchLedger('emb-preloaded');
				await fs.writeFile(join(pdir, STATE_FILE), JSON.stringify(preloadedState(ledger, n, Date.now())), { mode: 0o600 });
				const pstore = await EmbeddedStore.open({ dir: pdir, secret: BENCH_SECRET, env: {} });
				try {
					const r = await reserveMany([pstore], ledger, ops, 1);
					const after = await fs.readFile(join(pdir, STATE_FILE));
					const kept = Object.keys((JSON.parse(after.toString('utf8')) as EmbeddedState).ledgers[ledger.key]?.settled ?? {}).length;
					if (kept !== n) throw new Error(`the preloaded ledger remembers ${kept} settled ids after the run, not ${n}`);
					rows.push([n, (r.ops / r.ms) * 1000, after.length, await durableReplace(join(pdir, 'raw-state.json'), after, ops)]);
				} finally {
					await pstore.close();
				}
				await fs.rm(pdir, { recursive: true, force: true });
			}
			out.preload.push(rows);
			log(
				`embedded round ${round}: 1 caller ${fmtRate(out.seq[round - 1])}/s, ${CONC} in flight ${fmtRate(out.conc[round - 1])}/s (state.json ${Math.round(bytes.length / 1024)} KB; write+fsync+rename of it ${fmtRate(out.rawReplace[round - 1])}/s); ${rows.map(([n, r, size, raw]) => `with ${fmtRate(n)} settled ids ${fmtRate(r)}/s (${(size / 1e6).toFixed(1)} MB; write+fsync+rename of it ${fmtRate(raw)}/s)`).join(', ')}`,
			);
		}
		return out;
	} finally {
		await fs.rm(root, { recursive: true, force: true });
		tempRoot = undefined;
	}
}

// ---------------------------------------------------------------- machine

async function machine(): Promise<Record<string, string>> {
	const nproc = (await run('nproc', []).catch(() => '?')).trim();
	const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
	const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
	const serverInfo = await admin.info('server');
	const redisVersion = /^redis_version:(.*)$/m.exec(serverInfo)?.[1]?.trim() ?? 'unknown';
	const benchVersion = (await run('redis-benchmark', ['--version']).catch(() => 'unknown')).trim();
	const persistence = await admin.info('persistence');
	const aof = /^aof_enabled:(\d)/m.exec(persistence)?.[1] === '1' ? 'on' : 'off';
	const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
	return { nproc, cpu: model, node: process.version, redis: `${redisVersion} (AOF ${aof}), ${REDIS_HOST}:${REDIS_PORT}`, redisBenchmark: benchVersion, load };
}

// ---------------------------------------------------------------- report

function buildReport(info: Record<string, string>, started: Date, embedded: EmbeddedResult | undefined): string {
	const parts: string[] = [];
	const command = `npm run build && node dist/bench/spend.bench.js${process.argv.length > 2 ? ' ' + process.argv.slice(2).join(' ') : ''}`;
	parts.push('## Spend Cap (`bench/spend.bench.ts`)');
	parts.push('');
	parts.push(`Command: \`${command}\` (or \`npm run bench:spend\`)  `);
	parts.push(`Date: ${started.toISOString()}  `);
	parts.push(`Machine: nproc ${info.nproc}, CPU ${info.cpu}, node ${info.node}, redis-server ${info.redis}, ${info.redisBenchmark}; load average at start ${info.load} (the machine is shared)  `);
	parts.push(
		`Mode: ${OPTIONS.quick ? 'quick' : 'full'}, ${OPTIONS.rounds} rounds, medians reported; a ratio is the median of per-round ratios (ours / the reference measured just before it in the same round). Key prefix ${RUN} (deleted at the end).`,
	);
	parts.push('');

	const rows: string[][] = [];
	const verdicts: Array<[string, number]> = [];
	const add = (id: string, what: string, refWhat: string, target: boolean, ref2What?: string): void => {
		const s = rates.get(id);
		if (!s) return;
		const ratio = median(s.ratio);
		if (target) verdicts.push([what, ratio]);
		const ratioText = ref2What && s.ratio2.length > 0 ? `${fmtRatio(ratio)} (${fmtRatio(median(s.ratio2))} of ${ref2What})` : fmtRatio(ratio);
		rows.push([
			what,
			fmtRate(median(s.value)),
			refWhat,
			fmtRate(median(s.ref)),
			ratioText,
			`${fmtUs(median(s.serverUs))} / ${fmtUs(median(s.refServerUs))}`,
			fmtUs(median(s.clientUs)),
			`${fmtMs(median(s.p50))} / ${fmtMs(median(s.p99))}`,
			target ? `≥ 50%: **${ratio >= TARGET_RATIO ? 'met' : 'missed'}**` : 'information',
		]);
	};
	add('seq', `\`reserveSpend\`, 1 client, sequential (${fmtRate(SIZE.seq)})`, 'EVALSHA, c=1, P=1', true);
	add('car', `\`checkAndReserve\` (reserve + reservation document), 1 client (${fmtRate(SIZE.car)})`, 'EVALSHA, c=1, P=1', false);
	add('one64', `\`reserveSpend\`, 1 store (1 connection), ${CONC} in flight (${fmtRate(SIZE.conc)})`, `EVALSHA, c=${CONC}, P=1`, true, `c=1, P=${CONC}`);
	add('conn64', `\`reserveSpend\`, ${CONC} stores (connections) in 1 process, 1 in flight each`, `EVALSHA, c=${CONC}, P=1`, true);
	add('proc64', `\`reserveSpend\`, ${SIZE.workers} processes × 1 store × ${CONC / SIZE.workers} in flight`, `EVALSHA, c=${CONC}, P=1`, true, `c=${SIZE.workers}, P=${CONC / SIZE.workers}`);
	const refInner = refSamples.get('1x1')?.inner ?? [];
	/** Commands SPEND_RESERVE runs per reservation beyond the reference core's (medians over its redis-benchmark runs against the reference's at c=1). */
	const extraCommands = (): { total: number; refTotal: number; names: string } | undefined => {
		if (scriptInner.length === 0 || refInner.length === 0) return undefined;
		const names = [...new Set([...scriptInner, ...refInner].flatMap((r) => Object.keys(r)))];
		const extra = names
			.map((name) => [name, median(scriptInner.map((r) => r[name] ?? 0)) - median(refInner.map((r) => r[name] ?? 0))] as const)
			.filter(([, v]) => v >= 0.05)
			.sort((a, b) => b[1] - a[1]);
		return { total: median(scriptInner.map(innerTotal)), refTotal: median(refInner.map(innerTotal)), names: extra.map(([name, v]) => `${name} ${v.toFixed(v % 1 === 0 ? 0 : 2)}`).join(', ') };
	};
	const extraCommandsText = (): string => {
		const x = extraCommands();
		const script = diags.get('script:1');
		const ref = refSamples.get('1x1');
		if (!x || !script || !ref) return '';
		const more = x.total - x.refTotal;
		const cpu = median(script.serverUs) - median(ref.serverUs);
		return ` The ${more.toFixed(1)} commands beyond the core (${x.names || 'none'}) come with ${fmtUs(cpu)} µs more Redis CPU per reservation under the same C client (${fmtUs(median(script.serverUs))} against ${fmtUs(median(ref.serverUs))} µs${more > 0 ? `, ${fmtUs(cpu / more)} µs per extra command if it all came from them` : ''}).`;
	};
	if (rows.length > 0) {
		parts.push('### Reservations per second (one USD ledger, a cap that never blocks, a fresh id per call; medians)');
		parts.push('');
		parts.push(table(['Measurement', 'Ours /s', 'Reference (same run)', 'Ref /s', 'Ours / ref', 'Redis CPU µs per op, ours / ref', 'Client CPU µs per op', 'Latency p50 / p99, ms', 'Target'], rows));
		parts.push('');
		parts.push(
			'Reference: `redis-benchmark -r 1000000000 -c C -P P EVALSHA <sha> 2 <ledger> <ledger>:due res:__rand_int__ <limit> <amount> <until>` of a script on the store\'s layout that reads the totals from the ledger hash (HMGET spent, reserved), compares with the limit, then HINCRBY reserved, HSET the hold (`h:<id>` = amount) in the same hash and ZADD `h:<id>` at the hold\'s end to the due zset: the core of a reservation without the rest of `SPEND_RESERVE`, which takes the ledger\'s three keys (hash, due zset, charges zset) and adds releasing due holds and forgetting settled ids older than 24 h (ZRANGEBYSCORE of the due zset), the replay check (`h:<id>`, `s:<id>` and `keep` read by the same HMGET), the state in the reply, and keeping the keys alive (PEXPIREAT; HSET of `keep` only when the retention grows). Redis CPU is the server\'s `used_cpu_user+used_cpu_sys` delta over the run per operation (global: other clients of the server count too). Client CPU is the CPU of the Node process(es) making the calls.',
		);
		parts.push('');
		const refRows: string[][] = [];
		for (const [c, p] of REF_CONFIGS) {
			const s = refSamples.get(`${c}x${p}`);
			if (s) refRows.push([`c=${c}, P=${p}`, fmtRate(median(s.rps)), fmtUs(median(s.serverUs))]);
		}
		parts.push('Reference alone (requests/s; medians):');
		parts.push('');
		parts.push(table(['Clients, pipeline', 'EVALSHA reservation core /s', 'Redis CPU µs/op'], refRows));
		parts.push('');
		const gapRows: string[][] = [];
		for (const [n, ours] of [
			[1, 'seq'],
			[CONC, 'one64'],
		] as const) {
			const ref = refSamples.get(`${n}x1`);
			const script = diags.get(`script:${n}`);
			const nodeRef = diags.get(`node-ref:${n}`);
			const nodeSpend = diags.get(`node-spend:${n}`);
			const mine = rates.get(ours);
			if (!ref || !script || !nodeRef || !nodeSpend || !mine) continue;
			// Ratios per round, against the reference of the same round (as in the table above).
			const cell = (rps: number[], serverUs: number[], clientUs?: number[]): string =>
				`${fmtRate(median(rps))} (${fmtRatio(median(rps.map((v, i) => v / ref.rps[i])))}; Redis ${fmtUs(median(serverUs))} µs${clientUs === undefined ? '' : `, Node ${fmtUs(median(clientUs))} µs`})`;
			gapRows.push([
				n === 1 ? '1 call at a time' : `${n} in flight`,
				cell(ref.rps, ref.serverUs),
				cell(script.rps, script.serverUs),
				cell(nodeRef.rps, nodeRef.serverUs, nodeRef.clientUs),
				cell(nodeSpend.rps, nodeSpend.serverUs, nodeSpend.clientUs),
				cell(mine.value, mine.serverUs, mine.clientUs),
			]);
		}
		if (gapRows.length > 0) {
			parts.push('Where the gap comes from (per second, then the median per-round % of the reference core by redis-benchmark at the same concurrency, and CPU per operation; medians):');
			parts.push('');
			parts.push(
				table(
					[
						'Concurrency',
						'Reference core, redis-benchmark (C client)',
						'The store\'s `SPEND_RESERVE`, redis-benchmark',
						'Reference core from Node (ioredis, 1 connection)',
						'`SPEND_RESERVE` from Node (ioredis, 1 connection)',
						'`RedisStore.reserveSpend` (1 store)',
					],
					gapRows,
				),
			);
			parts.push('');
			parts.push(
				'Column 2 → 3: the cost of our script on the server (same client); column 2 → 4: the cost of a Node client (same script); column 5 → 6: the store\'s own JavaScript around the same script. Redis and the callers share the machine\'s cores, so these bounds are not independent.',
			);
			parts.push('');
		}
		if (scriptInner.length > 0 && refInner.length > 0) {
			const describe = (runs: Array<Record<string, number>>): string => {
				const names = [...new Set(runs.flatMap((r) => Object.keys(r)))];
				const per = names.map((name) => [name, median(runs.map((r) => r[name] ?? 0))] as const).filter(([, v]) => v >= 0.05);
				per.sort((a, b) => b[1] - a[1]);
				return `**${median(runs.map(innerTotal)).toFixed(1)}** (${per.map(([name, v]) => `${name} ${v.toFixed(v % 1 === 0 ? 0 : 2)}`).join(', ')})`;
			};
			parts.push(
				`Commands Redis runs inside the script per reservation (INFO commandstats deltas over the redis-benchmark runs, of \`SPEND_RESERVE\` at c=1 and c=${CONC}, of the reference core at c=1; medians; global like Redis CPU, so other clients of the server count too): \`SPEND_RESERVE\` ${describe(scriptInner)}; reference core ${describe(refInner)}.${extraCommandsText()}`,
			);
			parts.push('');
		}
	}

	if (trials.length > 0) {
		parts.push(`### Overspend: ${CONC} concurrent callers, each on its own connection (its own RedisStore)`);
		parts.push('');
		parts.push(
			`Each caller reserves random amounts (${usd(MIN_AMOUNT_MICRO)}–${usd(MAX_AMOUNT_MICRO)}, in micro-dollars) against one cap until it is refused; then every caller settles about 60% of its holds with a random actual amount ≤ held and releases the rest (settle with 0). Checked: the sum of grants against the cap, every grant reply (spent + reserved ≤ cap) and refusal reply (the amount really did not fit), the ledger after reserving (reserved = sum of grants, spent 0) and at the end (spent = sum of settled amounts, reserved = 0; in Redis no \`h:<id>\` field left in the ledger hash nor \`h:<id>\` member in its due zset, and one \`s:<id>\` field per grant, each with its \`s:<id>\` member in the due zset).`,
		);
		parts.push('');
		const trialRows = trials.map((t) => [
			t.what,
			usd(t.capMicro),
			String(t.grants),
			usd(t.grantedMicro),
			`**${usd(Math.max(0, t.grantedMicro - t.capMicro))}**`,
			usd(t.capMicro - t.grantedMicro),
			`${usd(t.afterReserve.reservedMicro)} / ${usd(t.afterReserve.spentMicro)}`,
			`${t.settled} / ${t.released}`,
			`${usd(t.final.spentMicro)} vs ${usd(t.actualMicro)}`,
			usd(t.final.reservedMicro),
			t.problems.length === 0 ? 'consistent' : `**${t.problems.join('; ')}**`,
		]);
		parts.push(
			table(['Callers', 'Cap', 'Grants', 'Granted', 'Overspend', 'Unused', 'After reserving: reserved / spent', 'Settled / released', 'Final spent vs sum settled', 'Final reserved', 'Checks'], trialRows),
		);
		parts.push('');
	}

	if (embedded) {
		const stateKb = median(embedded.stateBytes) / 1024;
		parts.push('### Embedded store, for context (one process, a temporary directory)');
		parts.push('');
		const erows: string[][] = [
			[`\`reserveSpend\`, 1 caller, sequential (${SIZE.embSeq})`, fmtRate(median(embedded.seq)), `p50 ${fmtMs(median(embedded.seqP50))} ms`],
			[`\`reserveSpend\`, ${CONC} in flight (${SIZE.embConc}; serialised by the store's lock)`, fmtRate(median(embedded.conc)), `p99 ${fmtMs(median(embedded.concP99))} ms`],
			[`Floor: write + fsync + rename of a file the size of state.json afterwards (${stateKb.toFixed(0)} KB)`, fmtRate(median(embedded.rawReplace)), ''],
		];
		for (let i = 0; i < SIZE.preload.length; i++) {
			const [n, ops] = SIZE.preload[i];
			const values = embedded.preload.map((r) => r[i]?.[1] ?? Number.NaN);
			const size = median(embedded.preload.map((r) => r[i]?.[2] ?? Number.NaN));
			const raw = median(embedded.preload.map((r) => r[i]?.[3] ?? Number.NaN));
			const rate = median(values);
			erows.push([
				`\`reserveSpend\`, 1 caller (${ops}), the ledger remembering ${fmtRate(n)} settled ids (state.json ${(size / 1e6).toFixed(1)} MB)`,
				rate >= 10 ? fmtRate(rate) : rate.toFixed(1),
				`floor (write + fsync + rename of that file): ${fmtRate(raw)}/s`,
			]);
		}
		parts.push(table(['Measurement', 'Reservations /s', 'Latency / floor'], erows));
		parts.push('');
		parts.push(
			`Every embedded change reads, parses, rewrites and fsyncs the whole \`state.json\` under a lock file, and walks the holds and settled ids of the ledgers it touches and then, pruning (\`pruneLedgers\`), the settled ids of every ledger in the file, so its cost grows with what the file holds: open holds, and the settled reservation ids. A settled id is remembered ${SETTLED_MEMORY_MS / 3_600_000} h (\`SETTLED_MEMORY_MS\`) and every change forgets older ones in every ledger, touched or not, so the file holds about a day of settled ids: the preloaded rows stand for ${SIZE.preload.map(([n]) => `${fmtRate(n)} (${(n / (SETTLED_MEMORY_MS / 1000)).toFixed(2)}/s sustained)`).join(' and ')} reservations settled in the last ${SETTLED_MEMORY_MS / 3_600_000} h, spread over that day so that none is pruned during the measurement (checked: the ledger still remembers all of them afterwards).`,
		);
		parts.push('');
	}

	parts.push('### Reading');
	parts.push('');
	for (const [what, ratio] of verdicts) parts.push(`- ${what}: ${fmtRatio(ratio)} of the reference at the same concurrency; target ≥ 50% **${ratio >= TARGET_RATIO ? 'met' : 'missed'}**.`);
	const spread = (id: RefId): string => {
		const r = refSamples.get(id);
		return r ? `${fmtRate(Math.min(...r.rps))}–${fmtRate(Math.max(...r.rps))}/s` : 'n/a';
	};
	if (rates.size > 0) {
		parts.push(
			`- Noise: the machine (${info.nproc} cores) is shared; load average ${info.load} at the start. The reference itself moved between rounds (c=1 P=1: ${spread('1x1')}; c=${CONC} P=1: ${spread(`${CONC}x1`)}), which is why each ratio is taken per round against the reference measured just before it.`,
		);
	}
	const ratioOf = (id: string, n: number): number => {
		const d = diags.get(id);
		const ref = refSamples.get(`${n}x1`);
		return d && ref ? median(d.rps.map((v, i) => v / ref.rps[i])) : Number.NaN;
	};
	const seq = rates.get('seq');
	if (seq && diags.has('node-ref:1')) {
		parts.push(
			`- 1 call at a time is bound by the round trip of a Node client: even the reference core sent from Node through ioredis reaches only ${fmtRatio(ratioOf('node-ref:1', 1))} of redis-benchmark's C client, so the 50% target at c=1 is out of reach for any Node caller on this machine. Our script adds to that (${fmtRatio(ratioOf('script:1', 1))} of the reference under the C client; ${fmtRatio(ratioOf('node-spend:1', 1))} from Node); the store's JavaScript around it takes it to ${fmtRatio(median(seq.ratio))}.`,
		);
	}
	const serverGapText = (): string => {
		const x = extraCommands();
		if (!x) return '';
		return ` The server-side gap is in the script's \`redis.call\`s: ${x.total.toFixed(1)} per reservation against ${x.refTotal.toFixed(1)} for the core (the extra: ${x.names || 'none'}, i.e. releasing due holds and old settled ids, and keeping the keys alive).`;
	};
	const one = rates.get('one64');
	if (one && diags.has(`script:${CONC}`)) {
		parts.push(
			`- At ${CONC} in flight Redis is the bound: \`SPEND_RESERVE\` costs Redis ${fmtUs(median(one.serverUs))} µs per reservation against ${fmtUs(median(one.refServerUs))} µs for the reference core, and even under redis-benchmark's own ${CONC} connections it reaches only ${fmtRatio(ratioOf(`script:${CONC}`, CONC))} of the reference; one ioredis connection with ${CONC} in flight batches its writes well (the reference core from Node: ${fmtRatio(ratioOf(`node-ref:${CONC}`, CONC))}). ${CONC} connections in one process, or ${SIZE.workers} processes, cost the callers more CPU per reservation (client CPU column) on cores Redis needs.${serverGapText()}`,
		);
	}
	if (trials.length > 0) {
		const worst = Math.max(0, ...trials.map((t) => t.grantedMicro - t.capMicro));
		const closest = Math.min(...trials.map((t) => t.capMicro - t.grantedMicro));
		const bad = trials.filter((t) => t.problems.length > 0);
		parts.push(
			`- Overspend over ${trials.length} trials (${trials.reduce((sum, t) => sum + t.grants, 0)} grants to ${CONC} concurrent callers on separate connections): ${worst > 0 ? `**${usd(worst)} granted above the cap: target missed**` : '**$0 in every trial: target met**'} (closest approach to a cap: ${usd(Math.max(0, closest))} left unused). The ledger after reserving and at the end ${bad.length === 0 ? 'matched the sums computed from the replies in every trial' : `**did not match in ${bad.length} trials** (see the checks column)`}.`,
		);
	}
	if (embedded) {
		const last = SIZE.preload[SIZE.preload.length - 1];
		const lastRate = median(embedded.preload.map((r) => r[r.length - 1]?.[1] ?? Number.NaN));
		const lastFloor = median(embedded.preload.map((r) => r[r.length - 1]?.[3] ?? Number.NaN));
		parts.push(
			`- Embedded store (no target): ${fmtRate(median(embedded.seq))} reservations/s for one caller on a fresh state file (one durable replace of that file alone: ${fmtRate(median(embedded.rawReplace))}/s); with a ledger remembering ${fmtRate(last[0])} settled ids it falls to ${lastRate >= 10 ? fmtRate(lastRate) : lastRate.toFixed(1)}/s, ${lastRate < lastFloor / 2 ? `well under the ${fmtRate(lastFloor)}/s at which that file can be replaced durably: per-change CPU (parse, expiry and prune walk, stringify of the whole file), not fsync, bounds it` : `against ${fmtRate(lastFloor)}/s at which that file can be replaced durably: the durable replace is most of its cost`}.`,
		);
	}
	return parts.join('\n');
}

const BEGIN = '<!-- spend:begin -->';
const END = '<!-- spend:end -->';

async function writeResults(report: string): Promise<void> {
	const path = join(__dirname, '..', '..', 'bench', 'RESULTS.md');
	let current = '';
	try {
		current = await fs.readFile(path, 'utf8');
	} catch {
		current = '';
	}
	const block = `${BEGIN}\n<!-- generated by bench/spend.bench.ts; edit outside these markers -->\n${report}\n${END}`;
	const start = current.indexOf(BEGIN);
	const end = current.indexOf(END);
	const next = start !== -1 && end > start ? current.slice(0, start) + block + current.slice(end + END.length) : `${current.replace(/\n*$/, '')}\n\n${block}\n`;
	await fs.writeFile(path, next);
	log(`wrote ${path}`);
}

// ---------------------------------------------------------------- main

async function cleanup(): Promise<void> {
	for (const child of liveChildren) child.kill();
	if (tempRoot) await fs.rm(tempRoot, { recursive: true, force: true }).catch(() => undefined);
	const deleted = await deleteRunKeys();
	log(`deleted ${deleted} keys under ${RUN}`);
}

async function main(): Promise<void> {
	const started = new Date();
	await admin.connect();
	let interrupted = false;
	const onSignal = (): void => {
		if (interrupted) process.exit(130);
		interrupted = true;
		log('interrupted: stopping callers, deleting the run keys and the temporary directory');
		cleanup().finally(() => process.exit(130));
	};
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);

	let embedded: EmbeddedResult | undefined;
	try {
		const info = await machine();
		log(`run ${RUN} (${OPTIONS.quick ? 'quick' : 'full'}, ${OPTIONS.rounds} rounds) on ${info.nproc} cores, ${info.cpu}, node ${info.node}, redis ${info.redis}, load ${info.load}`);
		const sha = String(await admin.script('LOAD', REFERENCE_LUA));
		const spendSha = String(await admin.script('LOAD', SPEND_RESERVE));
		for (let round = 1; round <= OPTIONS.rounds; round++) {
			if (OPTIONS.only.has('rate')) await rateRound(round, sha, spendSha);
			if (OPTIONS.only.has('overspend')) await overspendRound(round);
		}
		if (OPTIONS.only.has('embedded')) embedded = await benchEmbedded();
		const report = buildReport(info, started, embedded);
		process.stdout.write(report + '\n');
		if (OPTIONS.write) await writeResults(report);
		else log('bench/RESULTS.md not updated (quick or partial run; pass --write to force)');
	} finally {
		await cleanup();
		await admin.quit();
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	cleanup()
		.catch(() => undefined)
		.finally(() => process.exit(1));
});
