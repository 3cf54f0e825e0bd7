/**
 * Proves the harness drives the pinned real n8n, using only n8n's own nodes (so it needs no
 * build of this package). First run installs n8n into test/e2e/n8n (a few minutes).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadFixture, N8nInstance } from './harness';
import { PACKAGE_NAME, repoRoot } from './n8nInstall';

jest.setTimeout(15 * 60_000); // covers the one-off n8n install; a run takes ~5-20 s

describe('e2e harness on the pinned n8n', () => {
	let n8n: N8nInstance;

	beforeAll(async () => {
		n8n = await N8nInstance.create();
	});

	afterAll(async () => {
		await n8n?.cleanup();
	});

	it('installs this package into the user folder the way n8n community packages are installed', () => {
		const nodesDir = path.join(n8n.userFolder, '.n8n', 'nodes');
		expect(fs.realpathSync(path.join(nodesDir, 'node_modules', PACKAGE_NAME))).toBe(fs.realpathSync(repoRoot()));
		const manifest: unknown = JSON.parse(fs.readFileSync(path.join(nodesDir, 'package.json'), 'utf8'));
		expect(manifest).toMatchObject({ dependencies: { [PACKAGE_NAME]: expect.any(String) } });
	});

	it('runs a manual-trigger workflow headless and returns the items its Code node emits', async () => {
		const id = await n8n.importWorkflow(loadFixture('code-three-items.json'));
		const run = await n8n.execute(id);
		expect(run.error).toBeUndefined();
		expect(run.ok).toBe(true);
		expect(run.ranNodes).toEqual(['When clicking Execute', 'Three items']);
		expect(run.nodeOutputs('Three items')).toEqual([
			{ n: 1, square: 1 },
			{ n: 2, square: 4 },
			{ n: 3, square: 9 },
		]);
	});

	it('reports a failing node as a failed run with the node error message', async () => {
		const workflow = loadFixture('code-three-items.json');
		const failing = {
			...workflow,
			id: 'e2eCodeThrows01',
			nodes: workflow.nodes.map((node) =>
				(node as { name: string }).name === 'Three items'
					? { ...(node as object), parameters: { jsCode: 'throw new Error("guard said no");' } }
					: node,
			),
		};
		const run = await n8n.execute(await n8n.importWorkflow(failing));
		expect(run.ok).toBe(false);
		expect(run.error).toContain('guard said no');
		expect(() => run.nodeOutputs('Not a node')).toThrow(/did not run/);
	});

	it('serves a published webhook workflow and answers the POST with the last node output', async () => {
		const id = await n8n.importWorkflow(loadFixture('webhook-echo.json'));
		const server = await n8n.start({ publish: [id] });
		try {
			const response = await fetch(`${server.baseUrl}/webhook/agent-guard-e2e-echo`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ value: 21 }),
			});
			expect(response.status).toBe(200);
			expect(await response.json()).toEqual({ received: 21, doubled: 42 });
		} finally {
			await server.stop();
		}
	});

	describe('with a stand-in for the built package', () => {
		let stub: string;

		/** A package named like ours whose n8n section lists one node, optionally left unbuilt. */
		function writeStubPackage(built: boolean): string {
			const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-guard-stub-'));
			const n8nSection = { n8nNodesApiVersion: 1, credentials: [], nodes: ['dist/nodes/Shout.node.js'] };
			fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: PACKAGE_NAME, version: '0.0.0', n8n: n8nSection }));
			if (built) {
				fs.mkdirSync(path.join(dir, 'dist', 'nodes'), { recursive: true });
				fs.copyFileSync(path.join(__dirname, 'fixtures', 'stub-package', 'Shout.node.js'), path.join(dir, 'dist', 'nodes', 'Shout.node.js'));
			}
			return dir;
		}

		afterEach(() => fs.rmSync(stub, { recursive: true, force: true }));

		it('refuses to start when the package is not built, naming the missing file and npm run build', async () => {
			stub = writeStubPackage(false);
			await expect(N8nInstance.create({ packageRoot: stub })).rejects.toThrow(/dist\/nodes\/Shout\.node\.js.*npm run build/);
		});

		it('loads the linked package so its nodes run as n8n-nodes-agent-guard.<name> and see the extra env', async () => {
			stub = writeStubPackage(true);
			const withStub = await N8nInstance.create({ packageRoot: stub, env: { AGENT_GUARD_E2E_PROBE: 'from-harness' } });
			try {
				const run = await withStub.execute(await withStub.importWorkflow(loadFixture('stub-package-shout.json')));
				expect(run.error).toBeUndefined();
				expect(run.nodeOutputs('Shout')).toEqual([{ text: 'HELLO', probe: 'from-harness' }]);
			} finally {
				await withStub.cleanup();
			}
		});
	});
});
