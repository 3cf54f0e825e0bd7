/**
 * Sends each approver their own approval link, by e-mail, Slack, Teams or a generic
 * webhook. Fail closed: an approval nobody can reach must not be waited on, so unless
 * every approver was reached this throws a DeliveryError, after trying all of them.
 *
 * Everything in a notice is untrusted (the agent wrote the summary, anyone may have
 * typed the names): each channel escapes it for its own markup. Error messages never
 * carry a webhook URL's path or query, header values, the SMTP password or an
 * approver's link, since all of those are credentials and errors end up in the trail.
 */
import { MAX_LINES, NoticeView, SendFailure, cleanName, isHttpUrl, multiLine, oneLine, redactForMessage, secretsOf } from './channels/common';
import { isEmailAddress, openMailer, SmtpSettings } from './channels/email';
import { postJson } from './channels/http';
import { slackPayload } from './channels/slack';
import { teamsPayload } from './channels/teams';
import { webhookPayload } from './channels/webhook';

export type { SmtpSettings };

export interface ApprovalNotice {
	approvalId: string;
	agentId: string;
	approverName: string;
	approverAddress?: string;
	link: string;
	message?: string;
	/** One line per proposed action, e.g. "update salesforce Lead 00Q…: Status, Rating". */
	summary: string[];
	/** Epoch milliseconds. */
	expiresAt: number;
	quorum: number;
	approverCount: number;
}

export type DeliveryChannel =
	| { kind: 'email'; smtp: SmtpSettings }
	| { kind: 'slack'; webhookUrl: string }
	| { kind: 'teams'; webhookUrl: string }
	| { kind: 'webhook'; url: string; headers?: Record<string, string> }
	/** Links only in the trail / output. */
	| { kind: 'none' };

export interface DeliveryResult {
	approver: string;
	channel: string;
	ok: boolean;
	/** Message id or HTTP status when ok; the (redacted) reason when not. */
	detail: string;
}

export class DeliveryError extends Error {
	readonly code = 'delivery_failed';
	constructor(
		message: string,
		/** The approvers who were not reached, comma-separated (all of them when nothing was sent). */
		readonly approver: string,
		readonly channel: string,
		/** One result per notice, in order, so the caller can record who was reached. */
		readonly results: DeliveryResult[] = [],
	) {
		super(message);
		this.name = 'DeliveryError';
	}
}

export const DEFAULT_DELIVERY_TIMEOUT_MS = 10_000;

const CHANNEL_LABEL: Record<DeliveryChannel['kind'], string> = { email: 'e-mail', slack: 'Slack', teams: 'Teams', webhook: 'webhook', none: 'no channel' };
/** Slack refuses button URLs over 3000 characters; our links are far shorter, so a longer one is a bug upstream. */
const MAX_LINK = 2000;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

interface Prepared {
	notice: ApprovalNotice;
	view: NoticeView;
	problem?: string;
}

export async function deliverApprovalNotices(channel: DeliveryChannel, notices: ApprovalNotice[], options: { timeoutMs?: number } = {}): Promise<DeliveryResult[]> {
	const timeoutMs = options.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
	if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError(`timeoutMs must be a positive number of milliseconds, got ${timeoutMs}`);
	if (notices.length === 0) return [];
	const label = CHANNEL_LABEL[channel.kind];
	const prepared = notices.map((notice, index) => prepare(channel, notice, index));

	// Problems found before sending refuse the whole batch: nobody gets a link to an
	// approval that will not be waited on anyway.
	const configProblem = channelProblem(channel);
	if (configProblem !== undefined || prepared.some((p) => p.problem !== undefined)) {
		const results = prepared.map((p) => ({ approver: p.view.approver, channel: channel.kind, ok: false, detail: configProblem ?? p.problem ?? 'not sent: another approver cannot be reached' }));
		const blocked = configProblem !== undefined ? results : results.filter((_, i) => prepared[i].problem !== undefined);
		const reasons = configProblem ?? blocked.map((r) => `${r.approver} (${r.detail})`).join('; ');
		throw new DeliveryError(`No approval links were sent by ${label}: ${reasons}.`, blocked.map((r) => r.approver).join(', '), channel.kind, results);
	}

	if (channel.kind === 'none') return prepared.map((p) => ({ approver: p.view.approver, channel: 'none', ok: true, detail: 'not sent: the link is in the output' }));

	const secrets = channelSecrets(channel);
	const outcomes = await sendAll(channel, prepared, timeoutMs, secrets);
	const results = prepared.map((p, i) => ({ approver: p.view.approver, channel: channel.kind, ...outcomes[i] }));
	const failed = results.filter((r) => !r.ok);
	if (failed.length > 0) {
		const reasons = failed.map((r) => `${r.approver} (${r.detail})`).join('; ');
		throw new DeliveryError(
			`The approval link could not be delivered by ${label} to ${failed.length} of ${results.length} approvers: ${reasons}.`,
			failed.map((r) => r.approver).join(', '),
			channel.kind,
			results,
		);
	}
	return results;
}

