/**
 * Approval Gate in the pinned real n8n 2.8.4: a webhook-triggered workflow reaches the gate,
 * waits; the approver's link (delivered to a local generic webhook) serves the page, a POST
 * decides, and n8n resumes the execution on the right output. Needs `npm run build` first.
 */
import { runCliProcess } from '../helpers/processes';
import { approvers, gateWorkflow, Inbox, Notice, whenWaiting } from './approvalFixtures';
import { N8nInstance, RunningN8n } from './harness';

jest.setTimeout(15 * 60_000);

async function decide(link: string, decision: 'approve' | 'reject', comment = '', token?: string) {
	const t = token ?? String(new URL(link).searchParams.get('t'));
	const body = new URLSearchParams({ t, decision, comment });
	const res = await fetch(link, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
	return { status: res.status, html: await res.text(), csp: res.headers.get('content-security-policy') };
}

describe('Approval Gate in real n8n 2.8.4 (embedded store)', () => {
	let n8n: N8nInstance;
	let server: RunningN8n;
	const inbox = new Inbox();
	const cases: Record<string, { path: string }> = {};

	beforeAll(async () => {
		await inbox.start();
		n8n = await N8nInstance.create();
		const ids: string[] = [];
		const add = async (name: string, gate: Record<string, unknown>) => {
			const { workflow, path } = gateWorkflow(inbox.port, gate);
			ids.push(await n8n.importWorkflow(workflow));
			cases[name] = { path };
		};
		await add('approve', { approvers: approvers('Dana') });
		await add('reject', { approvers: approvers('Dana') });
		await add('quorum', { approvers: approvers('Dana', 'Lee'), quorum: 2 });
		await add('expiry', { approvers: approvers('Dana'), expiresInHours: 0.0015 });
		await add('timeout', { approvers: approvers('Dana'), expiresInHours: 0.0015 });
		server = await n8n.start({ publish: ids });
	});

	afterAll(async () => {
		if (process.env.AG_E2E_DEBUG) console.log(server?.log().slice(-8000));
		await server?.stop();
		await n8n?.cleanup();
		await inbox.close();
	});

	async function trigger(name: string, approverCount: number): Promise<Notice[]> {
		const before = inbox.notices.length;
		const res = await fetch(`${server.baseUrl}/webhook/${cases[name].path}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
		expect(res.status).toBe(200);
		const notices = await inbox.waitFor(() => (inbox.notices.length >= before + approverCount ? inbox.notices.slice(before, before + approverCount) : undefined), `${approverCount} notice(s) for ${name}`);
		await whenWaiting(notices[0].link);
		return notices;
	}

	test('the gate waits; the approver link shows before → after; a POST approve resumes the execution on Approved with a signed proof', async () => {
		const [notice] = await trigger('approve', 1);
		expect(notice.approver.name).toBe('Dana');
		const page = await fetch(notice.link);
		const html = await page.text();
		expect(page.status).toBe(200);
		expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
		expect(html).toContain('Open - Not Contacted');
		expect(html).toContain('Qualified');
		expect(html).toContain('&lt;b&gt;positively&lt;/b&gt;');
		expect(html).not.toMatch(/<script/i);
		// A GET (a mail scanner, a link preview) decides nothing.
		await new Promise((r) => setTimeout(r, 500));
		expect(inbox.results).toHaveLength(0);
		const decided = await decide(notice.link, 'approve', 'Looks right');
		expect(decided.status).toBe(200);
		const result = await inbox.waitFor(() => inbox.results.find((r) => r.branch === 'approved'), 'the Approved branch');
		expect(result.body.approval).toMatchObject({ id: notice.approvalId, approvers: ['Dana'], digest: expect.stringMatching(/^[0-9a-f]{64}$/), signature: expect.any(String) });
		expect(result.body.guard).toMatchObject({ decision: 'approved', reasons: [{ code: 'approved' }], approvalId: notice.approvalId });
		// Once decided, the link offers no form any more, and a replayed POST changes nothing.
		// (After the execution has finished, n8n itself answers with its "no action required" page.)
		const again = await fetch(notice.link);
		expect(await again.text()).not.toContain('name="decision"');
		expect((await decide(notice.link, 'reject')).html).not.toContain('name="decision"');
		await new Promise((r) => setTimeout(r, 1000));
		expect(inbox.results.filter((r) => r.branch === 'rejected' && (r.body.guard as { approvalId?: string })?.approvalId === notice.approvalId)).toHaveLength(0);
		expect(inbox.results.filter((r) => r.body.approval && (r.body.approval as { id: string }).id === notice.approvalId)).toHaveLength(1);
		const trail = await runCliProcess(['audit', 'query', '--json'], { ...process.env, N8N_USER_FOLDER: n8n.userFolder, AGENT_GUARD_REDIS_URL: '' });
		const events = trail.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; actor: { id: string }; details: { approvalId?: string; status?: string } });
		const mine = events.filter((e) => e.details.approvalId === notice.approvalId);
		expect(mine.map((e) => [e.event, e.details.status ?? '', e.actor.id])).toEqual([
			['approval.requested', '', 'lead-bot'],
			['approval.decided', 'approved', 'dana@acme.test'],
			['approval.checked', '', 'agent-guard'],
		]);
	});

	test('reject resumes on Rejected with who and why', async () => {
		const [notice] = await trigger('reject', 1);
		expect((await decide(notice.link, 'reject', 'Not a real reply')).status).toBe(200);
		const result = await inbox.waitFor(() => inbox.results.find((r) => r.branch === 'rejected' && (r.body.guard as { approvalId?: string })?.approvalId === notice.approvalId), 'the Rejected branch');
		expect(result.body.rejection).toMatchObject({ by: 'Dana', comment: 'Not a real reply' });
		expect(result.body.approval).toBeUndefined();
	});

	test('a tampered link is refused and changes nothing', async () => {
		const [notice] = await trigger('reject', 1);
		const url = new URL(notice.link);
		const t = String(url.searchParams.get('t'));
		const forged = t.slice(0, -4) + (t.endsWith('AAAA') ? 'BBBB' : 'AAAA');
		url.searchParams.set('t', forged);
		const page = await fetch(url);
		expect(page.status).toBeGreaterThanOrEqual(400);
		const post = await decide(url.toString(), 'approve', '', forged);
		expect(post.status).toBeGreaterThanOrEqual(400);
		// The genuine link still works: the request was untouched.
		expect((await decide(notice.link, 'reject')).status).toBe(200);
		await inbox.waitFor(() => inbox.results.find((r) => (r.body.guard as { approvalId?: string })?.approvalId === notice.approvalId), 'the rejection');
	});

	test('quorum 2 of 2: the first approval keeps the execution waiting, the second resumes it on Approved', async () => {
		const [dana, lee] = await trigger('quorum', 2);
		expect(dana.link).not.toBe(lee.link);
		const first = await decide(dana.link, 'approve');
		expect(first.status).toBe(200);
		expect(first.html).toMatch(/1 of 2/);
		// Dana's second click shows what she decided; it does not count twice.
		const twice = await decide(dana.link, 'approve');
		expect(twice.status).toBe(409);
		expect(twice.html).not.toContain('name="decision"');
		await new Promise((r) => setTimeout(r, 1500));
		expect(inbox.results.find((r) => (r.body.guard as { approvalId?: string })?.approvalId === dana.approvalId)).toBeUndefined();
		expect((await decide(lee.link, 'approve')).status).toBe(200);
		const result = await inbox.waitFor(() => inbox.results.find((r) => r.branch === 'approved' && (r.body.approval as { id?: string })?.id === dana.approvalId), 'the Approved branch');
		expect((result.body.approval as { approvers: string[] }).approvers.sort()).toEqual(['Dana', 'Lee']);
	});

	test('an expired request refuses the approval and leaves on Rejected with approval_expired', async () => {
		const [notice] = await trigger('expiry', 1);
		await new Promise((r) => setTimeout(r, 6000));
		const page = await fetch(notice.link);
		expect(page.status).toBe(410);
		const result = await inbox.waitFor(() => inbox.results.find((r) => r.branch === 'rejected' && (r.body.guard as { approvalId?: string })?.approvalId === notice.approvalId), 'the Rejected branch');
		expect(result.body.guard).toMatchObject({ decision: 'rejected', reasons: [{ code: 'approval_expired' }] });
		await decide(notice.link, 'approve');
		await new Promise((r) => setTimeout(r, 1000));
		expect(inbox.results.filter((r) => r.branch === 'approved' && (r.body.guard as { approvalId?: string })?.approvalId === notice.approvalId)).toHaveLength(0);
	});

	test("when nobody opens the link, n8n's own timer ends the wait and the items still leave on Rejected with approval_expired", async () => {
		const [notice] = await trigger('timeout', 1);
		// n8n looks for due waits about once a minute.
		const result = await inbox.waitFor(() => inbox.results.find((r) => r.branch === 'rejected' && (r.body.action as { recordId?: string })?.recordId && !(r.body.guard as { approvalId?: string })?.approvalId && (r.body.guard as { reasons?: Array<{ code: string }> })?.reasons?.[0]?.code === 'approval_expired'), 'the timed-out items', 150_000);
		expect(result.body.approval).toBeUndefined();
		const trail = await runCliProcess(['audit', 'query', '--event', 'approval.decided', '--json'], { ...process.env, N8N_USER_FOLDER: n8n.userFolder, AGENT_GUARD_REDIS_URL: '' });
		const closed = trail.stdout.trim().split('\n').map((l) => JSON.parse(l) as { details: { approvalId: string; status: string; reason?: string } });
		expect(closed.find((e) => e.details.approvalId === notice.approvalId)?.details).toMatchObject({ status: 'expired', reason: 'approval_expired' });
	});

	test('n8n 2.8.4 offers the gate as Human review for AI Agent tool calls (an approvalGateHitlTool node type) and loads every Agent Guard node and SaaS credential type', async () => {
		// The node list needs a signed-in user: set up the owner of this fresh instance and sign in.
		const owner = { email: 'owner@acme.test', firstName: 'Owner', lastName: 'Acme', password: 'Owner-password-1' };
		const setup = await fetch(`${server.baseUrl}/rest/owner/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(owner) });
		expect(setup.status).toBe(200);
		const cookie = (setup.headers.get('set-cookie') ?? '').split(';')[0];
		const types = (await (await fetch(`${server.baseUrl}/types/nodes.json`, { headers: { cookie } })).json()) as Array<{ name: string; outputs?: unknown; properties: Array<{ name: string; default?: unknown }> }>;
		const hitl = types.find((t) => t.name === 'n8n-nodes-agent-guard.approvalGateHitlTool');
		expect(hitl).toBeDefined();
		expect(hitl?.properties.find((p) => p.name === 'operation')?.default).toBe('sendAndWait');
		for (const name of ['approvalGate', 'guardedWrite', 'reverseWrite', 'credentialCheck', 'scopeGuard', 'spendCap', 'injectionSanitizer', 'auditLogger', 'agentControl']) {
			expect({ name, loaded: types.some((t) => t.name === `n8n-nodes-agent-guard.${name}`) }).toEqual({ name, loaded: true });
		}
		// The SaaS credential types with expiry tracking load too, the OAuth2 ones on n8n's own OAuth2 machinery.
		const credentialTypes = (await (await fetch(`${server.baseUrl}/types/credentials.json`, { headers: { cookie } })).json()) as Array<{ name: string; extends?: string[]; properties: Array<{ name: string }> }>;
		for (const name of ['agentGuardSalesforceOAuth2Api', 'agentGuardQuickBooksOAuth2Api', 'agentGuardZendeskApi', 'agentGuardZendeskOAuth2Api']) {
			const type = credentialTypes.find((t) => t.name === name);
			expect(type?.properties.map((p) => p.name)).toEqual(expect.arrayContaining(['ownerEmail', 'rotationIntervalDays', 'lastRotated', 'warningDays']));
		}
		expect(credentialTypes.find((t) => t.name === 'agentGuardQuickBooksOAuth2Api')?.extends).toEqual(['oAuth2Api']);
		expect(credentialTypes.find((t) => t.name === 'agentGuardZendeskOAuth2Api')?.extends).toEqual(['oAuth2Api']);
	});
});
