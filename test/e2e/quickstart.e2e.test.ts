/**
 * README's "Try it, test it" quick start, clicked through in headless Chromium (playwright-core)
 * against the built `npm start` entry (dist/test/e2e/start.js) on free ports with a fresh user folder:
 * the owner account is set up on n8n's setup page; template 2 (Zendesk ticket triage) is opened and
 * run with the canvas's "Execute workflow" button; the approval e-mail is opened from the sandbox
 * viewer's Inbox and approved on the approval page; the viewer shows the tickets changed as the page
 * said, and the trail holds the writes; then template 4 (Incident response) is run from its form with
 * agent `support-bot` and that execution id, its approval is given from the Inbox, and the tickets are
 * back as they were. Ctrl+C (SIGINT) stops it all.
 *
 * Takes a screenshot of template 2's canvas as imported, zoomed to fit (1800×820); with
 * AGENT_GUARD_UPDATE_SCREENSHOT=1 it replaces the README's docs/template-triage-canvas.png.
 * Needs `npm run build` first, and Chromium (`apt-get install -y chromium`; AGENT_GUARD_CHROMIUM=… for another).
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Browser, BrowserContext, chromium, Locator, Page, selectors } from 'playwright-core';
import { runCliProcess } from '../helpers/processes';
import { whenWaiting } from './approvalFixtures';
import { ensureN8n, freePort, repoRoot } from './n8nInstall';

jest.setTimeout(30 * 60_000);

const CHROMIUM = process.env.AGENT_GUARD_CHROMIUM || '/usr/bin/chromium';
/** Without the background-networking flags Chromium keeps dialling Google's hosts on this closed network. */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SCREENSHOT = process.env.AGENT_GUARD_UPDATE_SCREENSHOT
	? path.join(__dirname, '..', '..', 'docs', 'template-triage-canvas.png')
	: path.join(os.tmpdir(), `agent-guard-template-triage-canvas-${process.pid}.png`);
const READY = 'Agent Guard is ready';
const OWNER = { email: 'owner@acme-robotics.example', firstName: 'Olivia', lastName: 'Owner', password: 'Sandbox-owner-1' };
const TRIAGE = { id: 'agTemplate02Tckt', name: 'Agent Guard · Zendesk ticket triage', file: '02-zendesk-ticket-triage.json' };
const INCIDENT = { id: 'agTemplate04Incd', name: 'Agent Guard · Incident response', formPath: 'agent-guard-incident' };
/** Long enough for a shared 2-core machine; a step that works is much faster. */
const SLOW = 180_000;

interface Ticket {
	id: string;
	subject: string;
	status: string;
	priority: string;
	tags: string;
}

interface ProposedChange {
	heading: string;
	operation: string;
	recordId: string;
	/** field → the value after the change (JSON-parsed when it is JSON), for fields the change really changes. */
	changes: Record<string, unknown>;
}

interface Entry {
	seq: number;
	event: string;
	agentId: string;
	executionId?: string;
	node: string;
	subject?: { system?: string; object?: string; recordId?: string };
}

interface MailSummary {
	id: number;
	subject: string;
}

function requireChromium(): void {
	if (fs.existsSync(CHROMIUM)) return;
	throw new Error(
		`Chromium is not installed at ${CHROMIUM}, so the quick start cannot be clicked through.\n` +
			'Install it (as root): apt-get update && apt-get install -y chromium\n' +
			'(.ci/run does this; AGENT_GUARD_CHROMIUM=/path/to/chromium points the test at another build.)',
	);
}

async function until<T>(what: string, look: () => Promise<T | undefined>, ms = SLOW): Promise<T> {
	const deadline = Date.now() + ms;
	for (;;) {
		const found = await look();
		if (found !== undefined) return found;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 1000));
	}
}

const parseValue = (text: string): unknown => {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return text;
	}
};

