import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, createServer as createNetServer, Server as NetServer, Socket } from 'node:net';
import { SMTPServer, SMTPServerAddress } from 'smtp-server';
import { ApprovalNotice, DeliveryChannel, DeliveryError, deliverApprovalNotices } from '../../lib/approval/delivery';

/** Real servers only: an SMTP server and HTTP servers on loopback, each closed in afterAll. */
const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
	await Promise.all(closers.map((close) => close()));
});

const EXPIRES = Date.UTC(2030, 0, 2, 3, 4, 5);
const HOSTILE = `<script>alert("x")</script> & 'quotes' <!channel> [Approve](https://evil.test/steal)`;

function notice(name: string, overrides: Partial<ApprovalNotice> = {}): ApprovalNotice {
	return {
		approvalId: 'apr_123',
		agentId: 'sales-bot',
		approverName: name,
		approverAddress: `${name.toLowerCase()}@acme.test`,
		link: `https://guard.acme.test/approve/apr_123?token=tok-${name.toLowerCase()}-0123456789`,
		message: 'Quarter-end clean-up of stale leads',
		summary: ['update salesforce Lead 00Q5e00000AbCdE: Status, Rating', 'update salesforce Lead 00Q5e00000FgHiJ: Status'],
		expiresAt: EXPIRES,
		quorum: 1,
		approverCount: 2,
		...overrides,
	};
}

// ---------------------------------------------------------------- SMTP

interface ReceivedMail {
	from: string;
	to: string[];
	raw: string;
}

async function startSmtp(options: { rejectRecipients?: string[]; password?: string } = {}): Promise<{ port: number; mails: ReceivedMail[] }> {
	const mails: ReceivedMail[] = [];
	const server = new SMTPServer({
		secure: false,
		authOptional: true,
		// No TLS in these tests: without STARTTLS offered the client speaks plain SMTP.
		disabledCommands: ['STARTTLS'],
		allowInsecureAuth: true,
		logger: false,
		onAuth(auth, _session, callback) {
			if (auth.password === options.password) return callback(null, { user: auth.username });
			// A careless server that echoes the password: it must not reach our error message.
			return callback(new Error(`Invalid username or password (${auth.password ?? ''})`));
		},
		onRcptTo(address: SMTPServerAddress, _session, callback) {
			if (options.rejectRecipients?.includes(address.address)) {
				const error = new Error(`Mailbox ${address.address} does not exist`) as Error & { responseCode: number };
				error.responseCode = 550;
				return callback(error);
			}
			callback();
		},
		onData(stream, session, callback) {
			const chunks: Buffer[] = [];
			stream.on('data', (chunk: Buffer) => chunks.push(chunk));
			stream.on('end', () => {
				mails.push({
					from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
					to: session.envelope.rcptTo.map((r) => r.address),
					raw: Buffer.concat(chunks).toString('utf8'),
				});
				callback();
			});
		},
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
	return { port: (server.server.address() as AddressInfo).port, mails };
}

function emailChannel(port: number, extra: Partial<Extract<DeliveryChannel, { kind: 'email' }>['smtp']> = {}): DeliveryChannel {
	return { kind: 'email', smtp: { host: '127.0.0.1', port, secure: false, from: 'Agent Guard <guard@acme.test>', ...extra } };
}

/** Just enough MIME to read nodemailer's multipart/alternative: headers, and each part decoded. */
function parseMail(raw: string): { subject: string; to: string; text: string; html: string } {
	const [head] = raw.split('\r\n\r\n');
	const headers = head.replace(/\r\n[ \t]+/g, ' ');
	const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(headers)?.[1] ?? '';
	const boundary = /boundary="?([^";]+)"?/i.exec(header('Content-Type'))?.[1];
	if (!boundary) throw new Error('not multipart');
	const parts: Record<string, string> = {};
	for (const part of raw.split(`--${boundary}`).slice(1)) {
		const split = part.indexOf('\r\n\r\n');
		if (split < 0) continue;
		const partHeaders = part.slice(0, split);
		let body = part.slice(split + 4).replace(/\r\n$/, '');
		const encoding = /content-transfer-encoding: (\S+)/i.exec(partHeaders)?.[1]?.toLowerCase();
		if (encoding === 'quoted-printable') {
			const bytes = body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => `%${hex}`);
			body = decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/g, '%25'));
		} else if (encoding === 'base64') {
			body = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
		}
		const type = /content-type: ([^;\r\n]+)/i.exec(partHeaders)?.[1]?.toLowerCase() ?? '';
		parts[type] = body;
	}
	return { subject: header('Subject'), to: header('To'), text: parts['text/plain'] ?? '', html: parts['text/html'] ?? '' };
}

