/**
 * The pinned n8n in test/e2e/n8n: installs it on demand and prepares n8n user folders that
 * load this package the way a user's install does (~/.n8n/nodes/node_modules/<package>).
 * Shared by start.ts (compiled into dist/) and the jest harness, so Node built-ins only.
 */
import { spawn } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export const PACKAGE_NAME = 'n8n-nodes-agent-guard';

/** The repository root, found from __dirname so it works from source and from dist/test/e2e. */
export function repoRoot(): string {
	for (let dir = __dirname; ; dir = path.dirname(dir)) {
		const manifest = path.join(dir, 'package.json');
		if (fs.existsSync(manifest) && readJson(manifest).name === PACKAGE_NAME) return dir;
		if (path.dirname(dir) === dir) throw new Error(`Cannot find the ${PACKAGE_NAME} root above ${__dirname}`);
	}
}

/** test/e2e/n8n in the source tree (never under dist/): its package.json pins n8n. */
export function n8nDir(): string {
	return path.join(repoRoot(), 'test', 'e2e', 'n8n');
}

export function n8nBinary(): string {
	return path.join(n8nDir(), 'node_modules', '.bin', process.platform === 'win32' ? 'n8n.cmd' : 'n8n');
}

/** npm writes node_modules/.package-lock.json last, so a half-finished install lacks it. */
function isInstalled(): boolean {
	return fs.existsSync(n8nBinary()) && fs.existsSync(path.join(n8nDir(), 'node_modules', '.package-lock.json'));
}

let installing: Promise<string> | undefined;

/** Returns the n8n binary, running `npm ci` (or `npm install` without a lock) first if needed. */
export function ensureN8n(): Promise<string> {
	if (isInstalled()) return Promise.resolve(shareLangchainCore(n8nBinary()));
	installing ??= withInstallLock(async () => shareLangchainCore(isInstalled() ? n8nBinary() : await install())).finally(() => (installing = undefined));
	return installing;
}

/** The n8n packages that each pin the same @langchain/core and, installed by npm, get a copy each. */
const LANGCHAIN_CORE_USERS = ['@n8n/n8n-nodes-langchain', 'n8n-core', '@n8n/ai-utilities'];

/**
 * npm installs n8n 2.8.4 with a separate copy of @langchain/core 1.1.8 under n8n-core and under the
 * AI nodes (the top level holds a newer one for other packages). n8n-core recognises a tool that an AI
 * node supplies with `instanceof`, which fails across copies: the tool loses its node name, and
 * Human review for AI Agent tool calls then hands the agent the approval instead of running the tool
 * (the agent asks again). pnpm, which n8n builds with, shares one copy; so do we, by linking the
 * copies of the same version to the first. Idempotent; returns `binary`.
 */
