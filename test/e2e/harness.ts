/**
 * Runs workflows in the pinned real n8n (test/e2e/n8n) with this package installed the way a
 * user installs it. Each N8nInstance owns a fresh user folder (sqlite DB, settings, nodes).
 *
 *   const n8n = await N8nInstance.create({ env: { AGENT_GUARD_REDIS_URL: url } });
 *   const id = await n8n.importWorkflow(loadFixture('code-three-items.json'));
 *   const run = await n8n.execute(id);           // headless, `n8n execute`
 *   const server = await n8n.start({ publish: [webhookId] });  // `n8n start`, for webhooks
 *   await n8n.cleanup();                         // stops servers, deletes the folder
 */
import { ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ensureN8n, freePort, isRecord, linkPackage, n8nEnv } from './n8nInstall';

export interface N8nOptions {
	/** Extra environment for every n8n invocation (AGENT_GUARD_*, Redis settings, ...). */
	env?: NodeJS.ProcessEnv;
	/** Link the repository (or packageRoot) into .n8n/nodes; default true. */
	linkPackage?: boolean;
	packageRoot?: string;
}

/** A workflow as n8n exports it; only the fields the harness reads are typed. */
export interface WorkflowJson {
	id?: string;
	name: string;
	nodes: unknown[];
	connections: Record<string, unknown>;
	[key: string]: unknown;
}

export interface CommandResult {
	code: number | null;
	/** n8n's log messages (stdout is JSON lines), then anything else it printed. */
	log: string;
	messages: string[];
}

interface TaskData {
	executionStatus?: string;
	error?: { message?: string };
	data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> };
}

/** The run n8n prints (IRun), narrowed to what tests usually read. */
export interface RunJson {
	status?: string;
	finished?: boolean;
	data: {
		resultData: {
			runData: Record<string, TaskData[]>;
			error?: { message?: string; description?: string | null };
			lastNodeExecuted?: string;
		};
	};
}

export interface ExecutionResult {
	ok: boolean;
	error?: string;
	/** Names of the nodes that ran, in execution order. */
	ranNodes: string[];
	/** The `json` of the items a node emitted on an output (last run); throws if it never ran. */
	nodeOutputs(name: string, outputIndex?: number): Record<string, unknown>[];
	raw: RunJson;
	log: string;
}

export interface RunningN8n {
	baseUrl: string;
	log(): string;
	stop(): Promise<void>;
}

const COMMAND_TIMEOUT_MS = 90_000;
const START_TIMEOUT_MS = 120_000;
const READY_MESSAGE = 'Editor is now accessible via';

export class N8nInstance {
	private readonly servers = new Set<RunningN8n>();

	private constructor(
		readonly bin: string,
		readonly userFolder: string,
		private readonly extraEnv: NodeJS.ProcessEnv,
	) {}

	static async create(options: N8nOptions = {}): Promise<N8nInstance> {
		const bin = await ensureN8n();
		const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-guard-e2e-'));
		try {
			if (options.linkPackage !== false) linkPackage(userFolder, options.packageRoot);
		} catch (error) {
			fs.rmSync(userFolder, { recursive: true, force: true });
			throw error;
		}
		return new N8nInstance(bin, userFolder, options.env ?? {});
	}

