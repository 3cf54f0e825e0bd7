import { Checkpoint } from './entry';
import { VerifyReport } from './verify';

/**
 * A signed checkpoint of the trail's head as text, to keep outside the store (the daily digest
 * e-mails it). The store keeps its own checkpoints beside the trail, so someone who can truncate
 * both defeats them; a head published elsewhere still shows the truncation when Verify is given it.
 * Format: `agh1.<seq>.<hash>.<ts as ms since the epoch>.<mac>`; the MAC is the checkpoint's own,
 * over the ISO time, so a published head is checked with the signing secret like a stored one.
 */
const PREFIX = 'agh1';

export class PublishedHeadError extends Error {}

export function encodePublishedHead(cp: Checkpoint): string {
	return [PREFIX, cp.seq, cp.hash, Date.parse(cp.ts), cp.mac].join('.');
}

export function decodePublishedHead(text: string): Checkpoint {
	const parts = text.trim().split('.');
	const [prefix, seq, hash, ms, mac] = parts;
	if (parts.length !== 5 || prefix !== PREFIX) throw new PublishedHeadError('a published head looks like agh1.<seq>.<hash>.<time>.<mac> (the "signed head" line of the daily digest or of Verify)');
	const n = Number(seq);
	const t = Number(ms);
	if (!/^[1-9][0-9]{0,15}$/.test(seq) || !Number.isSafeInteger(n)) throw new PublishedHeadError(`its seq "${seq}" is not a positive integer`);
	if (!/^[0-9a-f]{64}$/.test(hash)) throw new PublishedHeadError('its hash is not 64 hex digits');
	if (!/^[0-9]{1,15}$/.test(ms) || Number.isNaN(new Date(t).getTime())) throw new PublishedHeadError(`its time "${ms}" is not a time`);
	if (!/^[0-9a-f]{64}$/.test(mac)) throw new PublishedHeadError('its MAC is not 64 hex digits');
	return { seq: n, hash, ts: new Date(t).toISOString(), mac };
}

/** Heads separated by commas, spaces or new lines (an empty text: none); the first bad one throws, naming its place. */
export function decodePublishedHeads(text: string): Checkpoint[] {
	const tokens = text.split(/[\s,]+/).filter((t) => t !== '');
	return tokens.map((t, i) => {
		try {
			return decodePublishedHead(t);
		} catch (e) {
			if (e instanceof PublishedHeadError) throw new PublishedHeadError(`published head ${i + 1} of ${tokens.length}: ${e.message}`);
			throw e;
		}
	});
}

/** A Verify report as users see it (node output, CLI): the newest checkpoint as its published text form. */
export type PublicVerifyReport = Omit<VerifyReport, 'latestCheckpoint'> & { signedHead?: string };

export function publicReport(report: VerifyReport): PublicVerifyReport {
	const { latestCheckpoint, ...rest } = report;
	return latestCheckpoint !== undefined ? { ...rest, signedHead: encodePublishedHead(latestCheckpoint) } : rest;
}
