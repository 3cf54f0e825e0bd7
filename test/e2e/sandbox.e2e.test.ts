/**
 * `npm start` for real: the built entry (dist/test/e2e/start.js) brings up the pinned n8n 2.8.4 with
 * our nodes, the sandbox, the sandbox credentials and the templates; checked over n8n's REST API as a
 * signed-in owner; Ctrl+C (SIGINT) stops n8n and the sandbox cleanly; a second start in the same user
 * folder duplicates nothing. Uses the templates in workflows/ when there are any, else a small fixture.
 * Needs `npm run build` first.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureN8n, freePort, repoRoot } from './n8nInstall';
import { SANDBOX_CREDENTIALS } from '../sandbox/sandbox';

jest.setTimeout(20 * 60_000);

const READY = 'Agent Guard is ready';
const OWNER = { email: 'owner@acme-robotics.example', firstName: 'Olivia', lastName: 'Owner', password: 'Sandbox-owner-1' };

interface Started {
	child: ChildProcess;
	output(): string;
	exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}


function canListen(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

/** A minimal template in the shape of the bundled ones, for when workflows/ has none yet. */
function fixtureTemplate(): Record<string, unknown> {
	return {
		id: 'agTplSandboxE2E',
		name: 'Sandbox e2e: Zendesk write',
		nodes: [
			{ id: 'a1000000-0000-4000-8000-000000000001', name: 'When clicking Execute workflow', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{ id: 'a1000000-0000-4000-8000-000000000002', name: 'Guarded Write', type: 'n8n-nodes-agent-guard.guardedWrite', typeVersion: 1, position: [220, 0], parameters: { agentId: 'support-bot', dryRun: true } },
		],
		connections: { 'When clicking Execute workflow': { main: [[{ node: 'Guarded Write', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
		pinData: {},
		active: false,
	};
}

describe('npm start: n8n with the nodes, the sandbox, its credentials and the templates', () => {
	const root = repoRoot();
	const entry = path.join(root, 'dist', 'test', 'e2e', 'start.js');
	let userFolder = '';
	let templatesDir = '';
	let templateIds: string[] = [];
	let n8nPort = 0;
	let env: NodeJS.ProcessEnv = {};
	let running: Started | undefined;
	let cookie = '';

	beforeAll(async () => {
		if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
		await ensureN8n();
		userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-guard-start-'));
		const bundled = path.join(root, 'workflows');
		if (fs.existsSync(bundled) && fs.readdirSync(bundled).some((f) => f.endsWith('.json'))) {
			templatesDir = bundled;
		} else {
			templatesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-guard-templates-'));
			fs.writeFileSync(path.join(templatesDir, '01-fixture.json'), JSON.stringify(fixtureTemplate(), null, 2));
		}
		templateIds = fs
			.readdirSync(templatesDir)
			.filter((f) => f.endsWith('.json'))
			.map((f) => String((JSON.parse(fs.readFileSync(path.join(templatesDir, f), 'utf8')) as { id: string }).id));
		n8nPort = await freePort();
		env = {
			...process.env,
			NODE_ENV: undefined,
			AGENT_GUARD_DEV_FOLDER: userFolder,
			AGENT_GUARD_TEMPLATES_DIR: templatesDir,
			// Fixed for both starts, as the defaults are: the templates' Settings hold the sandbox URLs.
			AGENT_GUARD_SANDBOX_PORTS: [await freePort(), await freePort(), await freePort(), await freePort(), await freePort(), await freePort()].join(','),
			N8N_PORT: String(n8nPort),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		};
	});

	afterAll(async () => {
		if (running && running.child.exitCode === null) {
			running.child.kill('SIGKILL');
			await running.exited;
		}
		if (userFolder) fs.rmSync(userFolder, { recursive: true, force: true });
		if (templatesDir && templatesDir !== path.join(root, 'workflows')) fs.rmSync(templatesDir, { recursive: true, force: true });
	});

	async function start(): Promise<Started> {
		const child = spawn(process.execPath, [entry], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
		let text = '';
		child.stdout?.setEncoding('utf8').on('data', (c: string) => (text += c));
		child.stderr?.setEncoding('utf8').on('data', (c: string) => (text += c));
		const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
		const started: Started = { child, output: () => text, exited };
		running = started;
		const deadline = Date.now() + 8 * 60_000;
		while (!text.includes(READY)) {
			if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode} before it was ready:\n${text.slice(-6000)}`);
			if (Date.now() > deadline) throw new Error(`npm start was not ready in time:\n${text.slice(-6000)}`);
			await new Promise((r) => setTimeout(r, 500));
		}
		return started;
	}

	async function stop(started: Started): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
		started.child.kill('SIGINT'); // what Ctrl+C sends
		const killer = setTimeout(() => started.child.kill('SIGKILL'), 60_000);
		const result = await started.exited;
		clearTimeout(killer);
		return result;
	}

	const api = async <T>(p: string): Promise<T> => {
		const res = await fetch(`http://127.0.0.1:${n8nPort}${p}`, { headers: { cookie } });
		if (res.status !== 200) throw new Error(`GET ${p}: ${res.status} ${await res.text()}`);
		return (await res.json()) as T;
	};

	const sandboxPorts = (output: string): number[] => {
		const line = output.split('\n').find((l) => l.includes('sandbox up')) ?? '';
		return [...line.matchAll(/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
	};

	test('first start: our nodes load, the sandbox credentials and every template are imported, templates use the sandbox credentials', async () => {
		const first = await start();
		const out = first.output();
		expect(out).toContain(`http://localhost:${n8nPort}`);
		expect(out).toMatch(/set up an owner account/);
		expect(out).toMatch(/Pick nothing: the sandbox credentials \(model, mail, Zendesk\) are attached/);
		expect(out).toMatch(/Sandbox viewer's Inbox \(http:\/\/127\.0\.0\.1:\d+\/#inbox\)/);
		for (const id of templateIds) expect(out).toContain(`/workflow/${id}`);

		const setup = await fetch(`http://127.0.0.1:${n8nPort}/rest/owner/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(OWNER) });
		expect(setup.status).toBe(200);
		cookie = (setup.headers.get('set-cookie') ?? '').split(';')[0];

		const types = await api<Array<{ name: string }>>('/types/nodes.json');
		for (const name of ['approvalGate', 'guardedWrite', 'reverseWrite', 'credentialCheck', 'scopeGuard', 'spendCap', 'injectionSanitizer', 'auditLogger', 'agentControl']) {
			expect({ name, loaded: types.some((t) => t.name === `n8n-nodes-agent-guard.${name}`) }).toEqual({ name, loaded: true });
		}

		const credentials = (await api<{ data: Array<{ id: string; name: string; type: string }> }>('/rest/credentials')).data;
		for (const c of Object.values(SANDBOX_CREDENTIALS)) expect(credentials).toContainEqual(expect.objectContaining({ id: c.id, name: c.name, type: c.type }));

		const workflows = (await api<{ data: Array<{ id: string; name: string }> }>('/rest/workflows')).data;
		expect(workflows.map((w) => w.id).sort()).toEqual([...templateIds].sort());
		const sandboxIds = new Set<string>(Object.values(SANDBOX_CREDENTIALS).map((c) => c.id));
		let attached = 0;
		for (const id of templateIds) {
			const wf = (await api<{ data: { nodes: Array<{ credentials?: Record<string, { id: string }> }> } }>(`/rest/workflows/${id}`)).data;
			for (const node of wf.nodes) for (const ref of Object.values(node.credentials ?? {})) if (sandboxIds.has(ref.id)) attached++;
		}
		expect(attached).toBeGreaterThan(0);

		const ports = sandboxPorts(out);
		expect(ports).toHaveLength(5); // Salesforce, Zendesk, QuickBooks, mail, model
		const exit = await stop(first);
		expect(exit).toEqual({ code: 0, signal: null });
		expect(first.output()).toMatch(/n8n stopped/);
		for (const port of [n8nPort, ...ports]) expect({ port, free: await canListen(port) }).toEqual({ port, free: true });
	});

	test('second start in the same folder: nothing is duplicated, and it stops cleanly again', async () => {
		const second = await start();
		expect(second.output()).not.toMatch(/\((imported|updated)\)/);
		const login = await fetch(`http://127.0.0.1:${n8nPort}/rest/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, password: OWNER.password }),
		});
		expect(login.status).toBe(200);
		cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
		const workflows = (await api<{ data: Array<{ id: string; name: string }> }>('/rest/workflows')).data;
		expect(workflows.map((w) => w.id).sort()).toEqual([...templateIds].sort());
		expect(new Set(workflows.map((w) => w.name)).size).toBe(workflows.length);
		const credentials = (await api<{ data: Array<{ id: string; name: string }> }>('/rest/credentials')).data;
		for (const c of Object.values(SANDBOX_CREDENTIALS)) expect(credentials.filter((x) => x.name === c.name).map((x) => x.id)).toEqual([c.id]);
		expect(credentials).toHaveLength(Object.keys(SANDBOX_CREDENTIALS).length);
		expect(await stop(second)).toEqual({ code: 0, signal: null });
	});
});
