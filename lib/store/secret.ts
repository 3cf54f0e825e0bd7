import { createHmac, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { StoreConfigError } from './types';

export const SECRET_FILE = 'secret';

/**
 * The installation's signing secret for the embedded store: made once, kept 0600 beside
 * the journal. Created with O_EXCL so that n8n and the CLI starting together agree on one.
 */
export async function loadOrCreateSecret(dir: string): Promise<string> {
	const path = join(dir, SECRET_FILE);
	await fs.mkdir(dir, { recursive: true, mode: 0o700 });
	try {
		await fs.writeFile(path, randomBytes(32).toString('hex') + '\n', { flag: 'wx', mode: 0o600 });
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new StoreConfigError(`cannot create the signing secret ${path}: ${(error as Error).message}`);
	}
	for (let attempt = 0; attempt < 50; attempt++) {
		const secret = (await fs.readFile(path, 'utf8')).trim();
		if (secret.length >= 32) return secret;
		await new Promise((r) => setTimeout(r, 10)); // another process is writing it right now
	}
	throw new StoreConfigError(`the signing secret ${path} is empty or shorter than 32 characters: restore it from a backup (without it the trail cannot be verified)`);
}

/** A key for one purpose, derived from the signing secret (HMAC-SHA256, hex). */
export function deriveKeyFrom(secret: string, purpose: string): string {
	if (!/^[a-z][a-z0-9.-]{0,63}$/.test(purpose)) throw new StoreConfigError(`"${purpose}" is not a key purpose`);
	return createHmac('sha256', secret).update(`agent-guard/derived-key/v1\n${purpose}`).digest('hex');
}
