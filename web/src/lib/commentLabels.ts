// Words for channels, flag reasons and version changes, in the reader's language.
import { m } from '$lib/paraglide/messages';
import type { Channel, FlagReason, NodeChange } from '$lib/commentTypes';

export function channelLabel(channel: Channel): string {
  switch (channel) {
    case 'WEB':
      return m.c7_channel_web();
    case 'LETTER':
      return m.c7_channel_letter();
    case 'EMAIL':
      return m.c7_channel_email();
    case 'MEETING':
      return m.c7_channel_meeting();
    case 'CONFERENCE':
      return m.c7_channel_conference();
    case 'PHONE':
      return m.c7_channel_phone();
    case 'PRESS':
      return m.c7_channel_press();
    case 'SOCIAL_MEDIA':
      return m.c7_channel_social_media();
  }
}

export function flagReasonLabel(reason: FlagReason): string {
  switch (reason) {
    case 'ABUSE':
      return m.c7_flag_abuse();
    case 'SPAM':
      return m.c7_flag_spam();
    case 'OFF_TOPIC':
      return m.c7_flag_off_topic();
    case 'PERSONAL_DATA':
      return m.c7_flag_personal_data();
    case 'MISINFORMATION':
      return m.c7_flag_misinformation();
    case 'OTHER':
      return m.c7_flag_other();
  }
}

export function changeLabel(change: NodeChange): string {
  switch (change) {
    case 'ADDED':
      return m.c7_change_added();
    case 'REMOVED':
      return m.c7_change_removed();
    case 'MOVED':
      return m.c7_change_moved();
    case 'REWORDED':
      return m.c7_change_reworded();
    case 'RENUMBERED':
      return m.c7_change_renumbered();
    case 'UNCHANGED':
      return m.c7_change_unchanged();
  }
}

/** Whether a node is any different in the latest version from the one a comment was written on. */
export function changedSince(changes: readonly NodeChange[]): boolean {
  return changes.some((c) => c !== 'UNCHANGED');
}
