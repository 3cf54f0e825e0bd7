import { SendFailure, describeTarget, redactForMessage } from './common';

export interface PostOptions {
	timeoutMs: number;
	headers?: Record<string, string>;
	/** Strings that must not appear in a failure message (see secretsOf). */
	secrets: string[];
}

/** Enough of an error body to say what went wrong; the rest is not read. */
const MAX_BODY_BYTES = 4096;

/**
 * POSTs JSON and resolves to "HTTP <status>" on a 2xx answer. Anything else becomes a
 * SendFailure whose message names the origin only, never the URL, and quotes at most
 * 200 redacted characters of the answer. One timer covers connecting, the answer and
 * its body: a server that sends headers and then stalls is as stuck as one that never
 * answers.
 */
export async function postJson(url: string, payload: unknown, options: PostOptions): Promise<string> {
	const where = describeTarget(url);
	const controller = new AbortController();
	const timer = setTimeout(() => controller.abort(), options.timeoutMs);
	try {
		const headers: Record<string, string> = {};
		for (const [name, value] of Object.entries(options.headers ?? {})) if (name.toLowerCase() !== 'content-type') headers[name] = value;
		headers['content-type'] = 'application/json';
		// Redirects are not followed: the payload holds an approver's personal link and must
		// not be forwarded to wherever a 3xx points. A redirect is reported as a failure.
		const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(payload), signal: controller.signal, redirect: 'manual' });
		const body = await readSome(response);
		if (response.status >= 200 && response.status < 300) return `HTTP ${response.status}`;
		const quoted = redactForMessage(body, options.secrets);
		throw new SendFailure(`HTTP ${response.status} from ${where}${quoted ? `: "${quoted}"` : ''}`);
	} catch (error) {
		if (error instanceof SendFailure) throw error;
		if (controller.signal.aborted) throw new SendFailure(`no answer from ${where} within ${options.timeoutMs} ms`);
		throw new SendFailure(`could not reach ${where} (${networkReason(error, options.secrets)})`);
	} finally {
		clearTimeout(timer);
	}
}

async function readSome(response: Response): Promise<string> {
	if (!response.body) return '';
	const reader = response.body.getReader();
	const chunks: Uint8Array[] = [];
	let size = 0;
	try {
		while (size < MAX_BODY_BYTES) {
			const { done, value } = await reader.read();
			if (done) break;
			chunks.push(value);
			size += value.byteLength;
		}
	} finally {
		// Frees the connection when the rest of a long body is not wanted.
		await reader.cancel().catch(() => undefined);
	}
	return new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES));
}

/**
 * fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, a TLS error) is on
 * `cause`. Read by shape, not instanceof: fetch's errors may come from another realm.
 */
function networkReason(error: unknown, secrets: string[]): string {
	const cause = errorLike(error)?.cause ?? error;
	const found = errorLike(cause);
	if (typeof found?.code === 'string' && found.code !== '') return found.code;
	return (typeof found?.message === 'string' && redactForMessage(found.message, secrets, 120)) || 'network error';
}

function errorLike(value: unknown): { code?: unknown; message?: unknown; cause?: unknown } | undefined {
	return value !== null && typeof value === 'object' ? (value as { code?: unknown; message?: unknown; cause?: unknown }) : undefined;
}
