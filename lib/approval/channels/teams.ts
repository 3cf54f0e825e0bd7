import { NoticeView, headline, plural, quorumLine } from './common';

/**
 * Untrusted text goes in RichTextBlock text runs, which Adaptive Cards never read as
 * markdown (a TextBlock would render `[Approve](https://evil)` as a link) nor as
 * `{{DATE()}}` templates. Only our own fixed words use TextBlock.
 */
function plain(text: string, options: Record<string, unknown> = {}): Record<string, unknown> {
	return { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text, ...options }] };
}

/**
 * An Adaptive Card wrapped as a message attachment: the shape both Teams incoming
 * webhooks (connectors) and Workflows "when a Teams webhook request is received"
 * accept. The single action opens this approver's own link.
 */
export function teamsPayload(view: NoticeView): Record<string, unknown> {
	const body: unknown[] = [
		{ type: 'TextBlock', text: 'Approval needed', weight: 'Bolder', size: 'Medium', wrap: true },
		plain(`${view.approver}: ${headline(view)}. ${quorumLine(view)}.`),
	];
	if (view.message) body.push(plain(view.message, { italic: true }));
	body.push({ type: 'TextBlock', text: 'Proposed changes', weight: 'Bolder', wrap: true, spacing: 'Medium' });
	for (const line of view.lines) body.push(plain(`• ${line}`));
	if (view.hiddenLines > 0) body.push(plain(`…and ${plural(view.hiddenLines, 'more change')} on the approval page`, { isSubtle: true }));
	body.push(plain(`This link is for ${view.approver} only. Expires ${view.expiresIso} (UTC). Approval ${view.approvalId}`, { isSubtle: true, size: 'Small' }));
	return {
		type: 'message',
		summary: `Approval needed: ${headline(view)}`,
		attachments: [
			{
				contentType: 'application/vnd.microsoft.card.adaptive',
				contentUrl: null,
				content: {
					$schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
					type: 'AdaptiveCard',
					// 1.4: RichTextBlock needs 1.2; Teams renders up to 1.5.
					version: '1.4',
					msteams: { width: 'Full' },
					body,
					actions: [{ type: 'Action.OpenUrl', title: 'Review and decide', url: view.link }],
				},
			},
		],
	};
}
