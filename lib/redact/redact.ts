import { randomBytes } from 'node:crypto';
import { PII_DETECTORS, SECRET_DETECTORS, Span } from './detectors';

export interface RedactOptions {
	secrets?: boolean;
	pii?: boolean;
	/** Canary tokens planted in the system prompt: their appearance in output is a leak. */
	canaries?: string[];
}

export interface RedactResult {
	text: string;
	findings: Array<Span & { category: 'secret' | 'pii' | 'canary' }>;
}

/** Finds and replaces secrets, personal data and leaked canaries with `[REDACTED:type]`. */
export function redactText(text: string, options: RedactOptions = {}): RedactResult {
	const spans: Array<Span & { category: 'secret' | 'pii' | 'canary' }> = [];
	if (options.secrets !== false) for (const detect of Object.values(SECRET_DETECTORS)) for (const s of detect(text)) spans.push({ ...s, category: 'secret' });
	if (options.pii !== false) for (const detect of Object.values(PII_DETECTORS)) for (const s of detect(text)) spans.push({ ...s, category: 'pii' });
	for (const canary of options.canaries ?? []) {
		if (canary.length < 8) continue;
		for (let at = text.indexOf(canary); at !== -1; at = text.indexOf(canary, at + canary.length)) spans.push({ type: 'canary', start: at, end: at + canary.length, category: 'canary' });
	}
	// Overlaps: the earliest, then the longest span wins (a JWT inside a Bearer header is one finding).
	spans.sort((a, b) => a.start - b.start || b.end - a.end);
	const kept: typeof spans = [];
	for (const s of spans) if (kept.length === 0 || s.start >= kept[kept.length - 1].end) kept.push(s);
	let out = '';
	let last = 0;
	for (const s of kept) {
		out += text.slice(last, s.start) + `[REDACTED:${s.type}]`;
		last = s.end;
	}
	return { text: out + text.slice(last), findings: kept };
}

/** A canary to put in the system prompt ("never repeat this token"); if it shows up in output, the prompt leaked. */
export function generateCanary(): string {
	return `AG-CANARY-${randomBytes(9).toString('base64url')}`;
}
