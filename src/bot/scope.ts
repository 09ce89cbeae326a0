import type { Activity } from 'botbuilder';
import type { StoredReference } from '../store';
import type { Viewer } from './views';

type Scope = StoredReference['scope'];

/** Where an activity was said: a personal chat, a group chat or a team channel. */
export function scopeOf(activity: Activity): Scope {
  const type = activity.conversation?.conversationType;
  if (type === 'channel') return 'channel';
  if (type === 'groupChat') return 'groupChat';
  return 'personal';
}

/** Who looks at a card: in a chat others share, the card shows what everyone may see. */
export function viewerOf(activity: Activity): Viewer {
  return {
    aadObjectId: activity.from?.aadObjectId ?? null,
    mri: activity.from?.id ?? null,
    shared: scopeOf(activity) !== 'personal',
  };
}