/** The sections of an Approval Gate page: what each change does to which record, read as the approver sees it. */
async function proposedChanges(page: Page): Promise<ProposedChange[]> {
	const out: ProposedChange[] = [];
	for (const section of await page.locator('main section.card').all()) {
		const terms = (await section.locator('dl.meta dt').allTextContents()).map((t) => t.trim());
		const values = (await section.locator('dl.meta dd').allTextContents()).map((t) => t.trim());
		const meta = Object.fromEntries(terms.map((t, i) => [t, values[i]]));
		const changes: Record<string, unknown> = {};
		for (const row of await section.locator('table tbody tr:not(.same)').all()) {
			const field = ((await row.locator('th').textContent()) ?? '').trim();
			const after = ((await row.locator('td.after').textContent()) ?? '').trim();
			changes[field] = parseValue(after);
		}
		out.push({ heading: ((await section.locator('h2').textContent()) ?? '').trim(), operation: meta.Operation, recordId: meta['Record ID'], changes });
	}
	return out;
}

/**
 * The viewer's "Zendesk · Tickets" table by ticket id, in a new tab (the viewer reloads itself every
 * 5 s, which would abort a navigation of a tab already showing it), read in one go.
 */
async function viewerTickets(context: BrowserContext, url: string): Promise<Map<string, Ticket>> {
	const page = await context.newPage();
	try {
		await page.goto(url, { waitUntil: 'load' });
		// (A string: it runs in the page, and this project compiles without the DOM types.)
		const rows = await page.evaluate<Array<Record<string, string>>>(`(() => {
			const table = [...document.querySelectorAll('table')].find((t) => [...t.querySelectorAll('thead th')].some((th) => th.textContent.trim() === 'subject'));
			const columns = [...table.querySelectorAll('thead th')].map((th) => th.textContent.trim());
			return [...table.querySelectorAll('tbody tr')].map((tr) => Object.fromEntries([...tr.querySelectorAll('td')].map((td, i) => [columns[i], td.textContent.trim()])));
		})()`);
		return new Map(rows.map((r) => [r.id, r as unknown as Ticket]));
	} finally {
		await page.close();
	}
}

/** What a viewer cell shows for a value (arrays are joined with ", "). */
const shown = (value: unknown): string => (Array.isArray(value) ? value.join(', ') : String(value));

/** Waits until the canvas stops moving (zoom to fit animates the viewport). */
async function settled(viewport: Locator): Promise<void> {
	let last = '';
	for (let same = 0; same < 3; ) {
		const now = (await viewport.getAttribute('style')) ?? '';
		same = now === last ? same + 1 : 0;
		last = now;
		await new Promise((r) => setTimeout(r, 250));
	}
}