export function shareLangchainCore(binary: string): string {
	const copies = LANGCHAIN_CORE_USERS.map((pkg) => path.join(n8nDir(), 'node_modules', ...pkg.split('/'), 'node_modules', '@langchain', 'core')).filter((dir) => fs.existsSync(path.join(dir, 'package.json')));
	const [shared, ...others] = copies;
	if (!shared) return binary;
	const version = (dir: string): string => (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
	for (const dir of others) {
		try {
			if (fs.lstatSync(dir).isSymbolicLink() || version(dir) !== version(shared)) continue;
			fs.rmSync(dir, { recursive: true, force: true });
			fs.symlinkSync(path.relative(path.dirname(dir), fs.realpathSync(shared)), dir, 'dir');
		} catch (error) {
			// Another process (a parallel test worker) linked it first.
			if (!['EEXIST', 'ENOENT'].includes(String((error as NodeJS.ErrnoException).code))) throw error;
		}
	}
	return binary;
}

/** One install at a time across processes (parallel jest workers on a fresh clone). */
async function withInstallLock<T>(fn: () => Promise<T>): Promise<T> {
	const lock = path.join(os.tmpdir(), `agent-guard-n8n-install-${createHash('sha1').update(n8nDir()).digest('hex').slice(0, 12)}.lock`);
	for (let waited = false; ; waited = true) {
		try {
			fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
			break;
		} catch {
			const owner = Number(fs.existsSync(lock) ? fs.readFileSync(lock, 'utf8') : 0);
			if (owner > 0 && !isAlive(owner)) fs.rmSync(lock, { force: true });
			else if (!waited) process.stderr.write(`Agent Guard: waiting for another process installing n8n (${lock})\n`);
			await new Promise((r) => setTimeout(r, 1000));
		}
	}
	try {
		return await fn();
	} finally {
		fs.rmSync(lock, { force: true });
	}
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

async function install(): Promise<string> {
	const dir = n8nDir();
	const args = fs.existsSync(path.join(dir, 'package-lock.json')) ? ['ci'] : ['install'];
	args.push('--no-audit', '--no-fund', '--loglevel=error');
	const started = Date.now();
	process.stderr.write(`Agent Guard: installing the pinned n8n (npm ${args.join(' ')} in ${dir}); this takes a few minutes...\n`);
	const ticker = setInterval(() => {
		process.stderr.write(`Agent Guard: still installing n8n (${Math.round((Date.now() - started) / 1000)} s)\n`);
	}, 30_000);
	try {
		const code = await new Promise<number | null>((resolve, reject) => {
			const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
			const child = spawn(npm, args, { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
			child.on('error', reject);
			child.on('exit', resolve);
		});
		if (code !== 0 || !fs.existsSync(n8nBinary())) {
			throw new Error(`npm ${args[0]} in ${dir} failed (exit ${code}); see the npm output above`);
		}
	} finally {
		clearInterval(ticker);
	}
	process.stderr.write(`Agent Guard: n8n installed in ${Math.round((Date.now() - started) / 1000)} s\n`);
	return n8nBinary();
}

/**
 * Makes `userFolder` an n8n user folder whose .n8n/nodes/node_modules holds this package (a
 * symlink to `packageRoot`) and .n8n/nodes/package.json lists it. Throws a clear error when a
 * file the package.json `n8n` section lists (dist/...) is missing, i.e. before `npm run build`.
 */
export function linkPackage(userFolder: string, packageRoot: string = repoRoot()): void {
	const manifest = readJson(path.join(packageRoot, 'package.json'));
	const section = isRecord(manifest.n8n) ? manifest.n8n : {};
	const listed = [section.nodes, section.credentials].flatMap((l) => (Array.isArray(l) ? l : []));
	const missing = listed.filter((f): f is string => typeof f === 'string' && !fs.existsSync(path.join(packageRoot, f)));
	if (missing.length > 0) {
		throw new Error(`${PACKAGE_NAME} is not built (missing ${missing.join(', ')}): run \`npm run build\` in ${packageRoot} first`);
	}
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const link = path.join(nodesDir, 'node_modules', PACKAGE_NAME);
	fs.mkdirSync(path.dirname(link), { recursive: true });
	fs.writeFileSync(
		path.join(nodesDir, 'package.json'),
		JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { [PACKAGE_NAME]: String(manifest.version) } }, null, 2),
	);
	fs.rmSync(link, { recursive: true, force: true });
	fs.symlinkSync(packageRoot, link, 'dir');
}

/** The environment every n8n invocation gets: quiet, offline, no telemetry, sqlite in the user folder. */
export function n8nEnv(userFolder: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
	return {
		...process.env,
		NODE_ENV: undefined, // jest sets "test", which makes n8n refuse to load nodes and log nothing
		N8N_USER_FOLDER: userFolder,
		DB_TYPE: 'sqlite',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
		...extra,
	};
}

function readJson(file: string): Record<string, unknown> {
	const value: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
	if (!isRecord(value)) throw new Error(`${file} is not a JSON object`);
	return value;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A port nobody listens on right now (n8n's task broker, the sandbox, test servers). */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
		});
	});
}
