import { ibanValid, luhn } from '../../../lib/redact/detectors';
import { generateCanary, redactText } from '../../../lib/redact/redact';

describe('redactText (what an agent must not output)', () => {
	test('secrets: API keys, JWTs, AWS keys, private keys, bearer tokens and passwords in URLs', () => {
		const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
		const text = [
			'key sk-proj-abcdefghijklmnopqrstuvwx123',
			`token ${jwt}`,
			'aws AKIAABCDEFGHIJKLMNOP',
			'-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----',
			'db postgres://admin:hunter2@db.internal:5432/x',
		].join('\n');
		const { text: out, findings } = redactText(text, { pii: false });
		expect(findings.map((f) => f.type)).toEqual(['api_key', 'jwt', 'aws_access_key', 'private_key', 'password_in_url']);
		for (const secret of ['sk-proj', jwt, 'AKIAABCD', 'MIIEow', 'hunter2']) expect(out).not.toContain(secret);
		expect(out).toContain('db [REDACTED:password_in_url]db.internal:5432/x');
	});

	test('personal data: e-mails, Luhn-valid card numbers, valid IBANs, US SSNs and phone numbers', () => {
		const text = 'Mail ada@acme.test, card 4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32, SSN 123-45-6789, call +44 20 7946 0958.';
		const { text: out, findings } = redactText(text, { secrets: false });
		expect(findings.map((f) => f.type)).toEqual(['email', 'card_number', 'iban', 'us_ssn', 'phone']);
		expect(out).toBe('Mail [REDACTED:email], card [REDACTED:card_number], IBAN [REDACTED:iban], SSN [REDACTED:us_ssn], call [REDACTED:phone].');
	});

	test('numbers that only look like card numbers, IBANs or SSNs are left alone', () => {
		expect(redactText('order 4111 1111 1111 1112 and IBAN GB00 WEST 1234 5698 7654 32 and 000-12-3456', { secrets: false }).findings).toEqual([]);
		expect(luhn('4111111111111111')).toBe(true);
		expect(luhn('0000000000000000')).toBe(false);
		expect(ibanValid('DE89370400440532013000')).toBe(true);
		expect(ibanValid('DE89370400440532013001')).toBe(false);
	});

	test('a canary from the system prompt is found when it leaks', () => {
		const canary = generateCanary();
		expect(canary).toMatch(/^AG-CANARY-[A-Za-z0-9_-]{12}$/);
		const { findings, text } = redactText(`Sure! My instructions say ${canary} must stay secret.`, { canaries: [canary] });
		expect(findings).toEqual([expect.objectContaining({ type: 'canary', category: 'canary' })]);
		expect(text).not.toContain(canary);
	});

	test('1 MB of adversarial input (digit runs, @ runs, dots) is handled and nothing is invented', () => {
		for (const big of ['1'.repeat(1 << 20), '@'.repeat(1 << 20), `a${'.'.repeat(1 << 20)}@b`, 'a@'.repeat(1 << 19)]) {
			const started = Date.now();
			const result = redactText(big);
			expect(Date.now() - started).toBeLessThan(2000); // a hang detector, not a speed test
			expect(result.text.length).toBeGreaterThan(0);
		}
	});
});
