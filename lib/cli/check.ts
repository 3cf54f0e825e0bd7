import { existsSync, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { ChecklistInputs, CredentialData, TrailEntry, Workflow, WorkflowParseError, WorkflowReport, formatReport, parseWorkflows, runChecklist } from '../checklist';
import { defaultJournalDir } from '../store/embedded';
import { openStore } from '../store/open';
import { collectAll } from '../store/paging';
import { GuardStore } from '../store/types';
import { ParsedArgs, UsageError, flag } from './args';
import { storeConfigFromArgs } from './storeFromArgs';

/**
 * `agent-guard check`: the pre-deployment security checklist over workflow files. Every file or
 * folder (its *.json) is checked; each workflow's incident response is looked for among all of
 * them, so check the whole folder. The trail (for sandbox_run) is read from the store options,
 * or the local n8n's journal when it exists; nothing is written.
 */
export const CHECK_USAGE = `  agent-guard check <workflow.json | folder>... [--json] [--credentials FILE] [store options]
                      the pre-deployment security checklist; FILE: "n8n export:credentials --decrypted" output
                      exit 0: no rule failed; 1: a rule failed (see the fixes); 2: usage error`;

async function filesFrom(paths: string[]): Promise<Array<{ file: string; explicit: boolean }>> {
	const out: Array<{ file: string; explicit: boolean }> = [];
	for (const p of paths) {
		let stat;
		try {
			stat = await fs.stat(p);
		} catch {
			throw new UsageError(`no such file or folder: ${p}`);
		}
		if (stat.isDirectory()) {
			const names = (await fs.readdir(p)).filter((n) => n.endsWith('.json')).sort();
			out.push(...names.map((n) => ({ file: join(p, n), explicit: false })));
		} else out.push({ file: p, explicit: true });
	}
	return out;
}

async function readJson(file: string, what: string): Promise<unknown> {
	const text = await fs.readFile(file, 'utf8').catch((error: Error) => {
		throw new UsageError(`${what}: cannot read ${file}: ${error.message}`);
	});
	try {
		return JSON.parse(text) as unknown;
	} catch (error) {
		throw new UsageError(`${what}: ${file} is not JSON (${(error as Error).message})`);
	}
}

async function loadWorkflows(paths: string[], io: { err: (t: string) => void }): Promise<Workflow[]> {
	const workflows: Workflow[] = [];
	for (const { file, explicit } of await filesFrom(paths)) {
		try {
			const parsed = parseWorkflows(await readJson(file, 'workflow'), file);
			workflows.push(...parsed.map((w) => ({ ...w, source: file })));
		} catch (error) {
			// A folder may hold other JSON (package files, credentials): skip those, say so.
			if ((error instanceof WorkflowParseError || error instanceof UsageError) && !explicit) {
				io.err(`agent-guard check: skipped ${file}: ${error.message}\n`);
				continue;
			}
			if (error instanceof WorkflowParseError) throw new UsageError(error.message);
			throw error;
		}
	}
	return workflows;
}

async function loadCredentials(file: string): Promise<CredentialData[]> {
	const raw = await readJson(file, '--credentials');
	const list = Array.isArray(raw) ? raw : [raw];
	return list
		.filter((c): c is Record<string, unknown> => typeof c === 'object' && c !== null && typeof (c as Record<string, unknown>).type === 'string')
		.map((c) => ({
			id: c.id === undefined ? undefined : String(c.id),
			name: typeof c.name === 'string' ? c.name : undefined,
			type: String(c.type),
			data: typeof c.data === 'object' && c.data !== null ? (c.data as Record<string, unknown>) : {},
		}));
}

/** The trail only when one is named, or the local n8n's journal already exists: a check never creates a journal. */
async function trailStore(args: ParsedArgs, env: NodeJS.ProcessEnv): Promise<GuardStore | undefined> {
	const named = flag(args, 'redis') !== undefined || flag(args, 'dir') !== undefined || !!env.AGENT_GUARD_REDIS_URL;
	if (!named && !existsSync(join(defaultJournalDir(env), 'journal.jsonl'))) return undefined;
	const dir = flag(args, 'dir');
	if (dir !== undefined && flag(args, 'redis') === undefined && !existsSync(join(dir, 'journal.jsonl'))) throw new UsageError(`--dir ${dir} holds no Agent Guard journal (journal.jsonl)`);
	return openStore(await storeConfigFromArgs(args, env));
}

export async function checkCommand(paths: string[], args: ParsedArgs, io: { out: (t: string) => void; err: (t: string) => void; env: NodeJS.ProcessEnv }): Promise<number> {
	if (paths.length === 0) throw new UsageError('check needs workflow files or a folder, e.g. agent-guard check workflows/');
	const workflows = await loadWorkflows(paths, io);
	if (workflows.length === 0) throw new UsageError(`no workflows found in ${paths.join(', ')}`);
	const credentialsFile = flag(args, 'credentials');
	const store = await trailStore(args, io.env);
	const inputs: ChecklistInputs = {
		credentials: credentialsFile ? await loadCredentials(credentialsFile) : undefined,
		credentialsHint: 'pass --credentials FILE, the output of "n8n export:credentials --all --decrypted"',
		trailHint: 'pass --dir or --redis for the Agent Guard store the workflow ran with',
		workflows,
		workflowsHint: `checked together: ${workflows.length} workflow(s); pass every workflow file or the folder`,
	};
	const reports: WorkflowReport[] = [];
	for (const workflow of workflows) {
		let trail: TrailEntry[] | undefined;
		if (store && workflow.id) trail = await collectAll(store, { workflowId: workflow.id });
		else if (store) trail = [];
		reports.push(runChecklist(workflow, { ...inputs, trail }));
	}
	const failed = reports.filter((r) => !r.passed);
	if (args.flags.has('json')) io.out(JSON.stringify({ passed: failed.length === 0, workflows: reports }) + '\n');
	else {
		io.out(reports.map(formatReport).join('\n'));
		io.out(`\n${reports.length - failed.length} of ${reports.length} workflow(s) pass the checklist${failed.length ? `; failing: ${failed.map((r) => `"${r.workflowName}"`).join(', ')}` : ''}\n`);
	}
	return failed.length ? 1 : 0;
}
