/**
 * Detectors for what must not leave through an agent's output: secrets and personal data.
 * Every detector runs in time linear in its input: fixed prefixes and bounded repeats in
 * regular expressions, and hand-written scans where a pattern would backtrack (e-mail).
 */
export interface Span {
	type: string;
	start: number;
	end: number;
}

type Detector = (text: string) => Span[];

function matches(text: string, type: string, pattern: RegExp, accept?: (m: RegExpExecArray) => boolean): Span[] {
	const out: Span[] = [];
	pattern.lastIndex = 0;
	for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
		if (!accept || accept(m)) out.push({ type, start: m.index, end: m.index + m[0].length });
		if (m[0].length === 0) pattern.lastIndex++;
	}
	return out;
}

export const SECRET_DETECTORS: Record<string, Detector> = {
	private_key: (t) => matches(t, 'private_key', /-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----[\s\S]{0,10000}?-----END [A-Z ]{0,40}PRIVATE KEY-----/g),
	jwt: (t) => matches(t, 'jwt', /\beyJ[A-Za-z0-9_-]{8,2000}\.eyJ[A-Za-z0-9_-]{8,4000}\.[A-Za-z0-9_-]{8,2000}/g),
	aws_access_key: (t) => matches(t, 'aws_access_key', /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g),
	api_key: (t) =>
		matches(t, 'api_key', /\b(?:sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,200}|sk_(?:live|test)_[A-Za-z0-9]{16,100}|rk_(?:live|test)_[A-Za-z0-9]{16,100}|xox[abpr]-[A-Za-z0-9-]{10,200}|gh[pousr]_[A-Za-z0-9]{30,100}|glpat-[A-Za-z0-9_-]{20,100}|AIza[0-9A-Za-z_-]{35})/g),
	bearer_token: (t) => matches(t, 'bearer_token', /\bBearer [A-Za-z0-9._~+/-]{16,2000}=*/g),
	password_in_url: (t) => matches(t, 'password_in_url', /\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s:/@]{1,128}:[^\s:/@]{1,128}@/g),
};

export const PII_DETECTORS: Record<string, Detector> = {
	email: scanEmails,
	card_number: (t) => matches(t, 'card_number', /\b\d(?:[ -]?\d){12,18}\b/g, (m) => luhn(m[0].replace(/\D/g, ''))),
	iban: (t) => matches(t, 'iban', /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/g, (m) => ibanValid(m[0].replace(/ /g, ''))),
	us_ssn: (t) => matches(t, 'us_ssn', /\b(\d{3})-(\d{2})-(\d{4})\b/g, (m) => m[1] !== '000' && m[1] !== '666' && m[1][0] !== '9' && m[2] !== '00' && m[3] !== '0000'),
	phone: (t) =>
		matches(t, 'phone', /(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?)?\d{2,4}[ .-]\d{3,4}[ .-]?\d{3,4}\b/g, (m) => {
			const digits = m[0].replace(/\D/g, '').length;
			// Part of a longer run of digit groups (a card, an IBAN, an order number) is not a phone number.
			const after = t.slice(m.index + m[0].length, m.index + m[0].length + 2);
			const before = t.slice(Math.max(0, m.index - 2), m.index);
			if (/^[ .-]?\d/.test(after) || /\d[ .-]?$/.test(before)) return false;
			// International (+), an area code in brackets, or the North American 3-3-4 shape.
			return digits >= 9 && digits <= 15 && (m[0].startsWith('+') || m[0].includes('(') || /^\d{3}[ .-]\d{3}[ .-]\d{4}$/.test(m[0]));
		}),
};

export function luhn(digits: string): boolean {
	if (digits.length < 13 || digits.length > 19 || /^(\d)\1+$/.test(digits)) return false;
	let sum = 0;
	for (let i = 0; i < digits.length; i++) {
		let d = digits.charCodeAt(digits.length - 1 - i) - 48;
		if (i % 2 === 1) {
			d *= 2;
			if (d > 9) d -= 9;
		}
		sum += d;
	}
	return sum % 10 === 0;
}

/** ISO 13616 mod-97 check. */
export function ibanValid(iban: string): boolean {
	if (iban.length < 15 || iban.length > 34) return false;
	const moved = iban.slice(4) + iban.slice(0, 4);
	let remainder = 0;
	for (const ch of moved) {
		const code = ch.charCodeAt(0);
		const value = code >= 65 && code <= 90 ? String(code - 55) : ch;
		for (const digit of value) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97;
	}
	return remainder === 1;
}

const LOCAL = /[A-Za-z0-9._%+-]/;
const DOMAIN = /[A-Za-z0-9.-]/;

/** E-mail addresses found from each "@" outwards: linear, where one regex would backtrack on long runs. */
function scanEmails(text: string): Span[] {
	const out: Span[] = [];
	let from = 0;
	for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', from)) {
		let start = at;
		while (start > 0 && at - start < 64 && LOCAL.test(text[start - 1])) start--;
		let end = at + 1;
		while (end < text.length && end - at <= 253 && DOMAIN.test(text[end])) end++;
		while (end > at + 1 && (text[end - 1] === '.' || text[end - 1] === '-')) end--;
		const domain = text.slice(at + 1, end);
		const dot = domain.lastIndexOf('.');
		if (start < at && dot > 0 && /^[A-Za-z]{2,24}$/.test(domain.slice(dot + 1))) out.push({ type: 'email', start, end });
		from = Math.max(at + 1, end);
	}
	return out;
}