const overlaps = (a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }): boolean =>
	a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('README quick start in headless Chromium: npm start, template 2 approved from the sandbox Inbox, undone with template 4', () => {
	const root = repoRoot();
	const entry = path.join(root, 'dist', 'test', 'e2e', 'start.js');
	let userFolder = '';
	let baseUrl = '';
	let viewerUrl = '';
	let child: ChildProcess | undefined;
	let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
	let output = '';
	let browser: Browser | undefined;
	let context: BrowserContext;
	let editor: Page;

	// Carried from step to step, as the user carries them.
	let ticketsBefore = new Map<string, Ticket>();
	let approvedChanges: ProposedChange[] = [];
	let triageExecution = '';

	const trail = async (): Promise<Entry[]> => {
		const out = await runCliProcess(['audit', 'query', '--json', '--limit', '1000'], { ...process.env, N8N_USER_FOLDER: userFolder, AGENT_GUARD_REDIS_URL: '' });
		if (out.code !== 0) throw new Error(`agent-guard audit query failed (${out.code}): ${out.stderr}`);
		return out.stdout.trim() ? out.stdout.trim().split('\n').map((l) => JSON.parse(l) as Entry) : [];
	};
	const inboxMails = async (): Promise<MailSummary[]> => (await (await fetch(new URL('/mail.json', viewerUrl))).json()) as MailSummary[];

	/** The Inbox in the browser: waits until an e-mail whose subject matches is listed, opens it, and follows its approval link. */
	async function openApprovalFromInbox(subject: RegExp): Promise<{ page: Page; link: string }> {
		const inbox = await until(`an e-mail "${String(subject)}" in the viewer's Inbox`, async () => {
			const page = await context.newPage();
			await page.goto(`${viewerUrl}#inbox`, { waitUntil: 'load' });
			const mail = page.locator('#inbox ~ article.mail').filter({ has: page.locator('header strong', { hasText: subject }) }).first();
			if ((await mail.count()) > 0) return { page, mail };
			await page.close();
			return undefined;
		});
		try {
			await inbox.mail.getByRole('link', { name: 'open' }).click();
			await inbox.page.waitForURL(/\/mail\/\d+$/);
			const anchor = inbox.page.locator('article.mail .body a', { hasText: '/webhook-waiting/' });
			expect(await anchor.count()).toBe(1);
			const link = String(await anchor.getAttribute('href'));
			// The e-mail goes out just before n8n saves the execution as waiting.
			await whenWaiting(link);
			const [page] = await Promise.all([context.waitForEvent('page'), anchor.click()]);
			await page.waitForLoadState('load');
			await expect(page.locator('h1').textContent()).resolves.toBe('Approval needed');
			return { page, link };
		} finally {
			await inbox.page.close();
		}
	}

	/** Clicks Approve on an approval page (a form POST) and returns the confirmation text. */
	async function approve(page: Page): Promise<string> {
		const [decided] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.getByRole('button', { name: /^Approve/ }).click()]);
		expect(decided?.request().method()).toBe('POST');
		expect(decided?.status()).toBe(200);
		await expect(page.locator('h1').textContent()).resolves.toBe('Your decision is recorded');
		return (await page.locator('main').textContent()) ?? '';
	}

	async function openWorkflow(id: string): Promise<void> {
		await editor.goto(`${baseUrl}/workflow/${id}`);
		await editor.getByTestId('execute-workflow-button').waitFor({ timeout: SLOW });
	}

	beforeAll(async () => {
		if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
		requireChromium();
		await ensureN8n();
		userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-guard-quickstart-'));
		const n8nPort = await freePort();
		// Salesforce, Zendesk, QuickBooks, viewer, mail, model (sandboxPortsFromEnv's order); never the defaults.
		const sandboxPorts: number[] = [];
		for (let i = 0; i < 6; i++) sandboxPorts.push(await freePort());
		baseUrl = `http://localhost:${n8nPort}`;
		viewerUrl = `http://127.0.0.1:${sandboxPorts[3]}/`;
		const env: NodeJS.ProcessEnv = {
			...process.env,
			NODE_ENV: undefined,
			AGENT_GUARD_DEV_FOLDER: userFolder,
			AGENT_GUARD_TEMPLATES_DIR: undefined,
			AGENT_GUARD_SANDBOX_PORTS: sandboxPorts.join(','),
			N8N_PORT: String(n8nPort),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		};
		const started = spawn(process.execPath, [entry], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
		child = started;
		started.stdout?.setEncoding('utf8').on('data', (c: string) => (output += c));
		started.stderr?.setEncoding('utf8').on('data', (c: string) => (output += c));
		exited = new Promise((resolve) => started.on('exit', (code, signal) => resolve({ code, signal })));
		const deadline = Date.now() + 10 * 60_000;
		while (!output.includes(READY)) {
			if (started.exitCode !== null) throw new Error(`npm start exited with ${started.exitCode} before it was ready:\n${output.slice(-6000)}`);
			if (Date.now() > deadline) throw new Error(`npm start was not ready in time:\n${output.slice(-6000)}`);
			await new Promise((r) => setTimeout(r, 500));
		}
		selectors.setTestIdAttribute('data-test-id'); // n8n's editor marks its elements with data-test-id
		browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
		context = await browser.newContext({ viewport: { width: 1800, height: 820 }, deviceScaleFactor: 1, locale: 'en-US' });
		context.setDefaultTimeout(60_000);
		editor = await context.newPage();
	});

	afterAll(async () => {
		if (process.env.AG_E2E_DEBUG) console.log(output.slice(-8000));
		await browser?.close();
		if (child && child.exitCode === null && exited) {
			child.kill('SIGINT'); // what Ctrl+C sends: n8n stops, then the sandbox
			const killer = setTimeout(() => child?.kill('SIGKILL'), 60_000);
			await exited;
			clearTimeout(killer);
		}
		if (userFolder) fs.rmSync(userFolder, { recursive: true, force: true });
	});

	test('npm start prints where to click: n8n, the templates, and the sandbox viewer\'s Inbox', () => {
		expect(output).toContain(`Agent Guard is ready: open ${baseUrl}`);
		expect(output).toContain(`${TRIAGE.name}   ${baseUrl}/workflow/${TRIAGE.id}`);
		expect(output).toContain(`${INCIDENT.name}   ${baseUrl}/workflow/${INCIDENT.id}`);
		expect(output).toContain(`Open the Sandbox viewer's Inbox (${viewerUrl}#inbox)`);
	});

	test('the first visit asks for an owner account; set up on n8n\'s setup page, it lands on the workflows with the templates', async () => {
		await editor.goto(baseUrl);
		const form = editor.getByTestId('setup-form');
		await form.waitFor({ timeout: SLOW });
		expect(new URL(editor.url()).pathname).toBe('/setup');
		await form.locator('input[name="email"]').fill(OWNER.email);
		await form.locator('input[name="firstName"]').fill(OWNER.firstName);
		await form.locator('input[name="lastName"]').fill(OWNER.lastName);
		await form.locator('input[name="password"]').fill(OWNER.password);
		await editor.getByTestId('form-submit-button').click();
		await editor.waitForURL((u) => u.pathname !== '/setup', { timeout: SLOW });
		const templates = fs.readdirSync(path.join(root, 'workflows')).filter((f) => f.endsWith('.json')).length;
		const cards = editor.getByTestId('workflow-card-name');
		await editor.waitForFunction(`document.querySelectorAll('[data-test-id="workflow-card-name"]').length >= ${templates}`, undefined, { timeout: SLOW });
		const names = (await cards.allTextContents()).map((n) => n.trim());
		expect(names).toHaveLength(templates);
		expect(names).toEqual(expect.arrayContaining([TRIAGE.name, INCIDENT.name]));
	});

	test('template 2 opens on the canvas with every node and sticky note, none of the notes overlapping; screenshot zoomed to fit', async () => {
		const workflow = JSON.parse(fs.readFileSync(path.join(root, 'workflows', TRIAGE.file), 'utf8')) as { nodes: Array<{ type: string }> };
		const stickies = workflow.nodes.filter((n) => n.type === 'n8n-nodes-base.stickyNote').length;
		await openWorkflow(TRIAGE.id);
		await expect(editor.getByTestId('canvas-node').count()).resolves.toBe(workflow.nodes.length - stickies);
		await expect(editor.getByTestId('sticky').count()).resolves.toBe(stickies);

		await editor.getByTestId('zoom-to-fit').click();
		await editor.mouse.move(900, 10); // nothing hovered in the picture
		await editor.evaluate('document.activeElement && document.activeElement.blur()');
		await settled(editor.locator('.vue-flow__viewport'));

		// Everything is on screen, inside the canvas, and no sticky note covers another.
		const canvas = await editor.getByTestId('canvas').boundingBox();
		if (!canvas) throw new Error('no canvas');
		const boxes = [];
		for (const sticky of await editor.getByTestId('sticky').all()) {
			const box = await sticky.boundingBox();
			if (!box) throw new Error('a sticky note is not rendered');
			boxes.push(box);
		}
		for (const node of await editor.getByTestId('canvas-node').all()) {
			const box = await node.boundingBox();
			if (!box) throw new Error('a node is not rendered');
			expect(box.x >= canvas.x && box.y >= canvas.y && box.x + box.width <= canvas.x + canvas.width && box.y + box.height <= canvas.y + canvas.height).toBe(true);
		}
		for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) expect({ i, j, overlap: overlaps(boxes[i], boxes[j]) }).toEqual({ i, j, overlap: false });

		fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
		await editor.screenshot({ path: SCREENSHOT });
		expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(50_000);
	});

	test('Execute workflow runs template 2 up to the approval: the approval e-mail is in the viewer\'s Inbox, nothing is written yet, the injection ticket is quarantined', async () => {
		ticketsBefore = await viewerTickets(context, viewerUrl);
		expect(ticketsBefore.get('5101')).toMatchObject({ priority: 'high', tags: 'hardware, ar-7' });
		expect(await inboxMails()).toEqual([]);

		await editor.getByTestId('execute-workflow-button').click();
		await until('the approval e-mail', async () => ((await inboxMails()).some((m) => m.subject.startsWith('Approval needed: support-bot')) ? true : undefined));

		const entries = await trail();
		expect(entries.some((e) => e.event === 'approval.requested' && e.agentId === 'support-bot')).toBe(true);
		expect(entries.some((e) => e.event === 'ticket.quarantined' && e.subject?.recordId === '5104')).toBe(true);
		expect(entries.some((e) => e.event === 'write.applied')).toBe(false);
		const now = await viewerTickets(context, viewerUrl);
		for (const [id, ticket] of ticketsBefore) expect(now.get(id)).toMatchObject({ priority: ticket.priority, tags: ticket.tags });
	});

	test('the Inbox e-mail\'s link opens the before → after page; approving it there resumes the run and the viewer shows the tickets changed as the page said', async () => {
		const { page, link } = await openApprovalFromInbox(/^Approval needed: support-bot/);
		try {
			approvedChanges = await proposedChanges(page);
			expect(approvedChanges.length).toBeGreaterThan(0);
			// The injection ticket never reached the agent.
			expect(approvedChanges.map((c) => c.recordId)).not.toContain('5104');
			// Ticket 5101 (the gripper) gets a triage: at least its tags or priority change.
			const triage5101 = approvedChanges.find((c) => c.recordId === '5101' && ('tags' in c.changes || 'priority' in c.changes));
			expect(triage5101).toBeDefined();
			const confirmation = await approve(page);
			expect(confirmation).toMatch(/You \(Support Lead\) chose to approve/);
			expect(confirmation).toContain('is approved');
		} finally {
			await page.close();
		}
		triageExecution = String(/\/webhook-waiting\/(\d+)\//.exec(link)?.[1]);

		// What the page showed is what the viewer shows once Guarded Write ran.
		const expected = new Map<string, Record<string, unknown>>();
		for (const c of approvedChanges) {
			for (const field of ['priority', 'tags']) if (field in c.changes) expected.set(c.recordId, { ...expected.get(c.recordId), [field]: shown(c.changes[field]) });
		}
		expect(expected.size).toBeGreaterThan(0);
		const matches = (tickets: Map<string, Ticket>): boolean => [...expected].every(([id, fields]) => Object.entries(fields).every(([f, v]) => tickets.get(id)?.[f as keyof Ticket] === v));
		const after = await until('the viewer to show the approved changes', async () => {
			const tickets = await viewerTickets(context, viewerUrl);
			return matches(tickets) ? tickets : undefined;
		});
		expect(after.get('5101')?.tags).not.toBe(ticketsBefore.get('5101')?.tags);
		// The replies to customers the page showed appear as the tickets' latest replies.
		const replies = approvedChanges.filter((c) => typeof (c.changes.comment as { body?: unknown } | undefined)?.body === 'string');
		expect(replies.length).toBeGreaterThan(0);
		await until('the viewer to show the replies', async () => {
			const tickets = await viewerTickets(context, viewerUrl);
			const latest = (id: string): string | undefined => (tickets.get(id) as unknown as Record<string, string> | undefined)?.['latest reply'];
			return replies.every((c) => latest(c.recordId) === (c.changes.comment as { body: string }).body) ? true : undefined;
		});
		// Tickets no change named stay as they were.
		for (const [id, ticket] of ticketsBefore) if (!expected.has(id)) expect(after.get(id)).toMatchObject({ priority: ticket.priority, tags: ticket.tags });

		// The trail (the CLI on the dev folder's journal) holds a write.applied per approved change, in that execution.
		const entries = await until('the writes in the trail', async () => {
			const all = await trail();
			return all.filter((e) => e.event === 'write.applied').length >= approvedChanges.length ? all : undefined;
		});
		const applied = entries.filter((e) => e.event === 'write.applied');
		expect(applied).toHaveLength(approvedChanges.length);
		expect(new Set(applied.map((e) => e.executionId))).toEqual(new Set([triageExecution]));
		expect(applied.every((e) => e.agentId === 'support-bot' && e.node === 'Guarded Write' && e.subject?.system === 'zendesk')).toBe(true);
		expect(applied.map((e) => e.subject?.recordId).sort()).toEqual(approvedChanges.map((c) => c.recordId).sort());
	});

	test('the execution id the incident form needs is on the workflow\'s Executions tab', async () => {
		await editor.goto(`${baseUrl}/workflow/${TRIAGE.id}/executions`);
		const id = editor.getByTestId('execution-preview-id');
		await id.waitFor({ timeout: SLOW });
		expect(((await id.textContent()) ?? '').replace(/\s+/g, '')).toContain(`#${triageExecution}`);
		await expect(editor.getByTestId(`execution-details-${triageExecution}`).textContent()).resolves.toMatch(/Succeeded/);
	});

	test('template 4\'s form, as the canvas\'s Execute workflow opens it (its production URL is not served: the template is not published), suspends the agent; after approval from the Inbox the tickets are back', async () => {
		// npm start does not publish templates, so the production URL answers 404 (the sticky note and README say so).
		const productionPage = await context.newPage();
		try {
			const production = await productionPage.goto(`${baseUrl}/form/${INCIDENT.formPath}`);
			expect(production?.status()).toBe(404);
			await expect(productionPage.locator('body').textContent()).resolves.toContain('Problem loading form');
		} finally {
			await productionPage.close();
		}

		await openWorkflow(INCIDENT.id);
		const [form] = await Promise.all([context.waitForEvent('page'), editor.getByTestId('execute-workflow-button').click()]);
		try {
			await form.waitForLoadState('load');
			expect(new URL(form.url()).pathname).toBe(`/form-test/${INCIDENT.formPath}`);
			await expect(form.locator('h1').first().textContent()).resolves.toContain('Stop an AI agent and undo a run');
			await form.getByLabel('Agent ID').fill('support-bot');
			await form.getByLabel('Execution ID').fill(triageExecution);
			await form.getByLabel('What happened').fill('The triage agent changed tickets it should not have');
			await form.getByLabel('Your e-mail').fill('ops@acme-robotics.example');
			await form.getByRole('button', { name: 'Submit' }).click();
			await form.getByText('Form Submitted').waitFor({ timeout: SLOW });
		} finally {
			await form.close();
		}

		// The agent is suspended at once, and its owner (here: whoever filed the form) is told.
		await until('the suspension e-mail', async () => ((await inboxMails()).some((m) => m.subject === 'Agent "support-bot" was suspended') ? true : undefined));
		expect((await trail()).some((e) => e.event === 'agent.suspended' && e.agentId === 'support-bot')).toBe(true);

		// The reversal waits for its own approval; the page names what goes back.
		const { page } = await openApprovalFromInbox(/^Approval needed: incident-response/);
		let plan: ProposedChange[] = [];
		try {
			plan = await proposedChanges(page);
			expect(await page.locator('main').textContent()).toContain(`Undo execution ${triageExecution} of agent support-bot`);
			expect(await approve(page)).toMatch(/You \(Incident lead\) chose to approve/);
		} finally {
			await page.close();
		}
		// Every field the triage changed is restored to what the viewer showed before it.
		const restored = plan.filter((c) => c.operation === 'restore_fields');
		for (const c of approvedChanges) {
			for (const field of ['priority', 'tags']) {
				if (!(field in c.changes)) continue;
				const restore = restored.find((r) => r.recordId === c.recordId && field in r.changes);
				expect({ ticket: c.recordId, field, to: restore ? shown(restore.changes[field]) : 'not restored' }).toEqual({ ticket: c.recordId, field, to: ticketsBefore.get(c.recordId)?.[field as keyof Ticket] });
			}
		}

		const back = await until('the viewer to show the tickets restored', async () => {
			const tickets = await viewerTickets(context, viewerUrl);
			return [...ticketsBefore].every(([id, t]) => tickets.get(id)?.priority === t.priority && tickets.get(id)?.tags === t.tags) ? tickets : undefined;
		});
		for (const [id, ticket] of ticketsBefore) expect(back.get(id)).toMatchObject({ status: ticket.status, priority: ticket.priority, tags: ticket.tags });
		await until('the e-mail after the reversal', async () => ((await inboxMails()).some((m) => m.subject.startsWith(`Execution ${triageExecution} of "support-bot" reversed`)) ? true : undefined));
		const entries = await trail();
		expect(entries.filter((e) => e.event === 'write.reversed').map((e) => e.subject?.recordId).sort()).toEqual(restored.map((c) => c.recordId).sort());
	});
});
