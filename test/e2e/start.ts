/**
 * `npm start`: the pinned n8n (installed on first use) with this package loaded the way a user
 * installs it, the sandbox (Salesforce, Zendesk and QuickBooks emulators seeded with Acme Robotics, a
 * local mailbox and a local OpenAI-compatible model), the sandbox credentials pointing at it, and the templates (workflows/*.json) imported with those
 * credentials attached and their "Settings" node (Salesforce / Zendesk / QuickBooks URLs) set to the sandbox. Persistent user folder <repo>/.agent-guard-dev (git-ignored). Foreground;
 * Ctrl+C stops n8n, then the sandbox. Compiled to dist/test/e2e/start.js.
 *
 * Idempotent: credentials and templates have fixed ids and n8n's import updates by id. A template
 * already in n8n is left alone unless its file changed since it was imported (then it is updated in
 * place; n8n keeps the earlier version in the workflow's history).
 *
 * Environment: N8N_PORT (5678), AGENT_GUARD_DEV_FOLDER (the user folder), AGENT_GUARD_TEMPLATES_DIR
 * (<repo>/workflows), AGENT_GUARD_SANDBOX_PORTS / AGENT_GUARD_SANDBOX_<NAME>_PORT (8101,8102,8103, the
 * record viewer 8100, the mailbox 8105, the model 8106).
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { sandboxSummary } from '../sandbox/main';
import { Sandbox, sandboxPortsFromEnv, startSandbox } from '../sandbox/sandbox';
import { applySettings, attachSandboxCredentials, loadTemplates, sandboxSettings, templateDigest, TemplateWorkflow } from '../sandbox/templates';
import { ensureN8n, freePort, linkPackage, n8nEnv, PACKAGE_NAME, repoRoot } from './n8nInstall';

const READY_MESSAGE = 'Editor is now accessible via';
/** Which template digests were imported last, so an unchanged template is not re-imported. */
const TEMPLATE_STATE_FILE = 'agent-guard-templates.json';

interface ImportedTemplate {
	id: string;
	name: string;
	file: string;
	status: 'imported' | 'updated' | 'unchanged';
}

function say(line = ''): void {
	console.log(line === '' ? '' : `Agent Guard: ${line}`);
}