describe('approval delivery by e-mail', () => {
	test('each approver gets their own message: their link in both bodies, escaped HTML, UTC expiry', async () => {
		const smtp = await startSmtp();
		const notices = [notice('Ann', { summary: ['update salesforce Lead 00Q5e00000AbCdE: Status, Rating', HOSTILE] }), notice('Bob', { summary: [HOSTILE, 'x', 'y'] })];
		const results = await deliverApprovalNotices(emailChannel(smtp.port), notices);

		expect(results).toEqual([
			{ approver: 'Ann', channel: 'email', ok: true, detail: expect.stringMatching(/^<.+@.+>$/) },
			{ approver: 'Bob', channel: 'email', ok: true, detail: expect.stringMatching(/^<.+@.+>$/) },
		]);
		expect(smtp.mails.map((m) => [m.from, m.to])).toEqual([
			['guard@acme.test', ['ann@acme.test']],
			['guard@acme.test', ['bob@acme.test']],
		]);
		const [ann, bob] = smtp.mails.map((m) => parseMail(m.raw));
		expect(ann.subject).toBe('Approval needed: sales-bot wants to make 2 changes');
		expect(bob.subject).toBe('Approval needed: sales-bot wants to make 3 changes');
		expect(ann.to).toContain('ann@acme.test');
		for (const [mail, who] of [[ann, 'ann'], [bob, 'bob']] as const) {
			const link = `https://guard.acme.test/approve/apr_123?token=tok-${who}-0123456789`;
			expect(mail.text).toContain(link);
			expect(mail.html).toContain(`href="${link}"`);
			expect(mail.text).toContain('2030-01-02T03:04:05.000Z');
			expect(mail.html).toContain('2030-01-02T03:04:05.000Z');
			// The link is the only call to action; the hostile line's markup is inert text.
			expect(mail.html.match(/<a /g)).toHaveLength(1);
			expect(mail.html).not.toContain('<script>');
			expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39; &lt;!channel&gt;');
			expect(mail.text).toContain(HOSTILE);
		}
		// Each message carries only its own approver's link.
		expect(ann.text).not.toContain('tok-bob');
		expect(bob.html).not.toContain('tok-ann');
	});

	test('an approver without a usable address is refused by name and nothing is sent', async () => {
		const smtp = await startSmtp();
		const noAddress = deliverApprovalNotices(emailChannel(smtp.port), [notice('Ann'), notice('Bob', { approverAddress: undefined })]);
		await expect(noAddress).rejects.toBeInstanceOf(DeliveryError);
		await expect(noAddress).rejects.toMatchObject({ code: 'delivery_failed', approver: 'Bob', channel: 'email', message: expect.stringMatching(/Bob \(no e-mail address: add one to the approver\)/) });
		// Two addresses in one field would mail someone who is not an approver.
		await expect(deliverApprovalNotices(emailChannel(smtp.port), [notice('Eve', { approverAddress: 'eve@acme.test, mallory@evil.test' })])).rejects.toMatchObject({
			approver: 'Eve',
			message: expect.stringContaining('is not an e-mail address'),
		});
		expect(smtp.mails).toEqual([]);
	});

	test('a recipient the server rejects fails the batch after the others were sent', async () => {
		const smtp = await startSmtp({ rejectRecipients: ['bob@acme.test'] });
		const error = await deliverApprovalNotices(emailChannel(smtp.port), [notice('Ann'), notice('Bob'), notice('Cid')]).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(DeliveryError);
		const failure = error as DeliveryError;
		expect(failure.approver).toBe('Bob');
		expect(failure.message).toMatch(/^The approval link could not be delivered by e-mail to 1 of 3 approvers: Bob \(SMTP EENVELOPE: .*550.*\)\.$/);
		expect(failure.results.map((r) => [r.approver, r.ok])).toEqual([
			['Ann', true],
			['Bob', false],
			['Cid', true],
		]);
		expect(smtp.mails.map((m) => m.to[0])).toEqual(['ann@acme.test', 'cid@acme.test']);
	});

	test('a wrong SMTP password fails without the password in the message', async () => {
		const smtp = await startSmtp({ password: 'right-password' });
		const channel = emailChannel(smtp.port, { user: 'guard', password: 'hunter2-wrong-secret' });
		const error = (await deliverApprovalNotices(channel, [notice('Ann')]).catch((e: unknown) => e)) as DeliveryError;
		expect(error).toBeInstanceOf(DeliveryError);
		expect(error.message).toMatch(/Ann \(SMTP EAUTH: .*\[redacted\]/);
		expect(error.message).not.toContain('hunter2-wrong-secret');
		expect(JSON.stringify(error.results)).not.toContain('hunter2-wrong-secret');
		await expect(deliverApprovalNotices(emailChannel(smtp.port, { user: 'guard', password: 'right-password' }), [notice('Ann')])).resolves.toHaveLength(1);
	});

	test('an SMTP server that never greets times out within the timeout', async () => {
		const silent = await startSilentTcp();
		const started = Date.now();
		await expect(deliverApprovalNotices(emailChannel(silent), [notice('Ann')], { timeoutMs: 300 })).rejects.toMatchObject({ code: 'delivery_failed', approver: 'Ann', message: expect.stringMatching(/Ann \(SMTP ETIMEDOUT/) });
		expect(Date.now() - started).toBeLessThan(3000);
	});
});

// ---------------------------------------------------------------- HTTP

interface ReceivedPost {
	path: string;
	headers: IncomingHttpHeaders;
	json: unknown;
}

async function startHttp(answer: (req: IncomingMessage, res: ServerResponse, body: string) => void = (_req, res) => res.end('ok')): Promise<{ url: (path: string) => string; posts: ReceivedPost[] }> {
	const posts: ReceivedPost[] = [];
	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const body = Buffer.concat(chunks).toString('utf8');
			posts.push({ path: req.url ?? '', headers: req.headers, json: JSON.parse(body) as unknown });
			answer(req, res, body);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	closers.push(async () => {
		// A server that never answers still holds its sockets: drop them, then close.
		server.closeAllConnections();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	});
	const { port } = server.address() as AddressInfo;
	return { url: (path) => `http://127.0.0.1:${port}${path}`, posts };
}

/** Accepts TCP connections and never says a word. */
async function startSilentTcp(): Promise<number> {
	const sockets = new Set<Socket>();
	const server: NetServer = createNetServer((socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	closers.push(async () => {
		for (const socket of sockets) socket.destroy();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	});
	return (server.address() as AddressInfo).port;
}

const byApprover = <T>(posts: ReceivedPost[], pick: (json: T) => string) => new Map(posts.map((p) => [pick(p.json as T), p.json as T]));

const SLACK_PATH = '/services/T0AAAAAAAA/B0BBBBBBBB/xSlackSecret0123456789abc';

describe('approval delivery by Slack, Teams and webhook', () => {
	test('Slack: one message per approver naming them, with their own link in a button, untrusted text escaped', async () => {
		const http = await startHttp();
		const results = await deliverApprovalNotices({ kind: 'slack', webhookUrl: http.url(SLACK_PATH) }, [notice('Ann', { summary: [HOSTILE] }), notice('Bob & <Co>', { link: notice('Bob').link })]);
		expect(results).toEqual([
			{ approver: 'Ann', channel: 'slack', ok: true, detail: 'HTTP 200' },
			{ approver: 'Bob & <Co>', channel: 'slack', ok: true, detail: 'HTTP 200' },
		]);
		expect(http.posts).toHaveLength(2);
		for (const post of http.posts) {
			expect(post.path).toBe(SLACK_PATH);
			expect(post.headers['content-type']).toBe('application/json');
			expect(post.json).toEqual({
				text: expect.any(String),
				blocks: [
					{ type: 'section', text: { type: 'mrkdwn', text: expect.any(String) } },
					{ type: 'section', text: { type: 'mrkdwn', text: expect.stringMatching(/^\*Proposed changes\*\n• /) } },
					{ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Review and decide' }, style: 'primary', url: expect.any(String), action_id: 'open_approval' }] },
					{ type: 'context', elements: [{ type: 'mrkdwn', text: expect.stringContaining('Expires 2030-01-02T03:04:05.000Z (UTC)') }] },
				],
			});
		}
		type Slack = { text: string; blocks: Array<{ text?: { text: string }; elements?: Array<{ url?: string }> }> };
		const messages = byApprover<Slack>(http.posts, (json) => json.blocks[2].elements?.[0].url ?? '');
		const ann = messages.get('https://guard.acme.test/approve/apr_123?token=tok-ann-0123456789');
		const bob = messages.get('https://guard.acme.test/approve/apr_123?token=tok-bob-0123456789');
		expect(ann?.blocks[0].text?.text).toMatch(/^\*Ann\*, your approval is needed: sales-bot wants to make 1 change\./);
		expect(ann?.blocks[1].text?.text).toBe('*Proposed changes*\n• &lt;script&gt;alert("x")&lt;/script&gt; &amp; \'quotes\' &lt;!channel&gt; [Approve](https://evil.test/steal)');
		expect(ann?.text).toContain('<https://guard.acme.test/approve/apr_123?token=tok-ann-0123456789|open the approval page>');
		expect(bob?.blocks[0].text?.text).toMatch(/^\*Bob &amp; &lt;Co&gt;\*, your approval is needed/);
		// No raw control sequence survives anywhere in either message.
		expect(JSON.stringify(http.posts.map((p) => p.json))).not.toContain('<!channel>');
	});

	test('Teams: an Adaptive Card per approver with an OpenUrl action to their link; untrusted text never as markdown', async () => {
		const http = await startHttp((_req, res) => {
			res.statusCode = 202;
			res.end();
		});
		const results = await deliverApprovalNotices({ kind: 'teams', webhookUrl: http.url('/webhookb2/abc/IncomingWebhook/def') }, [notice('Ann', { summary: [HOSTILE] }), notice('Bob')]);
		expect(results.map((r) => [r.approver, r.ok, r.detail])).toEqual([
			['Ann', true, 'HTTP 202'],
			['Bob', true, 'HTTP 202'],
		]);
		type Card = { type: string; body: Array<{ type: string; text?: string; inlines?: Array<{ type: string; text: string }> }>; actions: Array<{ type: string; title: string; url: string }> };
		type Teams = { type: string; attachments: Array<{ contentType: string; content: Card }> };
		const cards = byApprover<Teams>(http.posts, (json) => json.attachments[0].content.actions[0].url);
		for (const who of ['ann', 'bob']) {
			const message = cards.get(`https://guard.acme.test/approve/apr_123?token=tok-${who}-0123456789`);
			expect(message).toMatchObject({ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard', version: '1.4' } }] });
			const card = message?.attachments[0].content;
			expect(card?.actions).toEqual([{ type: 'Action.OpenUrl', title: 'Review and decide', url: expect.stringContaining(`tok-${who}-`) }]);
			const texts = card?.body.flatMap((b) => (b.inlines ?? []).map((i) => i.text)) ?? [];
			expect(texts.join('\n')).toContain('2030-01-02T03:04:05.000Z');
		}
		const ann = cards.get('https://guard.acme.test/approve/apr_123?token=tok-ann-0123456789')?.attachments[0].content;
		expect(ann?.body[1]).toEqual({ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: 'Ann: sales-bot wants to make 1 change. 1 of 2 approvers must approve.' }] });
		// The markdown link an agent slipped into its summary is a plain text run, not a TextBlock.
		expect(ann?.body.find((b) => JSON.stringify(b).includes('evil.test'))).toEqual({ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: `• ${HOSTILE}` }] });
	});

	test('generic webhook: the notice fields as JSON with the configured headers, one post per approver', async () => {
		const http = await startHttp((_req, res) => {
			res.statusCode = 204;
			res.end();
		});
		const channel: DeliveryChannel = { kind: 'webhook', url: http.url('/hooks/approvals'), headers: { Authorization: 'Bearer receiver-token-123456', 'Content-Type': 'text/plain' } };
		const results = await deliverApprovalNotices(channel, [notice('Ann'), notice('Bob', { approverAddress: undefined, message: undefined })]);
		expect(results.map((r) => r.detail)).toEqual(['HTTP 204', 'HTTP 204']);
		for (const post of http.posts) {
			expect(post.headers['content-type']).toBe('application/json');
			expect(post.headers.authorization).toBe('Bearer receiver-token-123456');
		}
		const posts = byApprover<{ approver: { name: string } }>(http.posts, (json) => json.approver.name);
		expect(posts.get('Ann')).toEqual({
			type: 'approval.requested',
			approvalId: 'apr_123',
			agentId: 'sales-bot',
			approver: { name: 'Ann', address: 'ann@acme.test' },
			link: 'https://guard.acme.test/approve/apr_123?token=tok-ann-0123456789',
			message: 'Quarter-end clean-up of stale leads',
			summary: ['update salesforce Lead 00Q5e00000AbCdE: Status, Rating', 'update salesforce Lead 00Q5e00000FgHiJ: Status'],
			expiresAt: '2030-01-02T03:04:05.000Z',
			quorum: 1,
			approverCount: 2,
		});
		expect(posts.get('Bob')).toMatchObject({ approver: { name: 'Bob', address: null }, message: null, link: expect.stringContaining('tok-bob-') });
	});

	test('a 500 answer is a DeliveryError with the status and a short redacted body: no URL secret, no header value', async () => {
		const http = await startHttp((req, res) => {
			res.statusCode = 500;
			// A server that echoes everything it was given, URL and token included.
			res.end(`internal error for ${req.url ?? ''} (full: http://127.0.0.1${req.url ?? ''}) auth=${req.headers['x-api-key'] ?? ''} ${'padding '.repeat(100)}`);
		});
		const slack = (await deliverApprovalNotices({ kind: 'slack', webhookUrl: http.url(SLACK_PATH) }, [notice('Ann')]).catch((e: unknown) => e)) as DeliveryError;
		expect(slack).toBeInstanceOf(DeliveryError);
		expect(slack).toMatchObject({ code: 'delivery_failed', approver: 'Ann', channel: 'slack' });
		expect(slack.message).toMatch(/Ann \(HTTP 500 from http:\/\/127\.0\.0\.1:\d+\/…: "internal error for \[redacted\]/);
		for (const secret of ['xSlackSecret0123456789abc', 'T0AAAAAAAA', 'B0BBBBBBBB', SLACK_PATH]) expect(slack.message).not.toContain(secret);
		const quoted = /: "(.*)"\)\.$/.exec(slack.message)?.[1] ?? '';
		expect(quoted.length).toBeGreaterThan(0);
		expect(quoted.length).toBeLessThanOrEqual(200);

		const webhook = (await deliverApprovalNotices({ kind: 'webhook', url: http.url('/hook?sig=querySecret98765'), headers: { 'X-Api-Key': 'header-secret-abcdef' } }, [notice('Ann')]).catch((e: unknown) => e)) as DeliveryError;
		expect(webhook.message).toMatch(/HTTP 500/);
		for (const secret of ['querySecret98765', 'header-secret-abcdef']) expect(webhook.message).not.toContain(secret);
		expect(JSON.stringify(webhook.results)).not.toContain('querySecret98765');
	});

	test('a server that never answers is a DeliveryError within the timeout, for every approver at once', async () => {
		const http = await startHttp(() => undefined);
		const started = Date.now();
		const error = (await deliverApprovalNotices({ kind: 'teams', webhookUrl: http.url('/never') }, [notice('Ann'), notice('Bob')], { timeoutMs: 300 }).catch((e: unknown) => e)) as DeliveryError;
		const elapsed = Date.now() - started;
		expect(error).toBeInstanceOf(DeliveryError);
		expect(error.approver).toBe('Ann, Bob');
		expect(error.message).toMatch(/to 2 of 2 approvers: Ann \(no answer from http:\/\/127\.0\.0\.1:\d+\/… within 300 ms\); Bob \(no answer/);
		expect(elapsed).toBeLessThan(1500);
	});

	test('an endpoint nobody listens on is a DeliveryError with the reason and no URL path', async () => {
		const closedPort = await new Promise<number>((resolve) => {
			const probe = createNetServer();
			probe.listen(0, '127.0.0.1', () => {
				const { port } = probe.address() as AddressInfo;
				probe.close(() => resolve(port));
			});
		});
		const error = (await deliverApprovalNotices({ kind: 'webhook', url: `http://127.0.0.1:${closedPort}/secret-path-0123456789` }, [notice('Ann')]).catch((e: unknown) => e)) as DeliveryError;
		expect(error).toBeInstanceOf(DeliveryError);
		expect(error.message).toMatch(/Ann \(could not reach http:\/\/127\.0\.0\.1:\d+\/… \(ECONNREFUSED\)\)/);
		expect(error.message).not.toContain('secret-path');
	});

	test('a bad channel or link is refused before anything is sent, without quoting the URL or the link', async () => {
		const http = await startHttp();
		await expect(deliverApprovalNotices({ kind: 'slack', webhookUrl: 'hooks.slack.com/services/T1/B2/secretsecret' }, [notice('Ann'), notice('Bob')])).rejects.toMatchObject({
			approver: 'Ann, Bob',
			message: 'No approval links were sent by Slack: the Slack webhook URL is not an http(s) URL.',
		});
		const badLink = deliverApprovalNotices({ kind: 'slack', webhookUrl: http.url(SLACK_PATH) }, [notice('Ann'), notice('Bob', { link: 'javascript:alert(1)//tok-bob' })]);
		await expect(badLink).rejects.toMatchObject({ approver: 'Bob', message: 'No approval links were sent by Slack: Bob (the approval link is not an http(s) URL).' });
		await expect(deliverApprovalNotices({ kind: 'webhook', url: http.url('/h'), headers: { 'X-Token': 'abc\r\nInjected: 1' } }, [notice('Ann')])).rejects.toMatchObject({
			message: expect.not.stringContaining('abc'),
		});
		expect(http.posts).toEqual([]);
	});

	test('channel "none" sends nothing and reports every approver as not sent', async () => {
		await expect(deliverApprovalNotices({ kind: 'none' }, [notice('Ann'), notice('Bob', { approverAddress: undefined })])).resolves.toEqual([
			{ approver: 'Ann', channel: 'none', ok: true, detail: 'not sent: the link is in the output' },
			{ approver: 'Bob', channel: 'none', ok: true, detail: 'not sent: the link is in the output' },
		]);
		await expect(deliverApprovalNotices({ kind: 'slack', webhookUrl: 'https://hooks.slack.com/x' }, [])).resolves.toEqual([]);
	});
});
