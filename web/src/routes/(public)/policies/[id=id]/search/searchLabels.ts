import { m } from '$lib/paraglide/messages';
import type { Channel } from '$lib/server/gql/search';

export const CHANNEL_OPTIONS: readonly Channel[] = [
  'WEB',
  'EMAIL',
  'LETTER',
  'MEETING',
  'CONFERENCE',
  'PHONE',
  'PRESS',
  'SOCIAL_MEDIA',
];

export function channelLabel(channel: Channel): string {
  switch (channel) {
    case 'WEB':
      return m.search_channel_web();
    case 'EMAIL':
      return m.search_channel_email();
    case 'LETTER':
      return m.search_channel_letter();
    case 'MEETING':
      return m.search_channel_meeting();
    case 'CONFERENCE':
      return m.search_channel_conference();
    case 'PHONE':
      return m.search_channel_phone();
    case 'PRESS':
      return m.search_channel_press();
    case 'SOCIAL_MEDIA':
      return m.search_channel_social();
  }
}
