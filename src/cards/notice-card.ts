import type { FinalState, PendingItem, PortalCloud } from '../domain';
import { ITEM_KINDS, portalIn } from '../domain';
import { atTime, personName } from './format';
import { itemTitle } from './kinds';
import { blockText } from './safe-text';
import { FIRST_LEVEL } from './size-guard';
import { expandTemplate } from './templates';
import type { AdaptiveCard } from './types';

/** What the requester is told about one decision: Graph's facts only, and the approver's own words. */
export interface RequesterNotice {
  readonly item: PendingItem;
  readonly result: Extract<FinalState['result'], 'Approved' | 'Denied'>;
  /** The decider as Graph named them; null when Graph gave no name. */
  readonly by: string | null;
  readonly at: string | null;
  /** The approver's justification, where the requester may see it in the portal anyway. */
  readonly justification: string | null;
}

export interface NoticeCardOptions {
  readonly now: Date;
  readonly timeZone?: string;
  /** The tenant's cloud, for the portal links (public cloud by default). */
  readonly cloud?: PortalCloud;
}

export function noticeView(notice: RequesterNotice, options: NoticeCardOptions): object {
  const { item } = notice;
  const kind = ITEM_KINDS[item.kind];
  const portal = portalIn(kind.portal, options.cloud);
  const word = notice.result === 'Approved' ? 'Approved' : 'Denied';
  const when = atTime(notice.at, options.now, options.timeZone);
  const by = notice.by ? personName({ id: null, displayName: notice.by }) : null;
  const stage = item.stageNumber ?? null;
  const stages = item.stageCount ?? null;
  const more = notice.result === 'Approved' && stage !== null && stages !== null && stage < stages;
  return {
    kindLabel: kind.label,
    title: itemTitle(item),
    headline: by ? `${word} by ${by}${when}` : `${word}${when}`,
    justificationHeading: by ? `${by}'s justification` : 'The approver’s justification',
    justification: notice.justification
      ? blockText(notice.justification, FIRST_LEVEL.chars, FIRST_LEVEL.lines).lines
      : [],
    next: more
      ? `The request now goes to stage ${stage + 1} of ${stages}. Open ${portal.name} to follow it.`
      : notice.result === 'Approved'
        ? `Open ${portal.name} to see your access.`
        : `Open ${portal.name} for the details or to ask again.`,
    portalTitle: portal.title,
    portalUrl: portal.url,
  };
}

/** The message a requester gets when an approver decides their request through the bot. */
export function renderNoticeCard(notice: RequesterNotice, options: NoticeCardOptions): AdaptiveCard {
  return expandTemplate('notice', noticeView(notice, options));
}
