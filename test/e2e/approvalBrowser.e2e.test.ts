/**
 * The Approval Gate's approval page in a real browser: headless Chromium (Debian's, driven by
 * playwright-core) opens the approver link served by the pinned real n8n 2.8.4, reads the
 * request, approves it with a comment through the form, and n8n resumes on Approved. The
 * page's strict Content-Security-Policy (no scripts, one hashed style) must not break it:
 * no CSP violation may be reported and the hashed style must actually apply.
 * Takes a screenshot of the page; with AGENT_GUARD_UPDATE_SCREENSHOT=1 it replaces the README's docs/approval-page.png. Needs `npm run build` first, and Chromium:
 * `apt-get update && apt-get install -y chromium` (.ci/run installs it).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Browser, chromium, ConsoleMessage, Page } from 'playwright-core';
import { approvers, gateWorkflow, Inbox, Notice, whenWaiting } from './approvalFixtures';
import { N8nInstance, RunningN8n } from './harness';

jest.setTimeout(10 * 60_000);

const CHROMIUM = process.env.AGENT_GUARD_CHROMIUM || '/usr/bin/chromium';
const SCREENSHOT = process.env.AGENT_GUARD_UPDATE_SCREENSHOT ? path.join(__dirname, '..', '..', 'docs', 'approval-page.png') : path.join(os.tmpdir(), `agent-guard-approval-page-${process.pid}.png`);
/** Without the background-networking flags Chromium keeps dialling Google's hosts on this closed network. */
const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

function requireChromium(): void {
	if (fs.existsSync(CHROMIUM)) return;
	throw new Error(
		`Chromium is not installed at ${CHROMIUM}, so the approval page cannot be tested in a browser.\n` +
			'Install it (as root): apt-get update && apt-get install -y chromium\n' +
			'(.ci/run does this; AGENT_GUARD_CHROMIUM=/path/to/chromium points the test at another build.)',
	);
}

/** Everything the browser reported that could mean the page was broken or a resource refused. */
function watch(page: Page): string[] {
	const problems: string[] = [];
	page.on('console', (msg: ConsoleMessage) => {
		const text = msg.text();
		if (msg.type() === 'error' || msg.type() === 'warning' || /Content Security Policy|Refused to/i.test(text)) problems.push(`console ${msg.type()}: ${text}`);
	});
	page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
	page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} (${request.failure()?.errorText ?? '?'})`));
	return problems;
}

describe('Approval Gate page in headless Chromium (real n8n 2.8.4)', () => {
	let n8n: N8nInstance | undefined;
	let server: RunningN8n | undefined;
	let browser: Browser | undefined;
	const inbox = new Inbox();
	let hookPath = '';
	let inboxOpen = false;

	beforeAll(async () => {
		requireChromium();
		await inbox.start();
		inboxOpen = true;
		n8n = await N8nInstance.create();
		const { workflow, path: p } = gateWorkflow(inbox.port, { approvers: approvers('Dana'), message: 'The lead agent wants to qualify a lead after their reply to the demo invite.' });
		hookPath = p;
		const id = await n8n.importWorkflow(workflow);
		server = await n8n.start({ publish: [id] });
		browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
	});

	afterAll(async () => {
		if (process.env.AG_E2E_DEBUG) console.log(server?.log().slice(-8000));
		await browser?.close();
		await server?.stop();
		await n8n?.cleanup();
		if (inboxOpen) await inbox.close();
	});

	test('the approver reads the request, approves it with a comment in the browser, and the execution resumes on Approved', async () => {
		if (!browser || !server) throw new Error('setup failed');
		const res = await fetch(`${server.baseUrl}/webhook/${hookPath}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
		expect(res.status).toBe(200);
		const notice = await inbox.waitFor<Notice>(() => inbox.notices[0], 'the approver notice');
		await whenWaiting(notice.link);

		const context = await browser.newContext({ viewport: { width: 1000, height: 900 }, deviceScaleFactor: 1, locale: 'en-US' });
		const page = await context.newPage();
		const problems = watch(page);
		try {
			const opened = await page.goto(notice.link, { waitUntil: 'load' });
			expect(opened?.status()).toBe(200);
			expect(opened?.headers()['content-security-policy']).toContain("default-src 'none'");
			await expect(page.title()).resolves.toBe('Approval needed');
			await expect(page.locator('h1').textContent()).resolves.toBe('Approval needed');

			// Who asks for what.
			const lead = page.locator('.lead');
			expect(await lead.textContent()).toContain('lead-bot');
			expect(await page.getByText('The lead agent wants to qualify a lead after their reply').count()).toBe(1);
			// The agent's reason is shown as text, its markup inert.
			expect(await page.getByText('Replied <b>positively</b> to the demo invite').count()).toBe(1);
			expect(await page.locator('b').count()).toBe(0);

			// Before → after, row by row.
			const rows: string[][] = [];
			for (const row of await page.locator('table tbody tr').all()) rows.push((await row.locator('th, td').allTextContents()).map((cell) => cell.trim()));
			// (The stored action is canonical JSON, so the fields come in key order.)
			expect(rows).toEqual([
				['Rating', 'Cold', 'Hot'],
				['Status', 'Open - Not Contacted', 'Qualified'],
			]);
			expect(await page.locator('table thead th').allTextContents()).toEqual(['Field', 'Before', 'After']);
			expect(await page.getByText(/in (59|60) minutes/).count()).toBe(1);

			// The hashed inline style applied (a CSP refusal would leave the browser's default grey button).
			const approve = page.getByRole('button', { name: /^Approve/ });
			const reject = page.getByRole('button', { name: 'Reject' });
			await expect(approve.isVisible()).resolves.toBe(true);
			await expect(reject.isVisible()).resolves.toBe(true);
			// (Strings, not functions: they run in the page, and this project compiles without the DOM types.)
			expect(await page.evaluate<string>('getComputedStyle(document.querySelector("button.approve")).backgroundColor')).not.toMatch(/^rgb\(239, 239, 239\)|^rgba\(0, 0, 0, 0\)/);
			expect(await page.evaluate<string>('getComputedStyle(document.body).backgroundColor')).not.toBe('rgba(0, 0, 0, 0)');
			expect(await page.evaluate<number>('document.scripts.length')).toBe(0);

			fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
			await page.screenshot({ path: SCREENSHOT, fullPage: true });
			expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(10_000);

			// Decide through the form, as a person would.
			await page.getByLabel('Comment (optional)').fill('Looks right: they asked for pricing.');
			const [decided] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), approve.click()]);
			expect(decided?.status()).toBe(200);
			expect(decided?.request().method()).toBe('POST');
			await expect(page.locator('h1').textContent()).resolves.toBe('Your decision is recorded');
			const confirmation = (await page.locator('main').textContent()) ?? '';
			expect(confirmation).toMatch(/You \(Dana\) chose to approve/);
			expect(confirmation).toContain('is approved');
			expect(confirmation).toContain('Looks right: they asked for pricing.');
			await expect(page.locator('form').count()).resolves.toBe(0);

			// n8n resumed the execution on Approved.
			const result = await inbox.waitFor(() => inbox.results.find((r) => r.branch === 'approved'), 'the Approved branch');
			expect(result.body.approval).toMatchObject({ id: notice.approvalId, approvers: ['Dana'] });
			expect(result.body.guard).toMatchObject({ decision: 'approved', approvalId: notice.approvalId });
			expect(inbox.results.filter((r) => r.branch === 'rejected')).toHaveLength(0);

			// Neither page had a CSP violation, a script error, or a refused resource.
			expect(problems).toEqual([]);
		} finally {
			await context.close();
		}
	});
});
