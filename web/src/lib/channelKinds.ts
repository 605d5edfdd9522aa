// The kinds of an organisation's communication channels, as the API names them (shared by pages and server code).
export type ChannelKind =
  'WEB_PORTAL' | 'FACEBOOK_PAGE' | 'ZALO_PAGE' | 'EMAIL_LIST' | 'PRESS_CONTACTS' | 'MEETINGS' | 'OTHER';
export const CHANNEL_KINDS: readonly ChannelKind[] = [
  'WEB_PORTAL',
  'FACEBOOK_PAGE',
  'ZALO_PAGE',
  'EMAIL_LIST',
  'PRESS_CONTACTS',
  'MEETINGS',
  'OTHER',
];