/** Runs an n8n CLI command in the user folder; rejects with its output on failure. */
async function n8nCommand(bin: string, userFolder: string, args: string[]): Promise<string> {
	const env = n8nEnv(userFolder, { N8N_RUNNERS_BROKER_PORT: String(await freePort()), N8N_LOG_LEVEL: 'info' });
	const child = spawn(bin, args, { cwd: userFolder, env, stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
	child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
	const code = await new Promise<number | null>((resolve, reject) => {
		child.on('error', reject);
		child.on('close', resolve);
	});
	if (code !== 0) throw new Error(`n8n ${args[0]} failed (exit ${code}):\n${output.trim().split('\n').slice(-30).join('\n')}`);
	return output;
}

/** The sandbox credentials, with the tokens the emulators issued at this start (same ids: updated in place). */
async function importCredentials(bin: string, userFolder: string, sandbox: Sandbox): Promise<void> {
	const file = path.join(userFolder, `sandbox-credentials-${process.pid}.json`);
	fs.writeFileSync(file, JSON.stringify(sandbox.credentials()), { mode: 0o600 });
	try {
		await n8nCommand(bin, userFolder, ['import:credentials', `--input=${file}`]);
	} finally {
		fs.rmSync(file, { force: true });
	}
}

async function importTemplates(bin: string, userFolder: string, folder: string, sandbox: Sandbox): Promise<ImportedTemplate[]> {
	const templates = loadTemplates(folder);
	if (templates.length === 0) return [];
	const stateFile = path.join(userFolder, TEMPLATE_STATE_FILE);
	const state = (fs.existsSync(stateFile) ? JSON.parse(fs.readFileSync(stateFile, 'utf8')) : {}) as Record<string, string>;
	const listed = await n8nCommand(bin, userFolder, ['list:workflow', '--onlyId']);
	const existing = new Set(listed.split('\n').map((line) => line.trim()));
	const results: ImportedTemplate[] = [];
	const toImport: TemplateWorkflow[] = [];
	for (const { file, workflow } of templates) {
		const prepared = applySettings(attachSandboxCredentials(workflow), sandboxSettings(sandbox.urls, sandbox.quickbooks.realmId));
		const id = String(prepared.id);
		const digest = templateDigest(prepared);
		const present = existing.has(id);
		const status = !present ? 'imported' : state[id] !== digest ? 'updated' : 'unchanged';
		results.push({ id, name: prepared.name, file: path.relative(process.cwd(), file) || file, status });
		if (status !== 'unchanged') {
			toImport.push(prepared);
			state[id] = digest;
		}
	}
	if (toImport.length > 0) {
		const dir = fs.mkdtempSync(path.join(userFolder, 'templates-'));
		try {
			for (const workflow of toImport) fs.writeFileSync(path.join(dir, `${String(workflow.id)}.json`), JSON.stringify(workflow, null, 2));
			await n8nCommand(bin, userFolder, ['import:workflow', '--separate', `--input=${dir}`]);
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
		fs.writeFileSync(stateFile, JSON.stringify(state, null, 2));
	}
	return results;
}

/** "Template 2": the file numbered 2 (e.g. 02-….json), else the second one. */
function secondTemplate(templates: ImportedTemplate[]): ImportedTemplate | undefined {
	return templates.find((t) => /^0*2[^0-9]/.test(path.basename(t.file))) ?? templates[1];
}

function whereToClick(baseUrl: string, userFolder: string, sandbox: Sandbox, templates: ImportedTemplate[]): string[] {
	const lines = [
		'',
		'================================================================================',
		`Agent Guard is ready: open ${baseUrl}`,
		'  First visit: n8n asks you to set up an owner account. Any name, e-mail and password will do;',
		`  they stay in ${userFolder} on this machine (no account anywhere).`,
	];
	if (templates.length === 0) {
		lines.push('  No templates found to import (workflows/*.json).');
	} else {
		lines.push('  Templates (Overview → Workflows), connected to the sandbox credentials:');
		templates.forEach((t, i) => lines.push(`    ${i + 1}. ${t.name}   ${baseUrl}/workflow/${t.id}${t.status === 'unchanged' ? '' : `   (${t.status})`}`));
		const second = secondTemplate(templates);
		if (second) {
			const inbox = sandbox.urls.viewer ? `${sandbox.urls.viewer}#inbox` : sandbox.urls.mail;
			lines.push(
				'',
				`  Try it, no account needed: open "${second.name}" and click "Execute workflow".`,
				'  Pick nothing: the sandbox credentials (model, mail, Zendesk) are attached.',
				`  Open the Sandbox viewer's Inbox (${inbox}), open the Approval Gate's e-mail and its link,`,
				`  and approve on that page. Watch the ticket change in the records viewer (${sandbox.urls.viewer || sandbox.urls.zendesk}),`,
				'  Then undo the write: open the incident-response template, click "Execute workflow" (its form opens in a',
				'  new tab), and give support-bot and the triage run\'s execution id (the Executions tab shows it as #id).',
				'  The sticky note in each template explains its steps.',
			);
		}
	}
	lines.push('', ...sandboxSummary(sandbox), '', 'Stop with Ctrl+C (n8n, then the sandbox). Delete the user folder for a fresh start.', '================================================================================');
	return lines;
}

async function main(): Promise<void> {
	const bin = await ensureN8n();
	const root = repoRoot();
	const userFolder = path.resolve(process.env.AGENT_GUARD_DEV_FOLDER || path.join(root, '.agent-guard-dev'));
	const templatesFolder = path.resolve(process.env.AGENT_GUARD_TEMPLATES_DIR || path.join(root, 'workflows'));
	const port = process.env.N8N_PORT || '5678';
	const baseUrl = `http://localhost:${port}`;
	fs.mkdirSync(userFolder, { recursive: true });
	linkPackage(userFolder, root);

	const sandbox = await startSandbox({ ports: sandboxPortsFromEnv() });
	let child: ChildProcess | undefined;
	let stopping = false;
	const shutDown = (code: number): void => {
		sandbox.stop().finally(() => process.exit(code));
	};
	const onSignal = (signal: NodeJS.Signals): void => {
		if (!child) {
			stopping = true;
			say(`${signal}: stopping the sandbox`);
			shutDown(130);
			return;
		}
		if (stopping) {
			say('stopping now (n8n killed)');
			killGroup(child, 'SIGKILL');
			return;
		}
		stopping = true;
		say('stopping n8n (Ctrl+C again to kill it)');
		killGroup(child, signal); // n8n shuts down gracefully; on its exit the sandbox stops and we exit
	};
	process.on('SIGINT', () => onSignal('SIGINT'));
	process.on('SIGTERM', () => onSignal('SIGTERM'));

	try {
		say(`sandbox up (Salesforce ${sandbox.urls.salesforce}, Zendesk ${sandbox.urls.zendesk}, QuickBooks ${sandbox.urls.quickbooks}, mail ${sandbox.urls.mail}, model ${sandbox.urls.model})`);
		say('importing the sandbox credentials…');
		await importCredentials(bin, userFolder, sandbox);
		say(`importing templates from ${templatesFolder}…`);
		const templates = await importTemplates(bin, userFolder, templatesFolder, sandbox);
		if (stopping) return;

		say(`n8n starting at ${baseUrl} with ${PACKAGE_NAME} loaded (data in ${userFolder})`);
		// Own process group: a terminal's Ctrl+C reaches only us, and n8n gets exactly one signal from us.
		child = spawn(bin, ['start'], { cwd: userFolder, env: n8nEnv(userFolder, { N8N_PORT: port }), stdio: ['ignore', 'pipe', 'inherit'], detached: true });
		let announced = false;
		let pending = '';
		child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
			process.stdout.write(chunk);
			if (announced) return;
			pending = (pending + chunk).slice(-4096);
			if (pending.includes(READY_MESSAGE)) {
				announced = true;
				for (const line of whereToClick(baseUrl, userFolder, sandbox, templates)) console.log(line);
			}
		});
		child.on('error', (error) => {
			console.error(`Agent Guard: could not start n8n: ${error.message}`);
			shutDown(1);
		});
		child.on('exit', (code, signal) => {
			say(`n8n stopped (${signal ?? `exit ${code}`}); stopping the sandbox`);
			shutDown(code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1));
		});
	} catch (error) {
		await sandbox.stop();
		throw error;
	}
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
	if (child.pid === undefined) return;
	try {
		process.kill(-child.pid, signal); // n8n and its task runner
	} catch {
		// already gone
	}
}

main().catch((error: unknown) => {
	console.error(`Agent Guard: ${error instanceof Error ? error.message : String(error)}`);
	process.exit(1);
});