async function sendAll(channel: Exclude<DeliveryChannel, { kind: 'none' }>, prepared: Prepared[], timeoutMs: number, secrets: string[]): Promise<Array<{ ok: boolean; detail: string }>> {
	const attempt = async (send: () => Promise<string>): Promise<{ ok: boolean; detail: string }> => {
		try {
			return { ok: true, detail: await send() };
		} catch (error) {
			if (error instanceof SendFailure) return { ok: false, detail: error.message };
			const message = error instanceof Error ? error.message : String(error);
			return { ok: false, detail: `unexpected error: ${redactForMessage(message, secrets)}` };
		}
	};
	switch (channel.kind) {
		case 'email': {
			// One connection at a time through one transport: mail servers throttle bursts
			// from one client, and the batch is a handful of approvers.
			const mailer = openMailer(channel.smtp, timeoutMs);
			try {
				const outcomes: Array<{ ok: boolean; detail: string }> = [];
				for (const p of prepared) outcomes.push(await attempt(() => mailer.send(p.view)));
				return outcomes;
			} finally {
				mailer.close();
			}
		}
		case 'slack':
			// Concurrent, so that a dead endpoint costs one timeout, not one per approver.
			return Promise.all(prepared.map((p) => attempt(() => postJson(channel.webhookUrl, slackPayload(p.view), { timeoutMs, secrets }))));
		case 'teams':
			return Promise.all(prepared.map((p) => attempt(() => postJson(channel.webhookUrl, teamsPayload(p.view), { timeoutMs, secrets }))));
		case 'webhook':
			return Promise.all(prepared.map((p) => attempt(() => postJson(channel.url, webhookPayload(p.notice, p.view.link), { timeoutMs, secrets, headers: channel.headers }))));
	}
}

function prepare(channel: DeliveryChannel, notice: ApprovalNotice, index: number): Prepared {
	const approver = cleanName(String(notice.approverName ?? ''), `approver ${index + 1}`);
	const summary = Array.isArray(notice.summary) ? notice.summary.map((line) => oneLine(String(line))).filter((line) => line !== '') : [];
	const linkOk = typeof notice.link === 'string' && notice.link.length <= MAX_LINK && isHttpUrl(notice.link);
	const expiryOk = Number.isFinite(notice.expiresAt) && Math.abs(notice.expiresAt) <= 8.64e15;
	const address = typeof notice.approverAddress === 'string' ? notice.approverAddress.trim() : '';
	const view: NoticeView = {
		approvalId: oneLine(String(notice.approvalId ?? ''), 100),
		agentId: oneLine(String(notice.agentId ?? ''), 120) || 'an agent',
		approver,
		address: address || undefined,
		link: linkOk ? new URL(notice.link).href : '',
		message: notice.message ? multiLine(String(notice.message)) || undefined : undefined,
		lines: summary.slice(0, MAX_LINES),
		hiddenLines: Math.max(0, summary.length - MAX_LINES),
		changeCount: summary.length,
		expiresIso: expiryOk ? new Date(notice.expiresAt).toISOString() : '',
		quorum: notice.quorum,
		approverCount: notice.approverCount,
	};
	// The link is this approver's credential: a problem with it is described, never quoted.
	let problem: string | undefined;
	if (!linkOk) problem = 'the approval link is not an http(s) URL';
	else if (!expiryOk) problem = 'the expiry is not a valid time';
	else if (channel.kind === 'email' && address === '') problem = 'no e-mail address: add one to the approver';
	else if (channel.kind === 'email' && !isEmailAddress(address)) problem = `"${oneLine(address, 100)}" is not an e-mail address: correct the approver's address`;
	return { notice, view, problem };
}

/** A channel that cannot work for anyone. URLs and header values are described, never quoted. */
function channelProblem(channel: DeliveryChannel): string | undefined {
	switch (channel.kind) {
		case 'email': {
			const { host, port, from } = channel.smtp;
			if (!host || host.trim() === '') return 'the SMTP host is empty';
			if (!Number.isInteger(port) || port < 1 || port > 65535) return `the SMTP port ${port} is not a port number`;
			if (!from || !from.includes('@')) return 'the sender (From) address is missing or not an e-mail address';
			return undefined;
		}
		case 'slack':
		case 'teams':
			return isHttpUrl(channel.webhookUrl) ? undefined : `the ${CHANNEL_LABEL[channel.kind]} webhook URL is not an http(s) URL`;
		case 'webhook': {
			if (!isHttpUrl(channel.url)) return 'the webhook URL is not an http(s) URL';
			for (const [name, value] of Object.entries(channel.headers ?? {})) {
				if (!HEADER_NAME.test(name)) return `the webhook header name "${oneLine(name, 60)}" is not valid`;
				if (typeof value !== 'string' || /[\r\n\0]/.test(value)) return `the webhook header "${name}" has a line break in its value`;
			}
			return undefined;
		}
		case 'none':
			return undefined;
	}
}

function channelSecrets(channel: DeliveryChannel): string[] {
	switch (channel.kind) {
		case 'email':
			return secretsOf({ password: channel.smtp.password });
		case 'slack':
		case 'teams':
			return secretsOf({ url: channel.webhookUrl });
		case 'webhook':
			return secretsOf({ url: channel.url, headers: channel.headers });
		case 'none':
			return [];
	}
}
