import { NoticeView, headline, plural, quorumLine } from './common';

/**
 * Slack reads `&`, `<` and `>` as markup: `<!channel>` pings everyone and `<url|text>`
 * disguises a link. Untrusted text is escaped so it shows literally.
 */
export function escapeSlack(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Slack refuses a section text over 3000 characters; cut escaped text without splitting an entity. */
const SECTION_MAX = 3000;
function capEscaped(text: string, max: number): string {
	if (text.length <= max) return text;
	return `${text.slice(0, max - 1).replace(/&[a-z]{0,3}$/, '')}…`;
}

/** In `<url|label>` a `|` or `>` in the URL would end it early; the URL parser has already encoded `<` and spaces. */
function slackUrl(link: string): string {
	return link.replace(/\|/g, '%7C').replace(/>/g, '%3E');
}

/** One incoming-webhook message for one approver: their name, what is proposed, their own link. */
export function slackPayload(view: NoticeView): { text: string; blocks: unknown[] } {
	const who = escapeSlack(view.approver);
	const what = escapeSlack(headline(view));
	let intro = `*${who}*, your approval is needed: ${what}.\n${escapeSlack(quorumLine(view))}.`;
	if (view.message) intro += `\n${view.message.split('\n').map((line) => `>${escapeSlack(line)}`).join('\n')}`;

	// Lines are added while they fit, so that a long list is cut at a line, not mid-line.
	let changes = '*Proposed changes*';
	let shown = 0;
	for (const line of view.lines) {
		const next = `\n• ${escapeSlack(line)}`;
		if (changes.length + next.length > SECTION_MAX - 40) break;
		changes += next;
		shown++;
	}
	const hidden = view.changeCount - shown;
	if (hidden > 0) changes += `\n…and ${plural(hidden, 'more change')} on the approval page`;

	const blocks: unknown[] = [
		{ type: 'section', text: { type: 'mrkdwn', text: capEscaped(intro, SECTION_MAX) } },
		{ type: 'section', text: { type: 'mrkdwn', text: changes } },
		{
			type: 'actions',
			elements: [{ type: 'button', text: { type: 'plain_text', text: 'Review and decide' }, style: 'primary', url: view.link, action_id: 'open_approval' }],
		},
		{
			type: 'context',
			elements: [{ type: 'mrkdwn', text: `This link is for ${who} only. Expires ${view.expiresIso} (UTC). Approval ${escapeSlack(view.approvalId)}` }],
		},
	];
	// `text` is what notifications and clients without blocks show: it carries the link too.
	const text = capEscaped(`Approval needed from ${who}: ${what}. Review: <${slackUrl(view.link)}|open the approval page>`, SECTION_MAX);
	return { text, blocks };
}