	/** Runs `n8n <args>`; rejects with n8n's log on a non-zero exit unless allowFailure. */
	async run(args: string[], opts: { timeoutMs?: number; allowFailure?: boolean } = {}): Promise<CommandResult> {
		const child = spawn(this.bin, args, { cwd: this.userFolder, env: await this.env(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
		const output = collect(child);
		const code = await new Promise<number | null>((resolve, reject) => {
			const timer = setTimeout(() => {
				killGroup(child, 'SIGKILL');
				reject(new Error(`n8n ${args.join(' ')} timed out after ${opts.timeoutMs ?? COMMAND_TIMEOUT_MS} ms\n${tail(output.text())}`));
			}, opts.timeoutMs ?? COMMAND_TIMEOUT_MS);
			child.on('error', reject);
			child.on('close', (exitCode) => {
				clearTimeout(timer);
				resolve(exitCode);
			});
		});
		const result = { code, log: output.text(), messages: output.messages() };
		if (code !== 0 && !opts.allowFailure) {
			throw new Error(`n8n ${args.join(' ')} exited with ${code}\n${tail(result.log)}`);
		}
		return result;
	}

	/** Imports a workflow (given a random id when it has none) and returns its id. */
	async importWorkflow(workflow: WorkflowJson): Promise<string> {
		const id = workflow.id ?? randomBytes(8).toString('hex');
		const dir = path.join(this.userFolder, 'workflows');
		fs.mkdirSync(dir, { recursive: true });
		const file = path.join(dir, `${id}.json`);
		fs.writeFileSync(file, JSON.stringify({ ...workflow, id }, null, 2));
		await this.run(['import:workflow', `--input=${file}`]);
		return id;
	}

	/** Imports credentials given in plain data; n8n encrypts them with this instance's key. */
	async importCredentials(credentials: Array<{ id: string; name: string; type: string; data: Record<string, unknown> }>): Promise<void> {
		const file = path.join(this.userFolder, `credentials-${randomBytes(4).toString('hex')}.json`);
		fs.writeFileSync(file, JSON.stringify(credentials), { mode: 0o600 });
		try {
			await this.run(['import:credentials', `--input=${file}`]);
		} finally {
			fs.rmSync(file, { force: true });
		}
	}

	/** Publishes (activates) a workflow; takes effect at the next `start`. */
	async publishWorkflow(id: string): Promise<void> {
		await this.run(['publish:workflow', `--id=${id}`]);
	}

	/** Runs a workflow headless with `n8n execute` and parses the run it prints. */
	async execute(id: string, timeoutMs = COMMAND_TIMEOUT_MS): Promise<ExecutionResult> {
		const result = await this.run(['execute', `--id=${id}`, '--rawOutput'], { timeoutMs, allowFailure: true });
		const raw = findRun(result.messages);
		if (!raw) throw new Error(`n8n execute --id=${id} printed no run (exit ${result.code})\n${tail(result.log)}`);
		const { runData, error } = raw.data.resultData;
		const ranNodes = Object.keys(runData);
		return {
			ok: result.code === 0 && !error,
			error: error ? [error.message, error.description].filter(Boolean).join(': ') : undefined,
			ranNodes,
			raw,
			log: result.log,
			nodeOutputs(name, outputIndex = 0) {
				const runs = runData[name];
				if (!runs) throw new Error(`Node "${name}" did not run; ran: ${ranNodes.join(', ')}`);
				const items = runs[runs.length - 1].data?.main?.[outputIndex] ?? [];
				return items.map((item) => item.json);
			},
		};
	}

	/** Starts `n8n start` on a free port after publishing `publish`; resolves once it serves. */
	async start(opts: { publish?: string[]; timeoutMs?: number } = {}): Promise<RunningN8n> {
		for (const id of opts.publish ?? []) await this.publishWorkflow(id);
		const port = await freePort();
		const env = { ...(await this.env()), N8N_PORT: String(port), N8N_LISTEN_ADDRESS: '127.0.0.1', N8N_HOST: 'localhost' };
		const child = spawn(this.bin, ['start'], { cwd: this.userFolder, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
		const output = collect(child);
		const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
		const server: RunningN8n = {
			baseUrl: `http://127.0.0.1:${port}`,
			log: () => output.text(),
			stop: async () => {
				this.servers.delete(server);
				killGroup(child, 'SIGTERM');
				const killer = setTimeout(() => killGroup(child, 'SIGKILL'), 15_000);
				await exited;
				clearTimeout(killer);
			},
		};
		this.servers.add(server);
		const deadline = Date.now() + (opts.timeoutMs ?? START_TIMEOUT_MS);
		while (!output.messages().some((m) => m.includes(READY_MESSAGE))) {
			const failure = child.exitCode !== null ? `exited with ${child.exitCode}` : Date.now() > deadline ? 'is not ready in time' : '';
			if (failure) {
				await server.stop();
				throw new Error(`n8n start ${failure}\n${tail(output.text())}`);
			}
			await new Promise((r) => setTimeout(r, 200));
		}
		const inactive = (opts.publish ?? []).filter((id) => !output.messages().some((m) => m.startsWith('Activated workflow') && m.includes(`(ID: ${id})`)));
		if (inactive.length > 0) {
			await server.stop();
			throw new Error(`n8n start did not activate ${inactive.join(', ')}\n${tail(output.text())}`);
		}
		return server;
	}

	/** Stops any server this instance started and deletes the user folder. */
	async cleanup(): Promise<void> {
		await Promise.all([...this.servers].map((s) => s.stop()));
		fs.rmSync(this.userFolder, { recursive: true, force: true });
	}

	/** Per invocation: its own task-broker port, so several n8n processes can run at once. */
	private async env(): Promise<NodeJS.ProcessEnv> {
		return n8nEnv(this.userFolder, {
			...this.extraEnv,
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			N8N_LOG_FORMAT: 'json',
			N8N_LOG_LEVEL: 'info',
			N8N_LOG_OUTPUT: 'console',
		});
	}
}

/** Reads test/e2e/fixtures/<name>. */
export function loadFixture(name: string): WorkflowJson {
	return JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8')) as WorkflowJson;
}

/** Buffers a child's output; stdout lines that are n8n JSON log records become messages. */
function collect(child: ChildProcess): { text(): string; messages(): string[] } {
	let stdout = '';
	let stderr = '';
	child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
	child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
	const messages = (): string[] =>
		stdout
			.split('\n')
			.filter((line) => line.trim() !== '')
			.map((line) => {
				const record = tryParse(line);
				return isRecord(record) && typeof record.message === 'string' ? record.message : line;
			});
	return { messages, text: () => [...messages(), stderr].join('\n').trim() };
}

/** The last logged message that is a run (`{ data: { resultData: { runData } } }`). */
function findRun(messages: string[]): RunJson | undefined {
	for (const message of [...messages].reverse()) {
		if (!message.startsWith('{')) continue;
		const value = tryParse(message);
		const data = isRecord(value) ? value.data : undefined;
		const resultData = isRecord(data) ? data.resultData : undefined;
		if (isRecord(resultData) && isRecord(resultData.runData)) return value as RunJson;
	}
	return undefined;
}

function tryParse(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
	if (child.pid === undefined) return;
	try {
		process.kill(-child.pid, signal); // the group: n8n and its task runner
	} catch {
		// already gone
	}
}

function tail(text: string, lines = 60): string {
	return text.split('\n').slice(-lines).join('\n');
}

