import nodemailer from 'nodemailer';
import { NoticeView, SendFailure, headline, plural, quorumLine, redactForMessage, secretsOf } from './common';

export interface SmtpSettings {
	host: string;
	port: number;
	secure: boolean;
	user?: string;
	password?: string;
	from: string;
	allowUnauthorizedCerts?: boolean;
}

/**
 * One address, nothing else: no display name, no list, no spaces or brackets, so an
 * approver's address field cannot add recipients or headers. A dot in the domain is
 * required because a bare host name is almost always a typo here.
 */
const SINGLE_ADDRESS = /^[^\s@<>,;:"'()[\]\\]{1,64}@[^\s@<>,;:"'()[\]\\.]+(\.[^\s@<>,;:"'()[\]\\.]+)+$/;

export function isEmailAddress(value: string): boolean {
	return value.length <= 254 && SINGLE_ADDRESS.test(value);
}

export function escapeHtml(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export function emailSubject(view: NoticeView): string {
	return `Approval needed: ${headline(view)}`;
}

export function emailText(view: NoticeView): string {
	const parts = [`Hello ${view.approver},`, '', `${headline(view)} and needs your approval (${quorumLine(view)}).`];
	if (view.message) parts.push('', 'Message:', ...view.message.split('\n').map((line) => `> ${line}`));
	parts.push('', 'Proposed changes:', ...view.lines.map((line) => `- ${line}`));
	if (view.hiddenLines > 0) parts.push(`…and ${plural(view.hiddenLines, 'more change')} on the approval page`);
	parts.push(
		'',
		'Review and approve or reject here:',
		view.link,
		'',
		`This link is for you only: do not forward it. It expires at ${view.expiresIso} (UTC).`,
		`Approval ${view.approvalId}`,
	);
	return `${parts.join('\n')}\n`;
}

/** Every value from the notice passes through escapeHtml; the link is the only anchor in the body. */
export function emailHtml(view: NoticeView): string {
	const e = escapeHtml;
	const message = view.message
		? `<blockquote style="margin:12px 0;padding:8px 12px;border-left:3px solid #ccc;white-space:pre-wrap">${e(view.message)}</blockquote>`
		: '';
	const items = view.lines.map((line) => `<li>${e(line)}</li>`).join('');
	const more = view.hiddenLines > 0 ? `<p>…and ${e(plural(view.hiddenLines, 'more change'))} on the approval page</p>` : '';
	return [
		'<!doctype html><html><body style="font-family:sans-serif;line-height:1.4">',
		`<p>Hello ${e(view.approver)},</p>`,
		`<p><strong>${e(headline(view))}</strong> and needs your approval (${e(quorumLine(view))}).</p>`,
		message,
		`<p>Proposed changes:</p><ul>${items}</ul>${more}`,
		`<p><a href="${e(view.link)}" style="display:inline-block;padding:10px 16px;background:#1a73e8;color:#fff;text-decoration:none;border-radius:4px">Review and decide</a></p>`,
		`<p style="color:#555;font-size:12px">This link is for you only: do not forward it. It expires at ${e(view.expiresIso)} (UTC). Approval ${e(view.approvalId)}</p>`,
		'</body></html>',
	].join('\n');
}

export interface Mailer {
	send(view: NoticeView): Promise<string>;
	close(): void;
}

/** One transport for the whole batch, so each call opens (and the caller closes) its own connections. */
export function openMailer(smtp: SmtpSettings, timeoutMs: number): Mailer {
	const secrets = secretsOf({ password: smtp.password });
	const transport = nodemailer.createTransport({
		host: smtp.host,
		port: smtp.port,
		secure: smtp.secure,
		auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
		connectionTimeout: timeoutMs,
		greetingTimeout: timeoutMs,
		socketTimeout: timeoutMs,
		dnsTimeout: timeoutMs,
		tls: smtp.allowUnauthorizedCerts ? { rejectUnauthorized: false } : undefined,
	});
	return {
		async send(view) {
			try {
				const info = await transport.sendMail({
					from: smtp.from,
					to: { name: view.approver, address: view.address ?? '' },
					subject: emailSubject(view),
					text: emailText(view),
					html: emailHtml(view),
					// Nothing in these messages refers to files or URLs to inline; refuse both outright.
					disableFileAccess: true,
					disableUrlAccess: true,
				});
				if (info.rejected.length > 0) throw new SendFailure(`the SMTP server rejected ${view.address ?? ''}: ${redactForMessage(String(info.response ?? ''), secrets)}`);
				return info.messageId;
			} catch (error) {
				if (error instanceof SendFailure) throw error;
				throw new SendFailure(`SMTP ${smtpReason(error, secrets)}`);
			}
		},
		close() {
			transport.close();
		},
	};
}

/** Nodemailer's code (EAUTH, ECONNECTION, ETIMEDOUT, EENVELOPE) and message, with the password taken out. */
function smtpReason(error: unknown, secrets: string[]): string {
	if (!(error instanceof Error)) return 'error';
	const code = (error as Error & { code?: unknown }).code;
	const message = redactForMessage(error.message, secrets);
	return typeof code === 'string' && code !== '' ? `${code}: ${message}` : message;
}
