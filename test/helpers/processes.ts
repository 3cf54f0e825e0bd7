import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const REPO = join(__dirname, '..', '..');

/** Tests that start other processes use the built package, as n8n does: `npm run build` first. */
export function requireBuild(): void {
	if (!existsSync(join(REPO, 'dist', 'lib', 'store', 'open.js'))) {
		throw new Error('dist/ is missing: run "npm run build" before these tests (npm test does it for you)');
	}
}

export interface Finished {
	code: number | null;
	stdout: string;
	stderr: string;
}

export function start(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): { child: ChildProcess; done: Promise<Finished> } {
	const child = spawn(command, args, { cwd: REPO, env, stdio: ['pipe', 'pipe', 'pipe'] });
	let stdout = '';
	let stderr = '';
	child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
	child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
	const done = new Promise<Finished>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
	return { child, done };
}

export async function runCliProcess(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Finished> {
	requireBuild();
	return start(process.execPath, [join(REPO, 'dist', 'lib', 'cli', 'main.js'), ...args], env).done;
}
