/**
 * Twitch web chat's wire format: IRC lines with IRCv3 tags over the page's WebSocket
 * (wss://irc-ws.chat.twitch.tv). Facts: docs/PLATFORMS.md.
 */

/** One IRC line, split into its parts; tag values are unescaped. */
export interface IrcLine {
  tags: IrcTags;
  /** `nick!user@host` or `tmi.twitch.tv`, without the leading colon. */
  prefix?: string;
  command: string;
  /** Middle parameters and the trailing one (without its colon), in order. */
  params: string[];
}

/** The tags Earshot reads from PRIVMSG, CLEARMSG and CLEARCHAT. */
export interface IrcTags {
  /** Message id (PRIVMSG). */
  id?: string;
  'display-name'?: string;
  'user-id'?: string;
  /** `moderator/1,subscriber/12,vip/1`. */
  badges?: string;
  color?: string;
  /** Epoch milliseconds. */
  'tmi-sent-ts'?: string;
  /** `25:0-4,12-16/1902:6-10`: positions of emotes in the text (the text already spells them). */
  emotes?: string;
  /** Cheered bits on a PRIVMSG. */
  bits?: string;
  /** CLEARMSG: the deleted message. */
  'target-msg-id'?: string;
  /** CLEARCHAT: the banned or timed-out user. */
  'target-user-id'?: string;
  login?: string;
  [name: string]: string | undefined;
}
