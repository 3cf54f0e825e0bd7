/**
 * Security Checklist in a real n8n-core execution, reading workflows from a local HTTP server that
 * answers like n8n's public API (GET /workflows with cursor paging, GET /workflows/{id}, the
 * X-N8N-API-KEY header), with the checklist fixtures as the installation's workflows.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { EmbeddedStore } from '../../lib/store/embedded';
import { closeAllStores } from '../../lib/store/open';
import { CREDENTIAL_REF, embeddedCredential, guardNodeTypes } from '../helpers/guardNodes';
import { runWorkflow } from '../helpers/n8nInProcess';
import { TEST_SECRET, tempDir } from '../helpers/stores';

jest.setTimeout(60_000);

const FIXTURES = join(__dirname, '..', 'fixtures', 'checklist');
const WORKFLOWS = readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort().map((f) => JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as { id: string; name: string });
const API_KEY = 'n8n-api-key-for-tests';
const requests: string[] = [];
let server: Server;
let baseUrl: string;

function answer(req: IncomingMessage, res: ServerResponse): void {
	requests.push(req.url ?? '');
	const send = (status: number, body: unknown) => {
		res.writeHead(status, { 'content-type': 'application/json' });
		res.end(JSON.stringify(body));
	};
	if (req.headers['x-n8n-api-key'] !== API_KEY) return send(401, { message: 'unauthorized' });
	const url = new URL(req.url ?? '/', 'http://x');
	const one = /^\/api\/v1\/workflows\/([^/]+)$/.exec(url.pathname);
	if (one) {
		const wf = WORKFLOWS.find((w) => w.id === decodeURIComponent(one[1]));
		return wf ? send(200, wf) : send(404, { message: 'Not Found' });
	}
	if (url.pathname === '/api/v1/workflows') {
		// Pages of 4, whatever the limit asked, so the cursor is followed.
		const start = Number(url.searchParams.get('cursor') ?? 0);
		const page = WORKFLOWS.slice(start, start + 4);
		return send(200, { data: page, nextCursor: start + 4 < WORKFLOWS.length ? String(start + 4) : null });
	}
	send(404, { message: 'Not Found' });
}

beforeAll(async () => {
	server = createServer(answer);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});
afterAll(async () => {
	await closeAllStores();
	await new Promise((resolve) => server.close(resolve));
});

function checklistNode(parameters: Record<string, unknown>) {
	return { name: 'Security Checklist', type: 'n8n-nodes-agent-guard.securityChecklist', parameters, credentials: { ...CREDENTIAL_REF, n8nApi: { id: '9', name: 'n8n API' } } };
}

test('checks every workflow read through the paged API: guarded ones to Pass, failing ones to Fail with the failed rule ids', async () => {
	const journal = tempDir('checklist-node');
	const run = await runWorkflow({
		nodeTypes: guardNodeTypes,
		nodes: [checklistNode({ workflows: 'all' })],
		credentials: { agentGuardApi: embeddedCredential(journal), n8nApi: { apiKey: API_KEY, baseUrl } },
	});
	const pass = run.nodeOutput('Security Checklist', 0);
	const fail = run.nodeOutput('Security Checklist', 1);
	expect(pass.length + fail.length).toBe(WORKFLOWS.length);
	expect(requests.filter((u) => u.includes('cursor=')).length).toBeGreaterThan(0);
	expect(pass.map((w) => w.workflowId)).toEqual(expect.arrayContaining(['wf-guarded', 'wf-incident', 'wf-read-only']));
	const noApproval = fail.find((w) => w.workflowId === 'wf-no-approval');
	expect(noApproval?.failed).toEqual(['write_needs_approval']);
	expect(noApproval?.guard).toMatchObject({ decision: 'checklist_failed', reasons: [{ code: 'write_needs_approval' }] });
	// n8n's API gives no credential data: the credential rules say so.
	const creds = fail.find((w) => w.workflowId === 'wf-creds') as { results: Array<{ rule: string; message: string }> };
	expect(creds.results.find((r) => r.rule === 'credential_owner')?.message).toContain("n8n's API does not give out credential data");

	const store = await EmbeddedStore.open({ dir: journal, secret: TEST_SECRET });
	const entries = (await store.query({ event: 'checklist.checked', limit: 100 })).entries;
	await store.close();
	expect(entries).toHaveLength(WORKFLOWS.length);
	expect(entries.find((e) => e.details?.checkedWorkflowId === 'wf-no-approval')?.details).toMatchObject({ passed: false, failed: ['write_needs_approval'] });
});

test('By ID checks only the listed workflows; Using Agent Guard Nodes skips workflows without any', async () => {
	const credentials = { agentGuardApi: embeddedCredential(tempDir('checklist-node-ids')), n8nApi: { apiKey: API_KEY, baseUrl } };
	const byId = await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [checklistNode({ workflows: 'ids', workflowIds: 'wf-guarded, wf-wildcard' })], credentials });
	expect(byId.nodeOutput('Security Checklist', 0).map((w) => w.workflowId)).toEqual(['wf-guarded']);
	expect(byId.nodeOutput('Security Checklist', 1).map((w) => w.workflowId)).toEqual(['wf-wildcard']);

	const guardOnly = await runWorkflow({ nodeTypes: guardNodeTypes, nodes: [checklistNode({ workflows: 'agentGuard' })], credentials });
	const ids = [...guardOnly.nodeOutput('Security Checklist', 0), ...guardOnly.nodeOutput('Security Checklist', 1)].map((w) => w.workflowId);
	expect(ids).not.toContain('wf-bare');
	expect(ids).toContain('wf-guarded');
});

test('a wrong API key stops the node with an error that says to check the key', async () => {
	const run = await runWorkflow({
		nodeTypes: guardNodeTypes,
		nodes: [checklistNode({ workflows: 'all' })],
		credentials: { agentGuardApi: embeddedCredential(tempDir('checklist-node-key')), n8nApi: { apiKey: 'wrong', baseUrl } },
	});
	expect(run.error('Security Checklist')?.message).toContain('401');
	expect(run.error('Security Checklist')?.description).toContain('API key');
});
